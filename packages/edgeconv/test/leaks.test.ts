import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { pbcEdgeConv } from '../src/index';
import { bruteGraph, randomArray, randomPositions, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('no tensor leaks', () => {
  const N = 16, K = 4;
  const graph = bruteGraph(randomPositions(N, 2.5, 5), 2.5, K);
  for (const [kernel, calls] of [['fused', 1000], ['composed', 200]] as const) {
    test(`${kernel}: numTensors unchanged after ${calls} forward+backward calls`, () => {
      const l1 = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, hidden: [8, 8], outFeatures: 8, kernel, seed: 1 });
      const l2 = pbcEdgeConv({ inFeatures: 8, globalFeatures: 1, hidden: [8, 8], outFeatures: 8, kernel, seed: 2 });
      const g = tf.tensor1d([0.5]);
      const target = tf.tensor2d(randomArray(N * 8, 3), [N, 8]);
      const opt = tf.train.adam(1e-3);
      const step = () => {
        const cost = opt.minimize(() => tf.mean(tf.squaredDifference(l2.apply(graph, l1.apply(graph, null, g), g), target)) as tf.Scalar, true);
        cost!.dispose();
      };
      step(); // optimizer slots are created on the first step
      const before = tf.memory().numTensors;
      for (let i = 0; i < calls; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      // inference outside a tape leaks nothing either
      for (let i = 0; i < 10; i++) {
        const h = l1.apply(graph, null, g);
        l2.apply(graph, h, g).dispose();
        h.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      l1.dispose(); l2.dispose(); g.dispose(); target.dispose();
    });
  }
});
