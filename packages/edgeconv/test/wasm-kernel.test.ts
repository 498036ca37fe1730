import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pbcEdgeConv } from '../src/index';
import { setWasmEnabled, WasmKernel } from '../src/wasm';
import { bruteGraph, maxAbsDiff, randomArray, randomPositions, referenceLayer, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});
afterEach(() => setWasmEnabled(true));

const N = 36, K = 7, L = 3.3;

/** Value and all gradients (features, global, weights) of sum(w * layer(...)) for one implementation. */
function run(impl: 'wasm' | 'ts' | 'composed', F: number, frames: number, hidden: number[], out: number,
  aggregation: 'max' | 'mean' | 'sum') {
  setWasmEnabled(impl === 'wasm');
  const graph = bruteGraph(randomPositions(N * frames, L, 4), L, K, frames);
  const n = N * frames;
  const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: 2, hidden, outFeatures: out, aggregation, seed: 12,
    kernel: impl === 'composed' ? 'composed' : 'fused' });
  const fT = F > 0 ? tf.tensor2d(randomArray(n * F, 5), [n, F]) : null;
  const gT = tf.tensor2d(randomArray(frames * 2, 6), [frames, 2]);
  const w = tf.tensor2d(randomArray(n * out, 7), [n, out]);
  const inputs = [...(fT ? [fT] : []), gT, ...layer.trainableWeights];
  const fn = (...xs: tf.Tensor[]) => tf.sum(tf.mul(layer.apply(graph, fT ? (xs[0] as tf.Tensor2D) : null, xs[fT ? 1 : 0] as tf.Tensor2D), w));
  const value = tf.tidy(() => layer.apply(graph, fT, gT).dataSync().slice());
  const grads = tf.grads(fn)(inputs);
  const res = { value, grads: grads.map((g) => g.dataSync().slice()) };
  tf.dispose([...grads, w, gT, ...(fT ? [fT] : [])]);
  const ref = referenceLayer(graph, fT ? randomArray(n * F, 5) : null, F, randomArray(frames * 2, 6), 2,
    layer.trainableWeights.map((v) => v.dataSync() as Float32Array), 'relu', aggregation);
  layer.dispose();
  return { ...res, ref };
}

describe('wasm SIMD kernel', () => {
  test('module loads', () => {
    expect(WasmKernel.get()).not.toBeNull();
  });
  const cases: [number, number, number[], number, 'max' | 'mean' | 'sum'][] = [
    [0, 1, [32, 32], 32, 'max'], [32, 2, [32, 32], 32, 'max'], [4, 1, [8, 12], 16, 'max'],
    [8, 2, [32, 32], 32, 'mean'], [4, 1, [12, 32, 8], 4, 'sum'], [32, 1, [32, 32], 32, 'sum'],
  ];
  for (const [F, frames, hidden, out, agg] of cases) {
    test(`wasm == ts kernel == composed == float64 reference (F=${F}, frames=${frames}, [${hidden}]->${out}, ${agg})`, () => {
      const before = { ...WasmKernel.get()!.calls };
      const a = run('wasm', F, frames, hidden, out, agg);
      expect(WasmKernel.get()!.calls.forward).toBeGreaterThan(before.forward);
      expect(WasmKernel.get()!.calls.backward).toBe(before.backward + 1);
      const mid = { ...WasmKernel.get()!.calls };
      const b = run('ts', F, frames, hidden, out, agg);
      const c = run('composed', F, frames, hidden, out, agg);
      expect(WasmKernel.get()!.calls).toEqual(mid);
      expect(maxAbsDiff(a.value, a.ref)).toBeLessThan(1e-4);
      expect(maxAbsDiff(a.value, b.value)).toBeLessThan(1e-4);
      expect(a.grads.length).toBe(c.grads.length);
      a.grads.forEach((g, i) => {
        const scale = Math.max(1, ...Array.from(c.grads[i]!, Math.abs));
        expect(maxAbsDiff(g, b.grads[i]!) / scale, `grad ${i} vs ts`).toBeLessThan(1e-4);
        expect(maxAbsDiff(g, c.grads[i]!) / scale, `grad ${i} vs composed`).toBeLessThan(1e-4);
      });
    });
  }
});
