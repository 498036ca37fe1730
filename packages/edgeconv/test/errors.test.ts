import * as tf from '@tensorflow/tfjs-core';
import { MddmError } from '@mddm/pbc';
import { beforeAll, describe, expect, test } from 'vitest';
import { EdgeConvError, pbcEdgeConv, setKernelThreads } from '../src/index';
import { bruteGraph, randomPositions, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 12, K = 3;
const graph = bruteGraph(randomPositions(N, 2, 1), 2, K);

function expectCode(fn: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(EdgeConvError);
  expect(err).toBeInstanceOf(MddmError);
  expect((err as EdgeConvError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

describe('bad input -> typed errors', () => {
  const layer = pbcEdgeConv({ inFeatures: 4, globalFeatures: 2, seed: 1 });
  const first = pbcEdgeConv({ inFeatures: 0, globalFeatures: 2, seed: 1 });
  const g = tf.tensor1d([0.1, 0.2]);
  test('features', () => {
    expectCode(() => layer.apply(graph, tf.zeros([N, 5]) as tf.Tensor2D, g), 'EDGECONV_BAD_FEATURES', /\[12, 4\], got \[12, 5\]/);
    expectCode(() => layer.apply(graph, tf.zeros([N + 1, 4]) as tf.Tensor2D, g), 'EDGECONV_BAD_FEATURES', /got \[13, 4\]/);
    expectCode(() => layer.apply(graph, null, g), 'EDGECONV_BAD_FEATURES', /features must be a tf.Tensor2D \[n, 4\], got null/);
    expectCode(() => first.apply(graph, tf.zeros([N, 4]) as tf.Tensor2D, g), 'EDGECONV_BAD_FEATURES', /must be null for a first layer/);
    expectCode(() => layer.apply(graph, tf.zeros([N, 4], 'int32') as tf.Tensor2D, g), 'EDGECONV_BAD_FEATURES', /float32, got int32/);
    const nan = tf.tensor2d(new Float32Array(N * 4).fill(0.5).map((v, i) => (i === 9 ? NaN : v)), [N, 4]);
    expectCode(() => layer.apply(graph, nan, g), 'EDGECONV_BAD_FEATURES', /features\[9\] \(flat\) = NaN must be finite/);
  });
  test('global', () => {
    const f = tf.zeros([N, 4]) as tf.Tensor2D;
    expectCode(() => layer.apply(graph, f, tf.tensor1d([1, 2, 3])), 'EDGECONV_BAD_GLOBAL', /\[2\] or \[frames, 2\].*got \[3\]/);
    expectCode(() => layer.apply(graph, f, tf.zeros([3, 2]) as tf.Tensor2D), 'EDGECONV_BAD_GLOBAL', /got \[3, 2\]/);
    expectCode(() => layer.apply(graph, f, tf.tensor1d([Infinity, 0])), 'EDGECONV_BAD_GLOBAL', /= Infinity must be finite/);
    expectCode(() => layer.apply(graph, f, [0.1, 0.2] as unknown as tf.Tensor1D), 'EDGECONV_BAD_GLOBAL', /must be a tf.Tensor/);
  });
  test('graph', () => {
    const f = tf.zeros([N, 4]) as tf.Tensor2D;
    const idx = graph.indices.slice(); idx[3] = N;
    expectCode(() => layer.apply({ ...graph, indices: idx }, f, g), 'EDGECONV_BAD_GRAPH', /indices\[3\] = 12/);
    expectCode(() => layer.apply({ ...graph, vectors: new Float32Array(5) }, f, g), 'EDGECONV_BAD_GRAPH', /vectors must be a Float32Array of length n\*k\*3 = 108/);
    expectCode(() => layer.apply(null as never, f, g), 'EDGECONV_BAD_GRAPH', /EdgeGraph object, got null/);
  });
  test('config', () => {
    expectCode(() => pbcEdgeConv({ inFeatures: -1, globalFeatures: 1 }), 'EDGECONV_BAD_CONFIG', /inFeatures must be an integer >= 0, got -1/);
    expectCode(() => pbcEdgeConv({ inFeatures: 0, globalFeatures: 1.5 }), 'EDGECONV_BAD_CONFIG', /globalFeatures.*got 1.5/);
    expectCode(() => pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, hidden: [32, 0] }), 'EDGECONV_BAD_CONFIG', /hidden.*\[32, 0\]/);
    expectCode(() => pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, activation: 'gelu' as never }), 'EDGECONV_BAD_CONFIG', /"gelu"/);
    expectCode(() => pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, aggregation: 'min' as never }), 'EDGECONV_BAD_CONFIG', /"min"/);
    expectCode(() => pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, kernel: 'gpu' as never }), 'EDGECONV_BAD_CONFIG', /"gpu"/);
  });
  test('thread count', () => {
    expectCode(() => setKernelThreads(3), 'EDGECONV_BAD_THREADS', /^setKernelThreads: threads must be 1 or 2, got 3$/);
    expectCode(() => setKernelThreads(1.5), 'EDGECONV_BAD_THREADS', /got 1.5/);
  });
  test('weights and dispose', () => {
    const l = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, seed: 3 });
    const w = l.getWeights();
    expectCode(() => l.setWeights(w.slice(1)), 'EDGECONV_BAD_WEIGHTS', /expected 6 tensors/);
    expectCode(() => l.setWeights([tf.zeros([3, 32]), ...w.slice(1)]), 'EDGECONV_BAD_WEIGHTS', /weights\[0\] must be a float32 tensor of shape \[4, 32\], got float32 \[3, 32\]/);
    tf.dispose(w);
    l.dispose();
    expectCode(() => l.apply(graph, null, tf.tensor1d([0])), 'EDGECONV_DISPOSED', /after dispose/);
  });
});

describe('config, parameters and weights', () => {
  test('paper stack parameter counts (first layer 2272, others 4320; 82,435 with the output MLP)', () => {
    const first = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1 });
    const other = pbcEdgeConv({ inFeatures: 32, globalFeatures: 1 });
    expect(first.countParams()).toBe((3 + 1) * 32 + 32 + 2 * (32 * 32 + 32));
    expect(other.countParams()).toBe((3 + 64 + 1) * 32 + 32 + 2 * (32 * 32 + 32));
    const outMlp = 257 * 128 + 128 + 128 * 128 + 128 + 128 * 3 + 3;
    expect(first.countParams() + 7 * other.countParams() + outMlp).toBe(82435);
    first.dispose(); other.dispose();
  });
  test('deterministic init from the seed; getConfig round-trips; setWeights copies', () => {
    const a = pbcEdgeConv({ inFeatures: 2, globalFeatures: 1, seed: 5, name: 'a' });
    const b = pbcEdgeConv(a.getConfig());
    const c = pbcEdgeConv({ ...a.getConfig(), seed: 6 });
    expect(JSON.parse(JSON.stringify(a.getConfig()))).toEqual(b.getConfig());
    const wa = a.getWeights(), wb = b.getWeights(), wc = c.getWeights();
    expect(Array.from(wa[0]!.dataSync())).toEqual(Array.from(wb[0]!.dataSync()));
    expect(Array.from(wa[0]!.dataSync())).not.toEqual(Array.from(wc[0]!.dataSync()));
    // He-uniform bound on the first kernel, zero biases
    const lim = Math.sqrt(6 / (3 + 4 + 1));
    expect(Math.max(...wa[0]!.dataSync())).toBeLessThanOrEqual(lim);
    expect(Math.max(...wa[0]!.dataSync())).toBeGreaterThan(0.8 * lim);
    expect(Array.from(wa[1]!.dataSync()).every((v) => v === 0)).toBe(true);
    c.setWeights(wa);
    tf.dispose(wa);
    expect(Array.from(c.trainableWeights[0]!.dataSync())).toEqual(Array.from(wb[0]!.dataSync()));
    tf.dispose([...wb, ...wc]);
    [a, b, c].forEach((l) => l.dispose());
  });
});
