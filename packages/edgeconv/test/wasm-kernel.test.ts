import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pbcEdgeConv } from '../src/index';
import { setWasmEnabled, WasmKernel } from '../src/wasmKernel';
import { bruteGraph, maxAbsDiff, randomArray, randomPositions, referenceLayer, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});
afterEach(() => setWasmEnabled(true));

const N = 36, K = 7, L = 3.3;

/** Value and all gradients (features, global, weights) of sum(w * layer(...)) for one implementation. */
function run(impl: 'wasm' | 'ts' | 'composed', F: number, frames: number, hidden: number[], out: number,
  aggregation: 'max' | 'mean' | 'sum', sharedGlobal = false) {
  setWasmEnabled(impl === 'wasm');
  const graph = bruteGraph(randomPositions(N * frames, L, 4), L, K, frames);
  const n = N * frames;
  const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: 2, hidden, outFeatures: out, aggregation, seed: 12,
    kernel: impl === 'composed' ? 'composed' : 'fused' });
  const fT = F > 0 ? tf.tensor2d(randomArray(n * F, 5), [n, F]) : null;
  const gRows = sharedGlobal ? 1 : frames;
  const gT = sharedGlobal ? tf.tensor1d(randomArray(2, 6)) : tf.tensor2d(randomArray(frames * 2, 6), [frames, 2]);
  const w = tf.tensor2d(randomArray(n * out, 7), [n, out]);
  const inputs = [...(fT ? [fT] : []), gT, ...layer.trainableWeights];
  const fn = (...xs: tf.Tensor[]) => tf.sum(tf.mul(layer.apply(graph, fT ? (xs[0] as tf.Tensor2D) : null, xs[fT ? 1 : 0] as tf.Tensor1D | tf.Tensor2D), w));
  const value = tf.tidy(() => layer.apply(graph, fT, gT).dataSync().slice());
  const grads = tf.grads(fn)(inputs);
  const res = { value, grads: grads.map((g) => g.dataSync().slice()) };
  tf.dispose([...grads, w, gT, ...(fT ? [fT] : [])]);
  const ref = referenceLayer(graph, fT ? randomArray(n * F, 5) : null, F, randomArray(gRows * 2, 6), 2,
    layer.trainableWeights.map((v) => v.dataSync() as Float32Array), 'relu', aggregation);
  layer.dispose();
  return { ...res, ref };
}

describe('wasm SIMD kernel', () => {
  test('module loads', () => {
    expect(WasmKernel.get()).not.toBeNull();
  });
  const cases: [number, number, number[], number, 'max' | 'mean' | 'sum', boolean?][] = [
    [16, 3, [32, 32], 32, 'max', true],
    [0, 1, [32, 32], 32, 'max'], [32, 2, [32, 32], 32, 'max'], [4, 1, [8, 12], 16, 'max'],
    [8, 2, [32, 32], 32, 'mean'], [4, 1, [12, 32, 8], 4, 'sum'], [32, 1, [32, 32], 32, 'sum'],
    [6, 1, [64, 48], 32, 'max'], [5, 1, [36, 32], 64, 'max'],
  ];
  for (const [F, frames, hidden, out, agg, shared] of cases) {
    test(`wasm == ts kernel == composed == float64 reference (F=${F}, frames=${frames}${shared ? ' shared global' : ''}, [${hidden}]->${out}, ${agg})`, () => {
      const before = { ...WasmKernel.get()!.calls };
      const a = run('wasm', F, frames, hidden, out, agg, shared);
      expect(WasmKernel.get()!.calls.forward).toBeGreaterThan(before.forward);
      expect(WasmKernel.get()!.calls.backward).toBe(before.backward + 1);
      const mid = { ...WasmKernel.get()!.calls };
      const b = run('ts', F, frames, hidden, out, agg, shared);
      const c = run('composed', F, frames, hidden, out, agg, shared);
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

describe('worker thread (2 threads)', () => {
  test('two-thread results equal one-thread results; the worker exits on request', async () => {
    const { setKernelThreads, waitForKernelWorker } = await import('../src/index');
    const case_ = () => run('wasm', 32, 1, [32, 32], 32, 'max');
    const big = () => {
      // n >= 64 so the job is split
      const graph = bruteGraph(randomPositions(200, 5, 9), 5, 12);
      const l1 = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, seed: 1 });
      const l2 = pbcEdgeConv({ inFeatures: 32, globalFeatures: 1, seed: 2 });
      const g = tf.tensor1d([0.4]);
      const w = tf.tensor2d(randomArray(200 * 32, 3), [200, 32]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(l2.apply(graph, l1.apply(graph, null, g), g), w)) as tf.Scalar);
      const out = [value.dataSync()[0]!, ...[...l1.trainableWeights, ...l2.trainableWeights].map((v) => grads[v.name]!.dataSync().slice())];
      tf.dispose([value, ...Object.values(grads), g, w]);
      l1.dispose(); l2.dispose();
      return out;
    };
    setKernelThreads(1);
    const one = big();
    void case_;
    setKernelThreads(2);
    expect(await waitForKernelWorker(10_000)).toBe(true);
    const c0 = { ...WasmKernel.get()!.calls };
    const two = big();
    expect(WasmKernel.get()!.calls.forward).toBe(c0.forward + 2);
    expect(WasmKernel.get()!.calls.split).toBe(c0.split + 4); // 2 forward + 2 backward jobs ran on the worker
    expect(one[0] as number).toBeCloseTo(two[0] as number, 3);
    for (let i = 1; i < one.length; i++) {
      const a = one[i] as Float32Array, b = two[i] as Float32Array;
      const scale = Math.max(1, ...Array.from(a, Math.abs));
      expect(maxAbsDiff(a, b) / scale, `grad ${i}`).toBeLessThan(1e-5);
    }
    setKernelThreads(1);
    expect(await waitForKernelWorker(100)).toBe(false);
  });
});

describe('arena', () => {
  test('disposed layers release their wasm memory for reuse (no growth over many layers)', () => {
    setWasmEnabled(true);
    const graph = bruteGraph(randomPositions(100, 4, 3), 4, 8);
    const g = tf.tensor1d([0.2]);
    const trainOnce = () => {
      const l = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, seed: 1 });
      const r = tf.variableGrads(() => tf.sum(l.apply(graph, null, g)) as tf.Scalar);
      tf.dispose([r.value, ...Object.values(r.grads)]);
      l.dispose();
    };
    trainOnce();
    const top = WasmKernel.get()!.arena.usage().topBytes;
    for (let i = 0; i < 20; i++) trainOnce();
    expect(WasmKernel.get()!.arena.usage().topBytes).toBe(top);
    g.dispose();
  });
});

describe('arena limit', () => {
  test('falls back to the TypeScript kernel (same results) when the arena cannot grow', () => {
    setWasmEnabled(true);
    const k = WasmKernel.get()!;
    const graph = bruteGraph(randomPositions(50, 3, 8), 3, 6);
    const g = tf.tensor1d([0.3]);
    const l = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, seed: 4 });
    const grad = () => {
      const r = tf.variableGrads(() => tf.sum(l.apply(graph, null, g)) as tf.Scalar);
      const out = l.trainableWeights.map((v) => r.grads[v.name]!.dataSync().slice());
      tf.dispose([r.value, ...Object.values(r.grads)]);
      return out;
    };
    const ref = grad();
    const region = k.arena.region.bind(k.arena);
    let refused = 0;
    (k.arena as unknown as { region: (key: string, bytes: number) => number }).region = (key, bytes) => {
      if (key === 'call.A') { refused++; throw new RangeError('test: arena full'); }
      return region(key, bytes);
    };
    try {
      const before = k.calls.backward;
      const got = grad();
      expect(refused).toBeGreaterThan(0);
      expect(k.calls.backward).toBe(before); // backward ran on the TypeScript kernel
      got.forEach((a, i) => expect(maxAbsDiff(a, ref[i]!)).toBeLessThan(1e-4));
    } finally {
      delete (k.arena as unknown as { region?: unknown }).region;
    }
    l.dispose();
    g.dispose();
  });
});
