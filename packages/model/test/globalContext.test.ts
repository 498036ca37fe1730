import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { ModelError, composeDenoiser, denoiserFromSpec, loadDenoiser, mlpHead, saveDenoiser, selectBackend, type Denoiser } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const withContext = () => tinyDenoiser({ globalContext: true });

/** Gives every context MLP random weights (they start at zero) so the context path acts. */
function randomiseContext(d: Denoiser, seed = 7): void {
  d.context!.forEach((c, i) => c.trainableWeights.forEach((v, j) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed + 10 * i + j)))));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('global context (DenoiserConfig.globalContext)', () => {
  it('adds one W -> W -> W MLP per layer (closed-form parameter count)', () => {
    const d = withContext();
    const plain = tinyDenoiser();
    const W = 8;
    expect(d.context).toHaveLength(2);
    expect(plain.context).toBeNull();
    expect(d.countParams() - plain.countParams()).toBe(2 * (W * W + W + W * W + W));
    d.dispose();
    plain.dispose();
  });

  it('starts as the local network: zero-initialised, the prediction equals the same network without context', () => {
    const x = lattice(4);
    const d = withContext();
    const plain = tinyDenoiser();
    expect(Array.from(d.predict(x, 4, 0.4))).toEqual(Array.from(plain.predict(x, 4, 0.4)));
    d.dispose();
    plain.dispose();
  });

  it('reaches the whole box: moving a particle beyond the local receptive field changes a far prediction only with context', () => {
    // 2 layers over 8 nearest neighbours (<= ~1.5 apart) see ~3 LJ; particle 0 sits ~5.2 (min image) from the corner particle
    const m = 6;
    const x = lattice(m, 0.1, 3);
    const far = ((3 * m + 3) * m + 3) * 3; // particle (3, 3, 3) of the lattice
    const y = x.slice();
    y[far] += 0.05;
    y[far + 1] -= 0.04;
    const plain = tinyDenoiser();
    const d = withContext();
    randomiseContext(d);
    const p0 = plain.predict(x, m, 0.4);
    const p1 = plain.predict(y, m, 0.4);
    expect(maxAbsDiff(p0, p1, 0, 3)).toBe(0);
    const c0 = d.predict(x, m, 0.4);
    const c1 = d.predict(y, m, 0.4);
    expect(maxAbsDiff(c0, c1, 0, 3)).toBeGreaterThan(1e-6);
    plain.dispose();
    d.dispose();
  });

  it('is independent of N: a box tiled 2 x 2 x 2 gives every image the prediction of its original (the mean, not a sum)', () => {
    const m = 4;
    const x = lattice(m, 0.15, 5);
    const n = x.length / 3;
    const tiled = new Float64Array(8 * n * 3);
    let q = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) {
      for (let i = 0; i < n; i++) {
        tiled[q++] = x[3 * i] + a * m;
        tiled[q++] = x[3 * i + 1] + b * m;
        tiled[q++] = x[3 * i + 2] + c * m;
      }
    }
    const d = withContext();
    randomiseContext(d);
    const p = d.predict(x, m, 0.3);
    const t = d.predict(tiled, 2 * m, 0.3);
    let worst = 0;
    for (let copy = 0; copy < 8; copy++) worst = Math.max(worst, maxAbsDiff(p, t.subarray(copy * n * 3, (copy + 1) * n * 3)));
    expect(worst).toBeLessThan(1e-4);
    // a sum over particles would scale with N: the context is visibly active here
    const plain = tinyDenoiser();
    expect(maxAbsDiff(p, plain.predict(x, m, 0.3))).toBeGreaterThan(1e-3);
    d.dispose();
    plain.dispose();
  });

  it('stays permutation equivariant (fast-check over permutations)', () => {
    const x = lattice(4, 0.2, 9);
    const n = x.length / 3;
    const d = withContext();
    randomiseContext(d);
    const p = d.predict(x, 4, 0.5);
    fc.assert(fc.property(fc.array(fc.nat(), { minLength: n, maxLength: n }), (keys) => {
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
      const y = new Float64Array(n * 3);
      order.forEach((src, dst) => y.set(x.subarray(3 * src, 3 * src + 3), 3 * dst));
      const py = d.predict(y, 4, 0.5);
      let worst = 0;
      order.forEach((src, dst) => {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(py[3 * dst + c] - p[3 * src + c]));
      });
      expect(worst).toBeLessThan(1e-5);
    }), { numRuns: 10 });
    d.dispose();
  });

  it('round-trips through its spec and a checkpoint, gets gradients into every context MLP, and leaks no tensors', async () => {
    const x = lattice(4);
    const d = withContext();
    randomiseContext(d);
    const before = d.predict(x, 4, 0.3);
    const e = denoiserFromSpec(JSON.parse(JSON.stringify(d.toSpec())));
    const w = d.getWeights();
    e.setWeights(w);
    w.forEach((t) => t.dispose());
    expect(Array.from(e.predict(x, 4, 0.3))).toEqual(Array.from(before));
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'mddm-context-'));
    await saveDenoiser(d, join(dir, 'ckpt'));
    const loaded = await loadDenoiser(join(dir, 'ckpt'));
    expect(Array.from(loaded.predict(x, 4, 0.3))).toEqual(Array.from(before));
    await rm(dir, { recursive: true, force: true });

    const graph = d.buildGraph(x, 4);
    const vars = d.context!.flatMap((c) => c.trainableWeights);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const g = tf.tensor2d(d.globalInput(0.3, 1), [1, d.globalFeatures]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(d.apply(graph, g))) as tf.Scalar, vars);
      for (const v of vars) expect(tf.tidy(() => tf.max(tf.abs(grads[v.name])).dataSync()[0])).toBeGreaterThan(0);
      value.dispose();
      g.dispose();
      for (const t of Object.values(grads)) t.dispose();
    }
    expect(tf.memory().numTensors).toBe(n0);
    for (const m of [d, e, loaded]) m.dispose();
  });

  it('rejects a context of the wrong length or width, and a non-boolean option, with a typed error', () => {
    const d = tinyDenoiser();
    const parts = { k: d.k, layers: [...d.layers], head: d.head };
    expect(() => composeDenoiser({ ...parts, context: [mlpHead({ inFeatures: 8, hidden: [], outFeatures: 8 })] })).toThrow(/one MlpHead per layer \(2\)/);
    expect(() => composeDenoiser({ ...parts, context: [0, 1].map(() => mlpHead({ inFeatures: 8, hidden: [], outFeatures: 4 })) })).toThrow(/8 -> 8/);
    expect(() => tinyDenoiser({ globalContext: 'yes' as unknown as boolean })).toThrow(ModelError);
    d.dispose();
  });
});
