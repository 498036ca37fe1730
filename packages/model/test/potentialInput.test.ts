import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { oppForces, oppTotalEnergy } from '@mddm/io/browser';
import {
  ModelError, OPP_CONDITION_ENCODERS, POTENTIAL_INPUT_FEATURES, createDenoiser, decodeConditionsInto, denoiserFromSpec, potentialFeaturesInto, sample, selectBackend,
} from '../src/index';
import { encodeConditionsInto, type ConditionEncoder } from '../src/conditions';
import { checkPotentialInput } from '../src/potentialInput';
import { lattice } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const OPP = [...OPP_CONDITION_ENCODERS];
const INPUT = checkPotentialInput({ kind: 'opp', cutoffLj: 2.5 }, OPP);
const tiny = { k: 8, layers: 2, width: 8, hidden: [8], headHidden: [16], conditionEncoders: OPP, conditioning: 'film' as const, nullCondition: true };

describe('decodeConditionsInto inverts encodeConditionsInto', () => {
  it('round-trips every encoder kind (periodic values come back modulo the period)', () => {
    const encoders: ConditionEncoder[] = [{ kind: 'linear', range: [1, 15] }, { kind: 'periodic', period: 2 * Math.PI }, { kind: 'log', range: [0.01, 0.05] }, { kind: 'periodic', period: 3 }];
    fc.assert(fc.property(
      fc.double({ min: 1, max: 15, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: 0.01, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 2.999, noNaN: true }),
      (k, phi, T, q) => {
        const row = new Float64Array(7);
        encodeConditionsInto(row as unknown as Float32Array, 1, [k, phi, T, q], encoders);
        const out = decodeConditionsInto(row, 1, encoders, [0, 0, 0, 0]);
        expect(out[0]).toBeCloseTo(k, 9);
        expect(Math.cos(out[1] - phi)).toBeCloseTo(1, 9); // the same angle
        expect(out[1]).toBeGreaterThanOrEqual(0);
        expect(out[1]).toBeLessThan(2 * Math.PI);
        expect(out[2] / T).toBeCloseTo(1, 9);
        expect(Math.cos((2 * Math.PI * (out[3] - q)) / 3)).toBeCloseTo(1, 9);
      },
    ), { numRuns: 200 });
  });
});

describe('potential features: the OPP energy and force of every particle over T', () => {
  const pos = lattice(6, 0.3, 7); // 216 particles, box 6
  const params = { k: 7.3, phi: 1.9, T: 0.023 };

  it('equal oppForces of @mddm/io (an independent loop) and sum to its total energy', () => {
    const out = new Float32Array(216 * POTENTIAL_INPUT_FEATURES);
    potentialFeaturesInto(out, 0, pos, [6, 6, 6], params, INPUT);
    const ref = oppForces(pos, 6, params, { cutoff: 2.5 });
    let energy = 0;
    for (let i = 0; i < 216; i++) {
      const w = 4 * i;
      energy += Math.sinh(out[w]) * params.T;
      const len = Math.hypot(out[w + 1], out[w + 2], out[w + 3]);
      const mag = Math.sinh(len) * params.T; // |F| back from asinh(|F| / T)
      for (let c = 0; c < 3; c++) expect(mag * (out[w + 1 + c] / len)).toBeCloseTo(ref.forces[3 * i + c], 2);
    }
    expect(energy / oppTotalEnergy(pos, 6, params, { cutoff: 2.5 })).toBeCloseTo(1, 4);
  });

  it('are translation invariant and periodic in phi; the null condition gives zeros', () => {
    const a = new Float32Array(216 * 4);
    const b = new Float32Array(216 * 4);
    potentialFeaturesInto(a, 0, pos, [6, 6, 6], params, INPUT);
    const shifted = pos.map((x, i) => (x + [0.37, 5.1, 2.2][i % 3]) % 6);
    potentialFeaturesInto(b, 0, shifted, [6, 6, 6], { ...params, phi: params.phi + 2 * Math.PI }, INPUT);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 3);
    b.fill(7);
    potentialFeaturesInto(b, 0, pos, [6, 6, 6], null, INPUT);
    expect(Array.from(b).every((v) => v === 0)).toBe(true);
  });

  it('refuse a box below twice the cutoff with a typed error that names the smallest box (2.5 LJ cutoff: 5 LJ)', () => {
    const out = new Float32Array(216 * 4);
    expect(() => potentialFeaturesInto(out, 0, pos, [6, 4.9, 6], params, INPUT)).toThrow(ModelError);
    expect(() => potentialFeaturesInto(out, 0, pos, [6, 4.9, 6], params, INPUT)).toThrow(/box length 4.9 LJ .* at least 5 LJ/);
    expect(() => potentialFeaturesInto(out, 0, pos, [5, 5, 5], params, INPUT)).not.toThrow();
  });

  it('stay finite for coincident and nearly coincident particles (distances below minDistanceLj are evaluated at it)', () => {
    const p = Float64Array.from(pos);
    p.set(p.subarray(0, 3), 3); // particle 1 on top of particle 0
    p[6] = p[0] + 1e-6; // particle 2 almost on top
    p[7] = p[1];
    p[8] = p[2];
    const out = new Float32Array(216 * 4);
    potentialFeaturesInto(out, 0, p, [6, 6, 6], params, INPUT);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('rejects bad configurations with typed errors', () => {
    expect(() => checkPotentialInput({ kind: 'lj' } as never, OPP)).toThrow(/kind 'opp'/);
    expect(() => checkPotentialInput({ kind: 'opp', cutoffLj: -1 }, OPP)).toThrow(/cutoffLj > 0/);
    expect(() => checkPotentialInput({ kind: 'opp', cutoffLj: 3, minDistanceLj: 4 }, OPP)).toThrow(/minDistanceLj/);
    expect(() => checkPotentialInput({ kind: 'opp', cutoffLj: 3 }, OPP.slice(0, 2))).toThrow(ModelError);
    expect(() => createDenoiser({ ...tiny, conditionEncoders: OPP.slice(0, 2), potentialInput: { kind: 'opp', cutoffLj: 3 } })).toThrow(/needs the 3 conditions \(k, phi, T\) first, or fixed params/);
    expect(() => createDenoiser({ ...tiny, potentialInput: { kind: 'opp', cutoffLj: 3, params: { k: 7, phi: 1, T: 0.03 } } })).toThrow(/fixes the state point of an unconditional denoiser; this one has 3 conditions/);
    expect(() => createDenoiser({ k: 8, layers: 1, width: 8, potentialInput: { kind: 'opp', cutoffLj: 3, params: { k: 7, phi: 1, T: 0 } } })).toThrow(/T > 0/);
  });
});

describe('a denoiser with potentialInput', () => {
  it('reads the conditions from the global rows: at initialisation (FiLM at identity) the output already depends on k, phi, T', () => {
    const d = createDenoiser({ ...tiny, potentialInput: { kind: 'opp', cutoffLj: 2.5 } });
    const plain = createDenoiser(tiny);
    expect(d.layers[0].config.inFeatures).toBe(4);
    const pos = lattice(6, 0.2, 3);
    const differs = (m: typeof d, a: number[], b: number[]) => {
      const x = m.predict(pos, 6, 0.1, { conditions: a });
      const y = m.predict(pos, 6, 0.1, { conditions: b });
      return x.some((v, i) => Math.abs(v - y[i]) > 1e-5);
    };
    expect(differs(plain, [3, 1, 0.02], [12, 4, 0.04])).toBe(false); // FiLM starts at the identity: no conditioning yet
    expect(differs(d, [3, 1, 0.02], [12, 4, 0.04])).toBe(true);
    expect(differs(d, [5, 1, 0.02], [5, 1 + 2 * Math.PI, 0.02])).toBe(false); // exactly 2 pi periodic in phi
    plain.dispose();
    d.dispose();
  });

  it('survives a spec round trip, refuses missing rows or a missing box, and does not leak tensors', async () => {
    const d = createDenoiser({ ...tiny, seed: 4, potentialInput: { kind: 'opp', cutoffLj: 2.5 } });
    const spec = d.toSpec();
    expect(spec.potentialInput).toEqual({ kind: 'opp', cutoffLj: 2.5, minDistanceLj: 0.5 });
    const e = denoiserFromSpec(spec);
    const w = d.getWeights();
    e.setWeights(w);
    w.forEach((t) => t.dispose());
    const pos = lattice(6, 0.2, 5);
    expect(Array.from(e.predict(pos, 6, 0.3, { conditions: [9, 2, 0.03] }))).toEqual(Array.from(d.predict(pos, 6, 0.3, { conditions: [9, 2, 0.03] })));
    expect(() => d.buildGraph(pos, 6, 1)).toThrow(/needs the global input rows/);
    expect(() => d.buildGraph(pos, null, 1, d.globalInput(0.1, 1, [9, 2, 0.03]))).toThrow(/give the box/);
    // the null condition: zero potential features
    const g = d.buildGraph(pos, 6, 1, d.globalInput(0.1, 1, null));
    expect(g.nodeInput!.every((v) => v === 0)).toBe(true);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) d.predict(pos, 6, 0.2, { conditions: [9, 2, 0.03] });
    await sample(d, { n: 216, box: 6, steps: 3, conditions: [9, 2, 0.03], seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createDenoiser({ ...tiny, potentialInput: { kind: 'opp', cutoffLj: 2.5 }, centroidInput: true })).toThrow(/exclude each other/);
    d.dispose();
    e.dispose();
  });
});

describe('an unconditional denoiser with potentialInput.params (one state point)', () => {
  it('reads the fixed state point with no conditions: the output depends on it, the spec keeps it', () => {
    const cfg = { k: 8, layers: 2, width: 8, hidden: [8], headHidden: [16], seed: 2 };
    const a = createDenoiser({ ...cfg, potentialInput: { kind: 'opp', cutoffLj: 2.5, params: { k: 7, phi: 1, T: 0.03 } } });
    const b = createDenoiser({ ...cfg, potentialInput: { kind: 'opp', cutoffLj: 2.5, params: { k: 11, phi: 1, T: 0.03 } } });
    const pos = lattice(6, 0.2, 9);
    const x = a.predict(pos, 6, 0.1);
    const y = b.predict(pos, 6, 0.1);
    expect(x.some((v, i) => Math.abs(v - y[i]) > 1e-5)).toBe(true);
    // the same features as potentialFeaturesInto at those parameters
    const g = a.buildGraph(pos, 6, 1);
    const ref = new Float32Array(216 * 4);
    potentialFeaturesInto(ref, 0, pos, [6, 6, 6], { k: 7, phi: 1, T: 0.03 }, checkPotentialInput({ kind: 'opp', cutoffLj: 2.5 }, OPP));
    expect(Array.from(g.nodeInput!)).toEqual(Array.from(ref));
    const spec = a.toSpec();
    expect(spec.potentialInput).toEqual({ kind: 'opp', cutoffLj: 2.5, minDistanceLj: 0.5, params: { k: 7, phi: 1, T: 0.03 } });
    const c = denoiserFromSpec(spec);
    const w = a.getWeights();
    c.setWeights(w);
    w.forEach((t) => t.dispose());
    expect(Array.from(c.predict(pos, 6, 0.1))).toEqual(Array.from(x));
    for (const d of [a, b, c]) d.dispose();
  });
});
