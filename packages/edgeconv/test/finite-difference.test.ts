import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { pbcEdgeConv } from '../src/index';
import type { Activation, Aggregation } from '../src/index';
import { WasmKernel } from '../src/wasmKernel';
import { bruteGraph, randomArray, randomPositions, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 24, K = 5, L = 3;
const graph = bruteGraph(randomPositions(N, L, 31), L, K);
const F = 3, G = 2, O = 4;

/**
 * Directional finite differences of loss = sum(w * layer(f, g)) along a random direction, per input
 * group (features, global, each weight), against the fused kernel's analytic gradient.
 * Central differences in float32 with step eps; relative tolerance.
 */
function check(activation: Activation, aggregation: Aggregation, kernel: 'fused' | 'composed',
  hidden = [6, 5], eps = 1e-3) {
  const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: G, hidden, outFeatures: O, activation, aggregation,
    kernel, seed: 77 });
  const fData = randomArray(N * F, 1), gData = randomArray(2 * G, 2);
  const frames2 = bruteGraph(randomPositions(N, L, 31), L, K, 2); // 2 frames: per-frame global rows
  const wOut = tf.tensor2d(randomArray(N * O, 3), [N, O]);
  const base = layer.getWeights().map((t) => { const d = (t.dataSync() as Float32Array).slice(); t.dispose(); return d; });
  const shapes = layer.trainableWeights.map((v) => v.shape);
  const loss = (f: Float32Array, g: Float32Array, ws: Float32Array[]): number => {
    const wt = ws.map((w, i) => tf.tensor(w, shapes[i]));
    layer.setWeights(wt);
    tf.dispose(wt);
    return tf.tidy(() => tf.sum(tf.mul(layer.apply(frames2, tf.tensor2d(f, [N, F]), tf.tensor2d(g, [2, G])), wOut)).dataSync()[0]!);
  };
  // analytic
  const fT = tf.tensor2d(fData, [N, F]), gT = tf.tensor2d(gData, [2, G]);
  const grads = tf.grads((f: tf.Tensor, g: tf.Tensor, ..._w: tf.Tensor[]) =>
    tf.sum(tf.mul(layer.apply(frames2, f as tf.Tensor2D, g as tf.Tensor2D), wOut)))([fT, gT, ...layer.trainableWeights]);
  const analytic = grads.map((t) => t.dataSync().slice());
  tf.dispose([...grads, fT, gT]);
  const groups = [fData, gData, ...base];
  const errors: number[] = [];
  groups.forEach((arr, gi) => {
    const dir = randomArray(arr.length, 100 + gi);
    const plus = groups.map((a) => a.slice()), minus = groups.map((a) => a.slice());
    for (let i = 0; i < arr.length; i++) { plus[gi]![i]! += eps * dir[i]!; minus[gi]![i]! -= eps * dir[i]!; }
    const fd = (loss(plus[0]!, plus[1]!, plus.slice(2)) - loss(minus[0]!, minus[1]!, minus.slice(2))) / (2 * eps);
    let an = 0;
    for (let i = 0; i < arr.length; i++) an += analytic[gi]![i]! * dir[i]!;
    errors.push(Math.abs(fd - an) / Math.max(1, Math.abs(an)));
  });
  layer.dispose();
  wOut.dispose();
  return errors;
}

describe('gradients vs central finite differences (features, global, every weight)', () => {
  for (const kernel of ['fused', 'composed'] as const) {
    for (const [act, agg] of [['tanh', 'sum'], ['silu', 'mean'], ['relu', 'max']] as const) {
      test(`${kernel} ${act} ${agg}`, () => {
        const errs = check(act, agg, kernel);
        expect(errs.length).toBe(2 + 6);
        for (const [i, e] of errs.entries()) expect(e, `group ${i}`).toBeLessThan(5e-3);
      });
    }
  }
  for (const agg of ['max', 'sum'] as const) {
    test(`fused, wasm SIMD kernel (widths multiple of 4), relu ${agg}`, () => {
      const before = WasmKernel.get()!.calls.backward;
      // smaller step: with [8, 12] widths a 1e-3 step crosses a relu/max kink for the features group
      // (all three implementations then disagree with the difference quotient alike)
      const errs = check('relu', agg, 'fused', [8, 12], 2e-4);
      expect(WasmKernel.get()!.calls.backward).toBe(before + 1);
      for (const [i, e] of errs.entries()) expect(e, `group ${i}`).toBeLessThan(5e-3);
    });
  }
});
