import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { pbcEdgeConv } from '../src/index';
import { bruteGraph, maxAbsDiff, randomArray, randomPositions, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm backend', () => {
  test('fused == composed (values and gradients), no leaks', () => {
    expect(tf.getBackend()).toBe('wasm');
    const N = 30, K = 5, F = 4;
    const graph = bruteGraph(randomPositions(N, 3, 2), 3, K);
    const fT = tf.tensor2d(randomArray(N * F, 3), [N, F]);
    const gT = tf.tensor1d([0.3]);
    const w = tf.tensor2d(randomArray(N * 32, 4), [N, 32]);
    const run = (kernel: 'fused' | 'composed') => {
      const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: 1, kernel, seed: 8 });
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(graph, fT, gT), w)) as tf.Scalar);
      const out = [value.dataSync()[0]!, ...layer.trainableWeights.map((v) => grads[v.name]!.dataSync().slice())] as const;
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      layer.dispose();
      return out;
    };
    const a = run('fused'), b = run('composed');
    expect(Math.abs((a[0] as number) - (b[0] as number))).toBeLessThan(1e-3 * Math.max(1, Math.abs(b[0] as number)));
    for (let i = 1; i < a.length; i++) expect(maxAbsDiff(a[i] as Float32Array, b[i] as Float32Array)).toBeLessThan(1e-3);
    tf.dispose([fT, gT, w]);
  });
});
