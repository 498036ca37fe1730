import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@mddm/schedules';
import { ModelError, createDenoiser, createTransolver, energyDenoiserFromSpec, loadDenoiser, sample, saveDenoiser, selectBackend, train } from '../src/index';

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

  describe('centroidInput: positions relative to the frame centroid in the first layer', () => {
    const tiny = { k: 4, layers: 1, width: 4, hidden: [4], headHidden: [8], seed: 3 };
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>, idx?: number[]) =>
      Math.max(...(idx ?? Array.from({ length: a.length / 3 }, (_, i) => i)).flatMap((i) => [0, 1, 2].map((c) => Math.abs(a[3 * i + c] - b[3 * i + c]))));

    it('gives the first layer x_i - mean(x) per frame (checked by direct sums) and 3 more input features', () => {
      const d = createDenoiser({ ...tiny, centroidInput: true });
      const plain = createDenoiser(tiny);
      expect(d.layers[0].config.inFeatures).toBe(3);
      expect(d.countParams()).toBeGreaterThan(plain.countParams());
      const x = cloud(2 * 20, 4).map((v, i) => v + (i < 60 ? 5 : -2));
      const g = d.buildGraph(x, null, 2);
      for (let f = 0; f < 2; f++) for (let c = 0; c < 3; c++) {
        let mean = 0;
        for (let i = 0; i < 20; i++) mean += x[3 * (20 * f + i) + c] / 20;
        for (let i = 0; i < 20; i++) expect(g.nodeInput![3 * (20 * f + i) + c]).toBeCloseTo(x[3 * (20 * f + i) + c] - mean, 5);
      }
      expect(plain.buildGraph(x, null, 2).nodeInput).toBeUndefined();
      d.dispose();
      plain.dispose();
    });

    it('stays translation invariant but sees the centroid: moving one far particle changes the output of particles that never had it as a neighbour', () => {
      const d = createDenoiser({ ...tiny, centroidInput: true });
      const plain = createDenoiser(tiny);
      const x = cloud(30, 5);
      const shifted = x.map((v, i) => v + [3.5, -7, 11][i % 3]);
      expect(maxDiff(d.predict(x, null, 0.4), d.predict(shifted, null, 0.4))).toBeLessThan(1e-4);
      // particle 0 goes far away; the others whose 4 neighbours never included it see the same patch
      const moved = Float64Array.from(x);
      moved[0] += 40;
      const before = d.buildGraph(x, null, 1).indices;
      const untouched = Array.from({ length: 29 }, (_, i) => i + 1).filter((i) => ![0, 1, 2, 3].some((j) => before[4 * i + j] === 0));
      expect(untouched.length).toBeGreaterThan(10);
      expect(maxDiff(plain.predict(x, null, 0.4), plain.predict(moved, null, 0.4), untouched)).toBeLessThan(1e-5);
      expect(maxDiff(d.predict(x, null, 0.4), d.predict(moved, null, 0.4), untouched)).toBeGreaterThan(1e-3);
      d.dispose();
      plain.dispose();
    });

    it('rejects a periodic box, a mismatched first layer and the energy parameterisation', () => {
      const d = createDenoiser({ ...tiny, centroidInput: true });
      const err = (f: () => unknown) => { try { f(); } catch (e) { return e as ModelError; } throw new Error('no error'); };
      const e1 = err(() => d.predict(cloud(10, 1).map((v) => 5 + v), 10, 0.5));
      expect(e1).toBeInstanceOf(ModelError);
      expect(e1.code).toBe('MODEL_BAD_INPUT');
      expect(e1.message).toMatch(/no centre/);
      const spec = d.toSpec();
      expect(spec.centroidInput).toBe(true);
      const e2 = err(() => energyDenoiserFromSpec({ ...spec, kind: 'energy', timeEncoding: 'log-sigma', sigmaRangeLj: [0.01, 1] }));
      expect(e2.code).toBe('MODEL_BAD_CONFIG');
      expect(e2.message).toMatch(/centroidInput/);
      const plain = createDenoiser(tiny);
      const plainSpec = plain.toSpec();
      plain.dispose();
      const e3 = err(() => energyDenoiserFromSpec({ ...plainSpec, centroidInput: true, kind: 'energy', timeEncoding: 'log-sigma', sigmaRangeLj: [0.01, 1] }));
      expect(e3.code).toBe('MODEL_BAD_CONFIG');
      expect(e3.message).toMatch(/layers\[0\]\.inFeatures must be 3/);
      d.dispose();
    });

    it('trains and samples without leaking tensors, and survives a checkpoint round trip', async () => {
      const d = createDenoiser({ ...tiny, centroidInput: true });
      const data = [{ positions: cloud(30, 1), box: null }, { positions: cloud(30, 2), box: null }];
      await train(d, { data, steps: 2, batchSize: 2 });
      const before = tf.memory().numTensors;
      await train(d, { data, steps: 3, batchSize: 2, resume: false });
      const r = await sample(d, { n: 30, box: null, steps: 4 });
      expect(tf.memory().numTensors).toBe(before);
      expect(r.positions[0].every(Number.isFinite)).toBe(true);
      const dir = await mkdtemp(join(tmpdir(), 'mddm-centroid-'));
      try {
        await saveDenoiser(d, join(dir, 'ckpt'));
        const loaded = await loadDenoiser(join(dir, 'ckpt'));
        const x = cloud(30, 9);
        expect(maxDiff(loaded.predict(x, null, 0.3), d.predict(x, null, 0.3))).toBe(0);
        loaded.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      d.dispose();
    });
  });
});
