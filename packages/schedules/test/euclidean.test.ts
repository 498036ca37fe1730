import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EuclideanDiffusion, ScheduleError, WrappedDiffusion, createRng, geometricSchedule, langevinCorrector, recenter, runSampler, sampleGaussianCloud,
} from '@mddm/schedules';
import { mean, variance } from './helpers';

const sched = geometricSchedule(200, { sigmaMinBox: 1e-3, sigmaMaxBox: 3 });
const D = new EuclideanDiffusion(sched);

function normals(n: number, seed: number): Float64Array {
  const e = new Float64Array(n);
  createRng(seed).fillNormal(e);
  return e;
}

describe('EuclideanDiffusion (VE without a box)', () => {
  it('forward process is x0 + L sqrt(a_t) eps, not wrapped (independent arithmetic)', () => {
    const x0 = normals(300, 1).map((v) => 20 * v);
    const eps = normals(300, 2);
    for (const t of [0, 1, 100, 200]) {
      const xt = D.addNoise(x0, t, eps, 1);
      const s = Math.sqrt(sched.a[t]);
      for (let i = 0; i < 300; i++) expect(xt[i]).toBeCloseTo(x0[i] + s * eps[i], 12);
      const scaled = D.addNoise(x0, t, eps, [2, 3, 4]);
      for (let i = 0; i < 300; i++) expect(scaled[i]).toBeCloseTo(x0[i] + [2, 3, 4][i % 3] * s * eps[i], 12);
    }
    const batch = D.addNoiseBatch(x0, [5, 150], eps, 1);
    for (let i = 0; i < 300; i++) expect(batch[i]).toBeCloseTo(x0[i] + Math.sqrt(sched.a[i < 150 ? 5 : 150]) * eps[i], 12);
    expect(D.periodic).toBe(false);
    expect((new WrappedDiffusion(sched) as { periodic?: boolean }).periodic).toBeUndefined();
  });

  it('composes: addNoise(s) then forwardTransition(s -> t) has the law of addNoise(t) (Monte Carlo variance)', () => {
    const n = 30000;
    const x0 = new Float64Array(n);
    const xs = D.addNoise(x0, 50, normals(n, 3), 1);
    const xt = D.forwardTransition(xs, 50, 120, normals(n, 4), 1);
    expect(mean(xt)).toBeCloseTo(0, 1);
    expect(variance(xt) / sched.a[120]).toBeCloseTo(1, 1);
  });

  it('one ancestral step with the true eps keeps the forward marginal: x_s ~ N(x0, a_s) (Monte Carlo, eta = 1 and 0)', () => {
    const n = 30000;
    const x0 = normals(n, 5);
    const eps = normals(n, 6);
    const t = 150, s = 90;
    const xt = D.addNoise(x0, t, eps, 1);
    for (const eta of [1, 0.5, 0]) {
      const xsOut = D.stepTo(xt, eps, t, s, normals(n, 7), 1, undefined, { eta });
      const d = xsOut.map((v, i) => v - x0[i]);
      expect(mean(d)).toBeCloseTo(0, 1);
      expect(variance(d) / sched.a[s]).toBeGreaterThan(0.97);
      expect(variance(d) / sched.a[s]).toBeLessThan(1.03);
    }
    // the posterior mean is the exact bridge mean (no minimum image)
    const pm = D.posteriorMean(xt, x0, t, s, 1);
    for (let i = 0; i < 10; i++) expect(pm[i]).toBeCloseTo(x0[i] + (sched.a[s] / sched.a[t]) * (xt[i] - x0[i]), 12);
    // final step with finalStep 'x0' returns x0_hat exactly
    const Dx0 = new EuclideanDiffusion(sched, { finalStep: 'x0' });
    const fin = Dx0.stepTo(xt, eps, t, 0, null, 1);
    for (let i = 0; i < 10; i++) expect(fin[i]).toBeCloseTo(x0[i], 10);
  });

  it('runSampler with the exact eps of a single-point data set ends at the point, far outside any box', async () => {
    const target = [30, -40, 50];
    const Dx0 = new EuclideanDiffusion(sched, { finalStep: 'x0' });
    const x = sampleGaussianCloud(50, Math.sqrt(sched.a[sched.T]), createRng(1));
    for (let i = 0; i < x.length; i++) x[i] += target[i % 3];
    const eps = (xt: Float64Array, t: number, out: Float64Array) => {
      const s = Math.sqrt(sched.a[t]);
      for (let i = 0; i < xt.length; i++) out[i] = (xt[i] - target[i % 3]) / s;
    };
    await runSampler(Dx0, x, 1, eps, createRng(2), { steps: 20, corrector: langevinCorrector({ steps: 1, r: 0.2 }) });
    for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(target[i % 3], 8);
  });

  it('throws ScheduleError for NaN input and bad eta', () => {
    const x = new Float64Array([NaN, 0, 0]);
    expect(() => D.addNoise(x, 1, new Float64Array(3), 1)).toThrow(ScheduleError);
    expect(() => D.stepTo(new Float64Array(3), new Float64Array(3), 2, 1, null, 1, undefined, { eta: 2 })).toThrow(/eta/);
  });
});

describe('sampleGaussianCloud', () => {
  it('draws N(0, std^2) coordinates (mean and variance, Monte Carlo)', () => {
    const x = sampleGaussianCloud(20000, 2.5, createRng(3));
    expect(mean(x)).toBeCloseTo(0, 1);
    expect(Math.sqrt(variance(x)) / 2.5).toBeCloseTo(1, 1);
    expect(() => sampleGaussianCloud(3, 0, createRng(1))).toThrow(ScheduleError);
  });
});

describe('recenter', () => {
  it('puts every frame centroid at 0 and preserves all within-frame differences (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: 0, max: 1000 }),
      (frames, n, shift, seed) => {
        const x = normals(frames * n * 3, seed).map((v, i) => v + shift * (1 + (i % 3)));
        const before = x.slice();
        recenter(x, frames);
        for (let f = 0; f < frames; f++) {
          for (let c = 0; c < 3; c++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += x[(f * n + i) * 3 + c];
            expect(Math.abs(s / n)).toBeLessThan(1e-9 * (1 + Math.abs(shift) * 3));
          }
          for (let i = 1; i < n; i++) {
            const a = (f * n + i) * 3, b = f * n * 3;
            for (let c = 0; c < 3; c++) expect(x[a + c] - x[b + c]).toBeCloseTo(before[a + c] - before[b + c], 6);
          }
        }
      },
    ), { numRuns: 60 });
    expect(() => recenter(new Float64Array(5))).toThrow(ScheduleError);
  });
});
