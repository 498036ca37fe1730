import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@mddm/schedules';
import { createDenoiser, createTransolver, sample, selectBackend, train } from '../src/index';

beforeAll(async () => {
  await selectBackend('wasm');
});

function cloud(n: number, seed: number): Float64Array {
  const x = new Float64Array(3 * n);
  createRng(seed).fillNormal(x);
  return x;
}

/** Brute force: all distances, sorted by (distance, index), self excluded. Independent of @mddm/edgeconv. */
function bruteKnn(x: Float64Array, frames: number, k: number): { indices: number[]; vectors: number[] } {
  const n = x.length / 3, per = n / frames;
  const indices: number[] = [], vectors: number[] = [];
  for (let i = 0; i < n; i++) {
    const lo = Math.floor(i / per) * per;
    const cand: [number, number][] = [];
    for (let j = lo; j < lo + per; j++) if (j !== i) cand.push([(x[3 * j] - x[3 * i]) ** 2 + (x[3 * j + 1] - x[3 * i + 1]) ** 2 + (x[3 * j + 2] - x[3 * i + 2]) ** 2, j]);
    cand.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, j] of cand.slice(0, k)) {
      indices.push(j);
      for (let c = 0; c < 3; c++) vectors.push(x[3 * j + c] - x[3 * i + c]);
    }
  }
  return { indices, vectors };
}

describe('non-periodic diffusion (box: null)', () => {
  it('MDDM builds the Euclidean kNN graph of point clouds, equal to brute force (batched frames, far outside any box)', () => {
    const d = createDenoiser({ k: 5, layers: 1, width: 4, hidden: [4], headHidden: [4] });
    const x = cloud(2 * 40, 3).map((v) => 50 * v);
    const g = d.buildGraph(x, null, 2);
    const ref = bruteKnn(x, 2, 5);
    expect(Array.from(g.indices)).toEqual(ref.indices);
    g.vectors.forEach((v, i) => expect(v).toBeCloseTo(ref.vectors[i], 3));
    d.dispose();
  });

  it('sample re-centres after every step for translation-invariant models (centroid 0), not for Transolver', async () => {
    const m = createDenoiser({ k: 4, layers: 1, width: 4, hidden: [4], headHidden: [8] });
    const t = createTransolver({ hidden: 8, layers: 1, heads: 2, slices: 2 });
    for (const [d, recentred] of [[m, true], [t, false]] as const) {
      const centroids: number[] = [];
      const r = await sample(d, {
        n: 20, box: null, count: 2, steps: 8,
        afterStep: (x) => {
          for (let f = 0; f < 2; f++) for (let c = 0; c < 3; c++) {
            let s = 0;
            for (let i = 0; i < 20; i++) s += x[(f * 20 + i) * 3 + c];
            centroids.push(Math.abs(s / 20));
          }
        },
      });
      expect(r.periodic).toBe(false);
      expect(centroids.length).toBe(8 * 6);
      if (recentred) expect(Math.max(...centroids)).toBeLessThan(1e-12);
      else expect(Math.max(...centroids)).toBeGreaterThan(1e-6);
    }
    m.dispose();
    t.dispose();
  });

  it('trains on point clouds (no wrap, no augmentation; augment: true and score target are rejected)', async () => {
    const d = createDenoiser({ k: 4, layers: 1, width: 4, hidden: [4], headHidden: [8] });
    const data = [{ positions: cloud(30, 1), box: null }];
    const r = await train(d, { data, steps: 3, batchSize: 2 });
    expect(r.steps).toBe(3);
    expect(d.training?.periodic).toBe(false);
    await expect(train(d, { data, steps: 1, augment: true })).rejects.toThrow(/augment/);
    await expect(train(d, { data, steps: 1, target: 'score' })).rejects.toThrow(/score/);
    await expect(train(d, { data: [...data, { positions: cloud(30, 2), box: 10 }], steps: 1 })).rejects.toThrow(/mix/);
    d.dispose();
  });
});
