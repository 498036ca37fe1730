import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { encodeTime, geometricSchedule } from '@mddm/schedules';
import { ModelError, applySymmetry, denoiserForceField, forceAgreement, forces, rotateBackVectors, selectBackend, timeInputAtSigma, train, trainedNoiseRange } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const schedule = geometricSchedule(40, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });

async function trained(timeEncoding: 't/T' | 'log-sigma') {
  const d = tinyDenoiser({ timeEncoding });
  await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule, tMax: 30 });
  return d;
}

describe('noise levels', () => {
  it('trainedNoiseRange is L sqrt(a_1) .. L sqrt(a_tMax); timeInputAtSigma equals encodeTime at every timestep and is monotone', async () => {
    for (const enc of ['t/T', 'log-sigma'] as const) {
      const d = await trained(enc);
      const r = trainedNoiseRange(d);
      expect(r.sigmaMinLj).toBeCloseTo(4 * schedule.sqrtA[1], 12);
      expect(r.sigmaMaxLj).toBeCloseTo(4 * schedule.sqrtA[30], 12);
      for (let t = 1; t <= 30; t++) expect(timeInputAtSigma(d, 4 * schedule.sqrtA[t])).toBeCloseTo(encodeTime(enc, t, schedule.a), 9);
      fc.assert(fc.property(fc.double({ min: r.sigmaMinLj, max: r.sigmaMaxLj, noNaN: true }), fc.double({ min: r.sigmaMinLj, max: r.sigmaMaxLj, noNaN: true }), (s1, s2) => {
        const [a, b] = s1 < s2 ? [s1, s2] : [s2, s1];
        expect(timeInputAtSigma(d, a)).toBeLessThanOrEqual(timeInputAtSigma(d, b) + 1e-12);
      }), { numRuns: 50 });
      d.dispose();
    }
  });
});

describe('forces', () => {
  it('is -kT eps_hat(x, sigma) / sigma, leaks no tensor, and works as a langevin force field', async () => {
    const d = await trained('log-sigma');
    const x = lattice(4, 0.2, 7);
    const sigma = 4 * schedule.sqrtA[5];
    const before = tf.memory().numTensors;
    const F = forces(d, x, 4, { sigma, kT: 0.03 });
    expect(tf.memory().numTensors).toBe(before);
    const eps = d.predict(x, 4, encodeTime('log-sigma', 5, schedule.a)); // independent path: the timestep's own encoding
    expect(F.length).toBe(x.length);
    for (let i = 0; i < F.length; i++) expect(F[i]).toBeCloseTo((-0.03 * eps[i]) / sigma, 5);
    const out = new Float64Array(x.length);
    denoiserForceField(d, 4, { sigma, kT: 0.03 })(x, out);
    expect(Array.from(out)).toEqual(Array.from(F));
    // scales linearly in kT
    const F2 = forces(d, x, 4, { sigma, kT: 0.06 });
    for (let i = 0; i < F.length; i++) expect(F2[i]).toBeCloseTo(2 * F[i], 9);
    d.dispose();
  });

  it('rejects sigma <= 0, noise levels outside the trained band, kT <= 0 and untrained models with typed errors', async () => {
    const d = await trained('t/T');
    const x = lattice(4);
    const r = trainedNoiseRange(d);
    expect(() => forces(d, x, 4, { sigma: 0, kT: 1 })).toThrow(/sigma must be a finite noise std > 0/);
    expect(() => forces(d, x, 4, { sigma: -1, kT: 1 })).toThrow(ModelError);
    try {
      forces(d, x, 4, { sigma: r.sigmaMinLj / 2, kT: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).code).toBe('MODEL_SIGMA_OUT_OF_RANGE');
    }
    expect(() => forces(d, x, 4, { sigma: r.sigmaMaxLj * 1.01, kT: 1 })).toThrow(/outside the noise levels this model was trained on/);
    expect(() => forces(d, x, 4, { sigma: r.sigmaMinLj, kT: 0 })).toThrow(/kT must be/);
    const fresh = tinyDenoiser();
    expect(() => forces(fresh, x, 4, { sigma: 0.1, kT: 1 })).toThrow(/no training record/);
    fresh.dispose();
    d.dispose();
  });
});

describe('forceAgreement', () => {
  it('cosine 1 and ratio 2 for a doubled field, cosine -1 for a reversed one; closed-form on a constructed case', () => {
    const ref = Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3);
    const a = forceAgreement(ref.map((v) => 2 * v), ref);
    expect(a.meanCosine).toBeCloseTo(1, 12);
    expect(a.medianRatio).toBeCloseTo(2, 12);
    expect(a.relativeRmse).toBeCloseTo(1, 12);
    expect(forceAgreement(ref.map((v) => -v), ref).meanCosine).toBeCloseTo(-1, 12);
    // rotate the first vector by 60 degrees in the xy plane: cosines (0.5, 1, 1) -> mean 5/6
    const p = Float64Array.from(ref);
    p[0] = 0.5; p[1] = Math.sqrt(3) / 2;
    expect(forceAgreement(p, ref).meanCosine).toBeCloseTo(5 / 6, 12);
    expect(() => forceAgreement(new Float64Array(3), new Float64Array(6))).toThrow(ModelError);
  });
});

/** The linear part R of symmetry s, read off `applySymmetry` by differences (y = R x + c inside the box). */
function symmetryMatrix(s: number, L: number): number[][] {
  const p0 = Float64Array.of(1, 1.5, 2);
  const y0 = applySymmetry(s, p0, [L, L, L]);
  const R = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let j = 0; j < 3; j++) {
    const p = Float64Array.from(p0);
    p[j] += 0.25;
    const y = applySymmetry(s, p, [L, L, L]);
    for (let i = 0; i < 3; i++) R[i][j] = Math.round((y[i] - y0[i]) / 0.25);
  }
  return R;
}

/** out_i = R^T w_i (R orthogonal: the inverse of the linear part). */
function applyTranspose(R: number[][], w: ArrayLike<number>): Float64Array {
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i += 3) for (let a = 0; a < 3; a++) out[i + a] = R[0][a] * w[i] + R[1][a] * w[i + 1] + R[2][a] * w[i + 2];
  return out;
}

describe('forces: symmetry average', () => {
  it('rotateBackVectors is the inverse of the linear part of applySymmetry, for all 48 symmetries', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 47 }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }), (s, u) => {
      const R = symmetryMatrix(s, 4);
      const w = new Float64Array(6);
      for (let i = 0; i < 6; i += 3) for (let a = 0; a < 3; a++) w[i + a] = R[a][0] * u[i] + R[a][1] * u[i + 1] + R[a][2] * u[i + 2];
      const back = rotateBackVectors(s, w, new Float64Array(6));
      for (let i = 0; i < 6; i++) expect(back[i]).toBeCloseTo(u[i], 12);
    }), { numRuns: 200 });
    expect(() => rotateBackVectors(48, new Float64Array(3), new Float64Array(3))).toThrow(/symmetry index/);
    expect(() => rotateBackVectors(0, new Float64Array(3), new Float64Array(6))).toThrow(/out must have length 3/);
  });

  it('equals the brute-force mean of R^T F(g x) over the 48 symmetries, and is exactly equivariant: F(g x) = R F(x)', async () => {
    const d = await trained('log-sigma');
    const x = lattice(4, 0.2, 11);
    const sigma = 4 * schedule.sqrtA[5];
    const opts = { sigma, kT: 0.03 };
    const before = tf.memory().numTensors;
    const Fsym = forces(d, x, 4, { ...opts, symmetryAverage: true });
    expect(tf.memory().numTensors).toBe(before);
    const mean = new Float64Array(x.length);
    for (let s = 0; s < 48; s++) {
      const back = applyTranspose(symmetryMatrix(s, 4), forces(d, applySymmetry(s, x, [4, 4, 4]), 4, opts));
      for (let i = 0; i < mean.length; i++) mean[i] += back[i] / 48;
    }
    let scale = 0;
    for (const f of mean) scale = Math.max(scale, Math.abs(f));
    for (let i = 0; i < mean.length; i++) expect(Math.abs(Fsym[i] - mean[i])).toBeLessThan(1e-9 * scale + 1e-12);
    // the plain force of the (barely trained) network is not equivariant; the average is, up to float32 rounding
    for (const s of [5, 17, 42]) {
      const R = symmetryMatrix(s, 4);
      const gx = applySymmetry(s, x, [4, 4, 4]);
      const rotated = (F: Float64Array) => applyTranspose(R, F);
      const errSym = maxDiff(rotated(forces(d, gx, 4, { ...opts, symmetryAverage: true })), Fsym);
      const errPlain = maxDiff(rotated(forces(d, gx, 4, opts)), forces(d, x, 4, opts));
      expect(errSym).toBeLessThan(1e-4 * scale);
      expect(errPlain).toBeGreaterThan(100 * errSym);
    }
    // a box that is not a cube averages over its own symmetries (16 for [4, 4, 5]); the force field takes the option too
    const y = lattice(4, 0.2, 3).map((v, i) => (i % 3 === 2 ? v * 1.25 : v));
    const Fbox = forces(d, y, [4, 4, 5], { ...opts, symmetryAverage: true });
    expect(Fbox.every(Number.isFinite)).toBe(true);
    const out = new Float64Array(y.length);
    denoiserForceField(d, [4, 4, 5], { ...opts, symmetryAverage: true })(y, out);
    expect(Array.from(out)).toEqual(Array.from(Fbox));
    d.dispose();
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
