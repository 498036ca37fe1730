import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildGraph, pbcEdgeConv } from '../src/index';
import type { EdgeGraph, PbcEdgeConv } from '../src/index';
import { maxAbsDiff, randomPositions, useBackend } from './helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const N = 60, K = 8, L = 4;
const G = 1;

/** Two stacked layers (first + second), like the model's start. Returns [N, 32] values. */
function stack(layers: PbcEdgeConv[], graph: EdgeGraph, t = 0.3): Float32Array {
  return tf.tidy(() => {
    const g = tf.tensor1d([t]);
    let f: tf.Tensor2D | null = null;
    for (const layer of layers) f = layer.apply(graph, f, g);
    return f!.dataSync() as Float32Array;
  });
}

function makeLayers(kernel: 'fused' | 'composed' = 'fused'): PbcEdgeConv[] {
  return [pbcEdgeConv({ inFeatures: 0, globalFeatures: G, seed: 1, kernel }),
    pbcEdgeConv({ inFeatures: 32, globalFeatures: G, seed: 2, kernel })];
}

const x0 = randomPositions(N, L, 3);

describe('symmetries', () => {
  test('translation invariance (property): translate + wrap leaves outputs unchanged to 1e-5', () => {
    const layers = makeLayers();
    const base = stack(layers, buildGraph(x0, L, K));
    fc.assert(fc.property(
      fc.tuple(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true })),
      (t) => {
        const x = new Float64Array(3 * N);
        for (let i = 0; i < 3 * N; i++) {
          const v = x0[i]! + t[i % 3]!;
          x[i] = v - L * Math.floor(v / L);
        }
        const out = stack(layers, buildGraph(x, L, K));
        return maxAbsDiff(out, base) <= 1e-5;
      }), { numRuns: 25, seed: 42 });
    layers.forEach((l) => l.dispose());
  });

  test('permutation equivariance: permuting particles permutes output rows (max: exactly)', () => {
    for (const kernel of ['fused', 'composed'] as const) {
      const layers = makeLayers(kernel);
      const base = stack(layers, buildGraph(x0, L, K));
      const perm = Array.from({ length: N }, (_, i) => (i * 37 + 11) % N); // a bijection (gcd(37, 60) = 1)
      const x = new Float64Array(3 * N);
      perm.forEach((p, i) => x.set(x0.subarray(3 * p, 3 * p + 3), 3 * i)); // new particle i = old p
      const out = stack(layers, buildGraph(x, L, K));
      let m = 0;
      perm.forEach((p, i) => { m = Math.max(m, maxAbsDiff(out.subarray(32 * i, 32 * i + 32), base.subarray(32 * p, 32 * p + 32))); });
      expect(m).toBe(0);
      layers.forEach((l) => l.dispose());
    }
  });

  test('cube symmetries: graph invariant, vectors rotate, layer(R x; W) == layer(x; W with Wd -> R^T Wd)', () => {
    const layers = makeLayers();
    const g0 = buildGraph(x0, L, K);
    const base = stack(layers, g0);
    const saved = layers.map((l) => l.getWeights());
    let changed = 0;
    let count = 0;
    for (const axes of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
      for (let flips = 0; flips < 8; flips++) {
        count++;
        // R: new coordinate c = (flip_c ? L - x[axes[c]] : x[axes[c]]);  dx'_c = sign_c dx_{axes[c]}
        const sign = [0, 1, 2].map((c) => ((flips >> c) & 1 ? -1 : 1));
        const x = new Float64Array(3 * N);
        for (let i = 0; i < N; i++) {
          for (let c = 0; c < 3; c++) {
            const v = x0[3 * i + axes[c]!]!;
            x[3 * i + c] = sign[c] === 1 ? v : (L - v) % L;
          }
        }
        const g = buildGraph(x, L, K);
        // same neighbor lists (sorted by distance, distances preserved), rotated vectors
        expect(Array.from(g.indices)).toEqual(Array.from(g0.indices));
        let mv = 0;
        for (let e = 0; e < g.n * g.k; e++) {
          for (let c = 0; c < 3; c++) mv = Math.max(mv, Math.abs(g.vectors[3 * e + c]! - sign[c]! * g0.vectors[3 * e + axes[c]!]!));
        }
        expect(mv).toBeLessThan(1e-5);
        const out = stack(layers, g);
        if (maxAbsDiff(out, base) > 1e-3) changed++;
        // every layer: dx rows of the first kernel for the original frame, Wd_eff[axes[c]] = sign_c Wd[c] (R^T Wd)
        layers.forEach((layer, li) => {
          const W = saved[li]!;
          const wd = W[0]!.dataSync();
          const eff = Float32Array.from(wd);
          for (let c = 0; c < 3; c++) {
            for (let h = 0; h < 32; h++) eff[axes[c]! * 32 + h] = sign[c]! * wd[c * 32 + h]!;
          }
          const rotated = [tf.tensor2d(eff, W[0]!.shape as [number, number]), ...W.slice(1)];
          layer.setWeights(rotated);
          rotated[0]!.dispose();
        });
        const outOrig = stack(layers, g0);
        layers.forEach((layer, li) => layer.setWeights(saved[li]!));
        expect(maxAbsDiff(out, outOrig)).toBeLessThan(1e-5);
      }
    }
    expect(count).toBe(48);
    // h is not rotation invariant: every non-identity symmetry changes the raw output
    expect(changed).toBe(47);
    saved.forEach((w) => tf.dispose(w));
    layers.forEach((l) => l.dispose());
  });
});
