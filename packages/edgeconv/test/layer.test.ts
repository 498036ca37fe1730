import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { EdgeConvError, pbcEdgeConv } from '../src/index';
import type { PbcEdgeConvConfig } from '../src/index';
import { bruteGraph, maxAbsDiff, randomArray, randomPositions, referenceLayer, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 40, K = 6, L = 3.2;
const graph = bruteGraph(randomPositions(N, L, 1), L, K);

function weightsOf(layer: ReturnType<typeof pbcEdgeConv>): Float32Array[] {
  return layer.trainableWeights.map((v) => v.dataSync() as Float32Array);
}

describe('forward matches an independent unfactorized float64 reference', () => {
  for (const kernel of ['composed', 'fused'] as const) {
    for (const activation of ['relu', 'silu', 'tanh'] as const) {
      for (const aggregation of ['max', 'mean', 'sum'] as const) {
        test(`${kernel} ${activation} ${aggregation}`, () => {
          const F = 5, G = 2;
          const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: G, hidden: [8, 7], outFeatures: 6, activation,
            aggregation, kernel, seed: 3 });
          const fData = randomArray(N * F, 11);
          const gData = randomArray(G, 12);
          const out = tf.tidy(() => layer.apply(graph, tf.tensor2d(fData, [N, F]), tf.tensor1d(gData)));
          const ref = referenceLayer(graph, fData, F, gData, G, weightsOf(layer), activation, aggregation);
          expect(out.shape).toEqual([N, 6]);
          expect(maxAbsDiff(out.dataSync(), ref)).toBeLessThan(1e-4);
          out.dispose();
          layer.dispose();
        });
      }
    }
  }
  test('first layer (inFeatures 0) sees [dx || g]; per-frame global features', () => {
    const frames = 2;
    const x = randomPositions(2 * N, L, 5);
    const g2 = bruteGraph(x, L, K, frames);
    for (const kernel of ['composed', 'fused'] as const) {
      const layer = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, kernel, seed: 9 });
      const gData = new Float32Array([0.25, 0.75]);
      const out = layer.apply(g2, null, tf.tensor2d(gData, [2, 1]));
      const ref = referenceLayer(g2, null, 0, gData, 1, weightsOf(layer), 'relu', 'max');
      expect(maxAbsDiff(out.dataSync(), ref)).toBeLessThan(1e-4);
      // frames differ only through g: a [G] global equals [frames, G] with identical rows
      const a = layer.apply(g2, null, tf.tensor1d([0.25]));
      const b = layer.apply(g2, null, tf.tensor2d([0.25, 0.25], [2, 1]));
      expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
      layer.dispose();
    }
  });
});

describe('gradients', () => {
  const cases: [string, Partial<PbcEdgeConvConfig>][] = [
    ['relu max', {}], ['silu mean', { activation: 'silu', aggregation: 'mean' }],
    ['tanh sum', { activation: 'tanh', aggregation: 'sum' }],
  ];
  for (const [label, extra] of cases) {
    test(`fused == composed for all weights, features and global (${label})`, () => {
      const F = 4, G = 2;
      const fT = tf.tensor2d(randomArray(N * F, 21), [N, F]);
      const gT = tf.tensor1d(randomArray(G, 22));
      const w = tf.tensor2d(randomArray(N * 5, 23), [N, 5]);
      const grads = (kernel: 'fused' | 'composed') => {
        const layer = pbcEdgeConv({ inFeatures: F, globalFeatures: G, hidden: [6, 7], outFeatures: 5, kernel, seed: 4, ...extra });
        const lossFn = (f: tf.Tensor, g: tf.Tensor, ...ws: tf.Tensor[]) => {
          void ws;
          return tf.sum(tf.mul(layer.apply(graph, f as tf.Tensor2D, g as tf.Tensor1D), w));
        };
        const all = tf.grads(lossFn)([fT, gT, ...layer.trainableWeights]);
        const vg = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(graph, fT, gT), w)) as tf.Scalar);
        const res = {
          df: all[0]!.dataSync().slice(), dg: all[1]!.dataSync().slice(),
          dW: layer.trainableWeights.map((v) => vg.grads[v.name]!.dataSync().slice()),
        };
        tf.dispose(all); tf.dispose(vg.value); tf.dispose(Object.values(vg.grads));
        layer.dispose();
        return res;
      };
      const a = grads('fused'), b = grads('composed');
      expect(maxAbsDiff(a.df, b.df)).toBeLessThan(1e-4);
      expect(maxAbsDiff(a.dg, b.dg)).toBeLessThan(1e-3);
      a.dW.forEach((d, i) => expect(maxAbsDiff(d, b.dW[i]!), `weight ${i}`).toBeLessThan(1e-3));
      expect(a.dW.every((d) => d.some((v) => v !== 0))).toBe(true);
      tf.dispose([fT, gT, w]);
    });
  }
});

describe('registered matMul gradient (explicit transposes)', () => {
  test('the registered BatchMatMul gradient is the explicit-transpose one', async () => {
    const { fastBatchMatMulGradConfig } = await import('../src/gradients');
    expect(tf.getGradient('BatchMatMul')).toBe(fastBatchMatMulGradConfig);
  });
  test('all four transpose combinations match the closed form', () => {
    const A = tf.tensor2d(randomArray(12, 1), [3, 4]), B = tf.tensor2d(randomArray(20, 2), [4, 5]);
    const W = tf.tensor2d(randomArray(15, 3), [3, 5]);
    const a = A.arraySync(), b = B.arraySync(), w = W.arraySync();
    // closed form for loss = sum(W * (A B)): dA = W B^T [3,4], dB = A^T W [4,5]
    const dA = a.map((_, i) => b.map((_, k) => w[i]!.reduce((s, wij, j) => s + wij * b[k]![j]!, 0)));
    const dB = b.map((_, k) => w[0]!.map((_, j) => a.reduce((s, ai, i) => s + ai[k]! * w[i]![j]!, 0)));
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const x = ta ? tf.transpose(A) : A, y = tb ? tf.transpose(B) : B;
      const [gx, gy] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), W)))([x, y]);
      const gA = ta ? tf.transpose(gx!) : gx!, gB = tb ? tf.transpose(gy!) : gy!;
      expect(maxAbsDiff(gA.dataSync(), dA.flat())).toBeLessThan(1e-5);
      expect(maxAbsDiff(gB.dataSync(), dB.flat())).toBeLessThan(1e-5);
    }
  });
});
