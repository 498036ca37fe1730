import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@mddm/schedules';
import { gelu } from '../src/transolver/ops';
import {
  ModelError, Transolver, createDenoiser, createTransolver, denoiserFromSpec, denoiserKinds, loadDenoiser, registerDenoiserKind, saveDenoiser,
  selectBackend, train, type DenoiserLike,
} from '../src/index';

beforeAll(async () => {
  await selectBackend('wasm');
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * Independent parameter count, written from the module structure of the reference implementation
 * (Wu et al. 2024, `Transolver_Irregular_Mesh.py`): nn.Linear(a, b) has a*b + b parameters
 * (a*b without bias), nn.LayerNorm(h) 2h.
 */
function referenceCount(o: { h: number; L: number; H: number; M: number; r: number; G: number }): number {
  const lin = (a: number, b: number, bias = true) => a * b + (bias ? b : 0);
  const ln = (h: number) => 2 * h;
  const { h, L, H, M, r, G } = o;
  const dh = h / H;
  const inner = dh * H;
  const preprocess = lin(3 + G, 2 * h) + lin(2 * h, h); // MLP(n_layers=0): linear_pre + linear_post
  const placeholder = h;
  const attention = lin(h, inner) /* in_project_x */ + lin(h, inner) /* in_project_fx */ + lin(dh, M) /* in_project_slice */
    + H /* temperature [1, H, 1, 1] */ + 3 * lin(dh, dh, false) /* to_q, to_k, to_v */ + lin(inner, h) /* to_out */;
  const block = ln(h) + attention + ln(h) + lin(h, h * r) + lin(h * r, h);
  const last = ln(h) + lin(h, 3); // ln_3 + mlp2 of the last block
  return preprocess + placeholder + L * block + last;
}

function cloud(n: number, seed: number, scale = 1): Float64Array {
  const x = new Float64Array(3 * n);
  createRng(seed).fillNormal(x);
  for (let i = 0; i < x.length; i++) x[i] *= scale;
  return x;
}

describe('Transolver', () => {
  it('has 128,483 parameters by default (paper: 128,867), equal to an independent count of the reference modules', () => {
    const d = createTransolver();
    expect(d.countParams()).toBe(referenceCount({ h: 64, L: 4, H: 8, M: 32, r: 2, G: 1 }));
    expect(d.countParams()).toBe(128483);
    expect(Math.abs(d.countParams() - 128867) / 128867).toBeLessThan(0.005);
    d.dispose();
  });

  it('counts parameters independently for other configurations and conditions (periodic encoders add 2 features)', () => {
    const cfg = { hidden: 24, layers: 2, heads: 3, slices: 5, mlpRatio: 1, conditionEncoders: [{ kind: 'linear', range: [1, 15] }, { kind: 'periodic', period: 6.28 }] as never, nullCondition: true };
    const d = createTransolver(cfg);
    expect(d.globalFeatures).toBe(1 + 1 + 2 + 1);
    expect(d.countParams()).toBe(referenceCount({ h: 24, L: 2, H: 3, M: 5, r: 1, G: 5 }));
    d.dispose();
  });

  it('maps [frames * N, 3] to [frames * N, 3]; frames are independent (batching changes nothing)', () => {
    const d = createTransolver({ hidden: 16, layers: 2, heads: 2, slices: 4, seed: 3 });
    const a = cloud(40, 1), b = cloud(40, 2);
    const both = new Float64Array(240);
    both.set(a); both.set(b, 120);
    const out = d.predict(both, null, [0.3, 0.7], { frames: 2 });
    expect(out.length).toBe(240);
    const ea = d.predict(a, null, 0.3), eb = d.predict(b, null, 0.7);
    for (let i = 0; i < 120; i++) {
      expect(out[i]).toBeCloseTo(ea[i], 4);
      expect(out[120 + i]).toBeCloseTo(eb[i], 4);
    }
    d.dispose();
  });

  it('is permutation equivariant (property test over random permutations)', () => {
    const d = createTransolver({ hidden: 16, layers: 2, heads: 2, slices: 4, seed: 5 });
    const n = 30;
    const x = cloud(n, 7);
    const base = d.predict(x, null, 0.4);
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }), (keys) => {
      const perm = Array.from({ length: n }, (_, i) => i).sort((i, j) => keys[i] - keys[j] || i - j);
      const xp = new Float64Array(3 * n);
      perm.forEach((p, i) => xp.set(x.subarray(3 * p, 3 * p + 3), 3 * i));
      const out = d.predict(xp, null, 0.4);
      perm.forEach((p, i) => {
        for (let c = 0; c < 3; c++) expect(Math.abs(out[3 * i + c] - base[3 * p + c])).toBeLessThan(1e-4);
      });
    }), { numRuns: 15 });
    d.dispose();
  });

  it('is NOT translation invariant (absolute coordinates enter), unlike MDDM on the same cloud', () => {
    const d = createTransolver({ seed: 1 });
    const m = createDenoiser({ k: 8, layers: 2, width: 8, hidden: [8], headHidden: [16] });
    const x = cloud(64, 3);
    const shifted = x.map((v, i) => v + [0.5, -0.3, 0.2][i % 3]);
    const diff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(diff(d.predict(x, null, 0.5), d.predict(shifted, null, 0.5))).toBeGreaterThan(1e-2);
    expect(diff(m.predict(x, null, 0.5), m.predict(shifted, null, 0.5))).toBeLessThan(1e-4);
    expect(d.translationInvariant).toBe(false);
    expect(m.translationInvariant).toBe(true);
    // in a periodic box it sees box fractions: a shift by a whole box length changes nothing
    const box = 10;
    const inBox = x.map((v) => 5 + v);
    const byL = inBox.map((v, i) => (i % 3 === 0 ? v + box : v));
    expect(diff(d.predict(inBox, box, 0.5), d.predict(byL, box, 0.5))).toBeLessThan(1e-4);
    d.dispose();
    m.dispose();
  });

  it('leaks no tensors in predict, apply under tidy, or training steps', async () => {
    const d = createTransolver({ hidden: 16, layers: 1, heads: 2, slices: 4 });
    const x = cloud(20, 1);
    d.predict(x, null, 0.5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) d.predict(x, null, 0.5);
    tf.tidy(() => d.apply(d.buildGraph(x, null), tf.tensor2d([0.5], [1, 1]))).dispose();
    expect(tf.memory().numTensors).toBe(before);
    await train(d, { data: [{ positions: x, box: null }], steps: 2, batchSize: 2 });
    const after1 = tf.memory().numTensors;
    await train(d, { data: [{ positions: x, box: null }], steps: 3, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(after1);
    d.dispose();
  });

  it('round-trips through its spec and a checkpoint (kind "transolver" in the registry), with identical predictions', async () => {
    const d = createTransolver({ hidden: 16, layers: 2, heads: 4, slices: 8, conditions: 1, conditionRanges: [[0, 2]], timeEncoding: 'log-sigma', seed: 9 });
    const x = cloud(25, 4);
    await train(d, { data: [{ positions: x, box: null, conditions: [1] }], steps: 2, batchSize: 1, seed: 1 });
    const dir = await mkdtemp(join(tmpdir(), 'transolver-'));
    dirs.push(dir);
    await saveDenoiser(d, dir);
    const loaded = await loadDenoiser(dir);
    expect(loaded).toBeInstanceOf(Transolver);
    expect(loaded.kind).toBe('transolver');
    expect(loaded.toSpec()).toEqual(d.toSpec());
    const a = d.predict(x, null, 0.2, { conditions: [1.5] });
    const b = loaded.predict(x, null, 0.2, { conditions: [1.5] });
    expect(Array.from(b)).toEqual(Array.from(a));
    const rebuilt = denoiserFromSpec(d.toSpec());
    expect(rebuilt.countParams()).toBe(d.countParams());
    rebuilt.dispose();
    loaded.dispose();
    d.dispose();
  });

  it('throws typed errors: bad config, bad spec, unknown kind, wrong weights, bad conditions', () => {
    expect(() => createTransolver({ hidden: 10, heads: 3 })).toThrow(ModelError);
    expect(() => createTransolver({ hidden: 10, heads: 3 })).toThrow(/multiple of heads/);
    expect(() => createTransolver({ slices: 0 })).toThrow(/slices/);
    expect(() => denoiserFromSpec({ format: 'mddm-denoiser', version: 1, kind: 'nope' })).toThrow(/unknown denoiser kind/);
    expect(() => denoiserFromSpec({ format: 'mddm-denoiser', version: 1, kind: 'transolver' })).toThrow(/not a transolver spec/);
    const d = createTransolver({ hidden: 8, layers: 1, heads: 2, slices: 2 });
    expect(() => d.setWeights([])).toThrow(expect.objectContaining({ code: 'MODEL_CONFIG_MISMATCH' }));
    expect(() => d.predict(cloud(5, 1), null, 0.5, { conditions: [1] })).toThrow(/unconditional/);
    d.dispose();
    expect(() => d.predict(cloud(5, 1), null, 0.5)).toThrow(/disposed/);
  });
});

describe('Transolver ops', () => {
  it('gelu matches the tanh closed form and its derivative matches central finite differences', () => {
    const xs = [-3, -1.2, -0.3, 0, 0.25, 0.9, 2.5];
    const closed = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const y = tf.tidy(() => gelu(tf.tensor1d(xs)).arraySync() as number[]);
    xs.forEach((x, i) => expect(y[i]).toBeCloseTo(closed(x), 5));
    const dy = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(tf.tensor1d(xs)).arraySync() as number[]);
    const h = 1e-4;
    xs.forEach((x, i) => expect(dy[i]).toBeCloseTo((closed(x + h) - closed(x - h)) / (2 * h), 3));
  });
});

describe('spec registry (compose your own denoiser)', () => {
  it('rebuilds a user architecture registered under its kind; built-in kinds cannot be replaced', () => {
    const make = (): DenoiserLike => createTransolver({ hidden: 8, layers: 1, heads: 2, slices: 2 });
    registerDenoiserKind('my-net', () => make());
    expect(denoiserKinds()).toContain('my-net');
    const d = denoiserFromSpec({ format: 'mddm-denoiser', version: 1, kind: 'my-net' });
    expect(d.countParams()).toBeGreaterThan(0);
    d.dispose();
    expect(() => registerDenoiserKind('mddm', () => make())).toThrow(ModelError);
  });
});
