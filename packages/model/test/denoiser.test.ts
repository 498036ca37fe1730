import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { pbcEdgeConv } from '@mddm/edgeconv';
import { ModelError, composeDenoiser, createDenoiser, denoiserFromSpec, mlpHead, selectBackend } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Independent parameter count: Linear(a, b) has a*b + b parameters. */
function mlpParams(sizes: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < sizes.length; i++) s += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return s;
}

describe('createDenoiser', () => {
  it('has the paper architecture: 82,435 parameters unconditionally (reference mddm_torch.py)', () => {
    const d = createDenoiser();
    expect(d.countParams()).toBe(82435);
    expect(d.layers.length).toBe(8);
    expect(d.k).toBe(32);
    d.dispose();
  });

  it('counts parameters as the sum of its Linear layers for other shapes', () => {
    const cfg = { layers: 3, width: 16, hidden: [24, 20], headHidden: [40], conditions: 3, conditionRanges: [[1, 15], [0, 6], [0.01, 0.05]] as [number, number][] };
    const d = createDenoiser(cfg);
    const G = 4;
    let expected = mlpParams([3 + G, 24, 20, 16]) + 2 * mlpParams([3 + 2 * 16 + G, 24, 20, 16]);
    expected += mlpParams([3 * 16 + G, 40, 3]);
    expect(d.countParams()).toBe(expected);
    d.dispose();
  });

  it('rejects bad configurations with ModelError naming the value', () => {
    expect(() => createDenoiser({ k: 0 })).toThrow(ModelError);
    expect(() => createDenoiser({ layers: 1.5 })).toThrow(/layers/);
    expect(() => createDenoiser({ aggregation: 'median' as never })).toThrow(/aggregation/);
    expect(() => createDenoiser({ conditions: 2, conditionRanges: [[0, 1]] })).toThrow(/conditionRanges/);
    expect(() => createDenoiser({ conditions: 1, conditionRanges: [[1, 1]] })).toThrow(/lo < hi/);
  });

  it('is translation invariant and permutation equivariant', () => {
    const d = tinyDenoiser();
    const L = 4;
    const x = lattice(4, 0.3);
    const e1 = d.predict(x, L, 0.3);
    const shifted = x.map((v, i) => (v + [1.7, -0.4, 3.1][i % 3] + 2 * L) % L);
    const e2 = d.predict(Float64Array.from(shifted), L, 0.3);
    for (let i = 0; i < e1.length; i++) expect(e2[i]).toBeCloseTo(e1[i], 4);
    // swap particles 0 and 5
    const p = Float64Array.from(x);
    for (let c = 0; c < 3; c++) [p[c], p[15 + c]] = [x[15 + c], x[c]];
    const e3 = d.predict(p, L, 0.3);
    for (let c = 0; c < 3; c++) {
      expect(e3[c]).toBeCloseTo(e1[15 + c], 4);
      expect(e3[15 + c]).toBeCloseTo(e1[c], 4);
      expect(e3[30 + c]).toBeCloseTo(e1[30 + c], 4);
    }
    d.dispose();
  });

  it('wraps positions outside the box (documented) and depends on t/T', () => {
    const d = tinyDenoiser();
    const x = lattice(4, 0.3);
    const outside = x.map((v, i) => (i % 2 ? v + 8 : v - 4));
    const a = d.predict(x, 4, 0.5);
    const b = d.predict(Float64Array.from(outside), 4, 0.5);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
    const c = d.predict(x, 4, 0.9);
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i])))).toBeGreaterThan(1e-4);
    d.dispose();
  });

  it('batches frames independently', () => {
    const d = tinyDenoiser();
    const x = lattice(4, 0.3, 1);
    const y = lattice(4, 0.3, 2);
    const both = new Float64Array(x.length * 2);
    both.set(x);
    both.set(y, x.length);
    const e = d.predict(both, 4, [0.2, 0.7], { frames: 2 });
    const ex = d.predict(x, 4, 0.2);
    const ey = d.predict(y, 4, 0.7);
    for (let i = 0; i < ex.length; i++) {
      expect(e[i]).toBeCloseTo(ex[i], 4);
      expect(e[ex.length + i]).toBeCloseTo(ey[i], 4);
    }
    d.dispose();
  });

  it('checks conditions: wrong length, missing, non-finite, given to an unconditional model', () => {
    const d = tinyDenoiser({ conditions: 2, conditionRanges: [[0, 10], [0, 1]] });
    const x = lattice(4, 0.3);
    expect(() => d.predict(x, 4, 0.5, { conditions: [1] })).toThrow(/length 2/);
    expect(() => d.predict(x, 4, 0.5)).toThrow(/needs 2 conditions/);
    expect(() => d.predict(x, 4, 0.5, { conditions: [1, NaN] })).toThrow(ModelError);
    expect(Array.from(d.globalInput(0.25, 1, [5, 0.5]))).toEqual([0.25, 0.5, 0.5]);
    const u = tinyDenoiser();
    expect(() => u.predict(x, 4, 0.5, { conditions: [1] })).toThrow(/unconditional/);
    expect(() => u.predict(new Float64Array([1, 2]), 4, 0.5)).toThrow(ModelError);
    expect(() => u.predict(lattice(2), 4, 0.5)).toThrow(/more than k/);
    d.dispose();
    u.dispose();
  });

  it('composes from public parts and round-trips through its spec', () => {
    const G = 1;
    const layers = [
      pbcEdgeConv({ inFeatures: 0, globalFeatures: G, hidden: [8], outFeatures: 12, aggregation: 'mean', seed: 3 }),
      pbcEdgeConv({ inFeatures: 12, globalFeatures: G, hidden: [8], outFeatures: 6, aggregation: 'sum', seed: 4 }),
    ];
    const d = composeDenoiser({ k: 6, layers, head: mlpHead({ inFeatures: 6 + G, hidden: [10] }), readout: 'last' });
    expect(d.countParams()).toBe(mlpParams([3 + G, 8, 12]) + mlpParams([3 + 24 + G, 8, 6]) + mlpParams([7, 10, 3]));
    const copy = denoiserFromSpec(JSON.parse(JSON.stringify(d.toSpec())));
    const w = d.getWeights();
    copy.setWeights(w);
    tf.dispose(w);
    const x = lattice(4, 0.3);
    const a = d.predict(x, 4, 0.4);
    const b = copy.predict(x, 4, 0.4);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    expect(() => composeDenoiser({ k: 6, layers, head: mlpHead({ inFeatures: 99 }) })).toThrow(/head.inFeatures must be 19/);
    d.dispose();
    copy.dispose();
  });

  it('does not leak tensors in predict', () => {
    const d = tinyDenoiser();
    const x = lattice(4, 0.3);
    d.predict(x, 4, 0.5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) d.predict(x, 4, 0.5);
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });
});
