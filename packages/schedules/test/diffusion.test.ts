import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MddmError } from '@mddm/pbc';
import {
  ScheduleError, WrappedDiffusion, cosineSchedule, createRng, linearSchedule, sampleUniformBox,
} from '@mddm/schedules';
import { ks2, ksCritical, ksStatistic, mean, mic, variance } from './helpers';

const sched = cosineSchedule();
const D = new WrappedDiffusion(sched);
const DP = new WrappedDiffusion(sched, { variance: 'paper' });
const L = 10;

function normals(n: number, seed: number): Float64Array {
  const e = new Float64Array(n);
  createRng(seed).fillNormal(e);
  return e;
}

describe('addNoise (Eq. 3) and predictX0', () => {
  it('equals wrap(x0 + L sqrt(a_t) eps) per axis, computed independently, for an orthorhombic box', () => {
    const box: [number, number, number] = [10, 7, 13];
    const rng = createRng(1);
    const x0 = new Float64Array(300);
    for (let i = 0; i < 300; i++) x0[i] = (rng.uniform() - 0.5) * 40; // also unwrapped inputs
    const eps = normals(300, 2);
    for (const t of [0, 1, 37, 250, 500]) {
      const xt = D.addNoise(x0, t, eps, box);
      for (let i = 0; i < 300; i++) {
        const Ld = box[i % 3];
        const raw = x0[i] + Ld * Math.sqrt(sched.a[t]) * eps[i];
        const w = ((raw % Ld) + Ld) % Ld;
        expect(xt[i] >= 0 && xt[i] < Ld).toBe(true);
        expect(Math.abs(mic(xt[i] - w, Ld))).toBeLessThan(1e-12);
      }
    }
  });

  it('wraps exactly into [0, L) in float32 too (no value equals L)', () => {
    const x0 = new Float32Array([9.99999999, -1e-9, 0, 10, -10, 5]);
    const eps = new Float32Array(6);
    const out = D.addNoise(x0, 0, eps, L);
    expect(out).toBeInstanceOf(Float32Array);
    for (const v of out) expect(v >= 0 && v < L).toBe(true);
  });

  it('predictX0 inverts addNoise up to a lattice vector: addNoise(predictX0(x_t, eps), eps) = x_t', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer(), (t, seed) => {
        const rng = createRng(seed);
        const x0 = sampleUniformBox(20, L, rng);
        const eps = normals(60, seed + 1);
        const xt = D.addNoise(x0, t, eps, L);
        const x0hat = D.predictX0(xt, eps, t, L);
        for (let i = 0; i < 60; i++) expect(Math.abs(mic(x0hat[i] - x0[i], L))).toBeLessThan(1e-9);
        const back = D.addNoise(x0hat, t, eps, L);
        for (let i = 0; i < 60; i++) expect(Math.abs(mic(back[i] - xt[i], L))).toBeLessThan(1e-9);
      }),
      { numRuns: 40 },
    );
  });

  it('out may alias the input; the input type is preserved', () => {
    const x = new Float64Array([1, 2, 3]);
    const e = new Float64Array([0.1, -0.2, 0.3]);
    const expected = D.addNoise(x, 10, e, L);
    const r = D.addNoise(x, 10, e, L, x);
    expect(r).toBe(x);
    expect(Array.from(r)).toEqual(Array.from(expected));
  });
});

describe('addNoiseBatch', () => {
  it('noises frame b to ts[b], identical to per-frame addNoise; errors name the bad t and global index', () => {
    const B = 4, N = 7;
    const rng = createRng(3);
    const x0 = sampleUniformBox(B * N, L, rng);
    const eps = normals(3 * B * N, 4);
    const ts = Int32Array.from([0, 5, 250, 500]);
    const out = D.addNoiseBatch(x0, ts, eps, L);
    for (let b = 0; b < B; b++) {
      const lo = 3 * N * b, hi = lo + 3 * N;
      const want = D.addNoise(x0.slice(lo, hi), ts[b], eps.slice(lo, hi), L);
      expect(Array.from(out.subarray(lo, hi))).toEqual(Array.from(want));
    }
    const f32 = D.addNoiseBatch(new Float32Array(x0), [1, 2, 3, 4], new Float32Array(eps), L);
    expect(f32).toBeInstanceOf(Float32Array);
    expect(() => D.addNoiseBatch(x0, [1, 2, 3], eps, L)).toThrow(/ts.length \(3\) must be >= 1 and divide the number of particles \(28\)/);
    expect(() => D.addNoiseBatch(x0, [1, 2, 501, 4], eps, L)).toThrow(/ts\[2\] must be an integer in 0..500, got 501/);
    const bad = Float64Array.from(eps); bad[3 * N * 2 + 1] = NaN;
    expect(() => D.addNoiseBatch(x0, ts, bad, L)).toThrow(new RegExp(`eps\\[${3 * N * 2 + 1}\\] must be finite`));
  });
});

describe('forward marginal at T is uniform (SPEC §1, Appendix C.1)', () => {
  const n = 20_000;
  function noisedPointMass(t: number): Float64Array {
    const x0 = new Float64Array(3 * n).fill(2.5); // every particle at the same point
    const xt = D.addNoise(x0, t, normals(3 * n, 99), L);
    return xt.map((v) => v / L);
  }
  it('x_T from a point mass passes a KS test against U(0, 1) (coordinates / L)', () => {
    const u = noisedPointMass(500);
    expect(ksStatistic(u, (x) => x)).toBeLessThan(ksCritical(u.length));
  });
  it('x_T matches sampleUniformBox in a two-sample KS test', () => {
    const u = noisedPointMass(500);
    const v = sampleUniformBox(n, L, createRng(4)).map((x) => x / L);
    expect(ks2(u, v)).toBeLessThan(1.949 * Math.sqrt(2 / u.length));
  });
  it('negative control: at sqrt(a_t) ~ 0.2 the marginal is clearly not uniform (the KS test can fail)', () => {
    let t = 0;
    while (sched.sqrtA[t] < 0.2) t++;
    const u = noisedPointMass(t);
    expect(ksStatistic(u, (x) => x)).toBeGreaterThan(10 * ksCritical(u.length));
  });
  it('sampleUniformBox covers [0, L_d) per axis uniformly', () => {
    const box: [number, number, number] = [3, 5, 11];
    const x = sampleUniformBox(20_000, box, createRng(8));
    for (let d = 0; d < 3; d++) {
      const c = new Float64Array(20_000);
      for (let i = 0; i < 20_000; i++) c[i] = x[3 * i + d] / box[d];
      expect(Math.max(...c)).toBeLessThan(1);
      expect(Math.min(...c)).toBeGreaterThanOrEqual(0);
      expect(ksStatistic(c, (v) => v)).toBeLessThan(ksCritical(20_000));
    }
  });
});

/**
 * Monte Carlo of the Markov chain x0 -> x_s -> x_t with the package's forward transitions; the
 * conditional law of x_s given x_t (and x0) is estimated by linear regression (exact for a Gaussian
 * pair) and by conditioning on x_t in a narrow window. Small t so the minimum image is the lift.
 */
function chain(s: number, t: number, n: number, seed: number) {
  const x0 = new Float64Array(3 * n);
  const rng = createRng(seed);
  for (let i = 0; i < 3 * n; i += 3) { x0[i] = 4.2; x0[i + 1] = 0.1; x0[i + 2] = 9.95; } // near the walls too
  const e1 = new Float64Array(3 * n), e2 = new Float64Array(3 * n);
  rng.fillNormal(e1);
  rng.fillNormal(e2);
  const xs = D.addNoise(x0, s, e1, L);
  const xt = D.forwardTransition(xs, s, t, e2, L);
  const ds = new Float64Array(3 * n), dt = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    ds[i] = mic(xs[i] - x0[i], L) / L;
    dt[i] = mic(xt[i] - x0[i], L) / L;
  }
  return { x0, xs, xt, ds, dt };
}

function regress(y: Float64Array, x: Float64Array) {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  const slope = sxy / sxx;
  let rss = 0;
  for (let i = 0; i < x.length; i++) rss += (y[i] - my - slope * (x[i] - mx)) ** 2;
  return { slope, resVar: rss / (x.length - 2) };
}

describe('exact posterior (Gaussian bridge) vs Monte Carlo', () => {
  const n = 70_000; // 210k coordinates
  for (const [s, t] of [[29, 30], [5, 6], [10, 40], [0, 25]] as const) {
    it(`q(x_${s} | x_${t}, x_0): slope a_s/a_t and variance a_s(a_t - a_s)/a_t (not the paper's half)`, () => {
      const { ds, dt } = chain(s, t, n, 1000 + t);
      const { slope, resVar } = regress(ds, dt);
      const v = D.posteriorVariance(t, s);
      const m = 3 * n;
      expect(Math.abs(slope - sched.a[s] / sched.a[t])).toBeLessThan(5 * Math.sqrt(v / (m * sched.a[t])));
      expect(Math.abs(resVar / v - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
      expect(Math.abs(resVar / DP.posteriorVariance(t, s) - 1)).toBeGreaterThan(0.5); // paper's is off by 2x
      expect(DP.posteriorVariance(t, s)).toBeCloseTo(v / 2, 18);
    });
  }

  it('conditioning on x_t in a narrow window: mean and variance of x_s match posteriorMean / posteriorVariance', () => {
    const s = 20, t = 24;
    const { x0, xs, xt, ds, dt } = chain(s, t, 150_000, 77);
    const pm = D.posteriorMean(xt, x0, t, s, L);
    const c = 0.8 * sched.sqrtA[t]; // condition on dt ~ c (in box units)
    const w = 0.01 * sched.sqrtA[t];
    const sel: number[] = [];
    const pmSel: number[] = [];
    for (let i = 0; i < ds.length; i++) {
      if (Math.abs(dt[i] - c) < w) {
        sel.push(ds[i]);
        pmSel.push(mic(pm[i] - x0[i], L) / L);
      }
      // posteriorMean is x0 + (a_s/a_t) mic(x_t - x0)
      if (i < 100) expect(mic(pm[i] - x0[i], L) / L).toBeCloseTo((sched.a[s] / sched.a[t]) * dt[i], 12);
    }
    expect(sel.length).toBeGreaterThan(1000);
    const v = D.posteriorVariance(t, s);
    const expectedMean = (sched.a[s] / sched.a[t]) * c;
    expect(Math.abs(mean(sel) - expectedMean)).toBeLessThan(5 * Math.sqrt(v / sel.length) + (sched.a[s] / sched.a[t]) * w);
    expect(Math.abs(mean(pmSel) - expectedMean)).toBeLessThan((sched.a[s] / sched.a[t]) * w);
    // window width adds (slope * w)^2 / 3 at most
    expect(Math.abs(variance(sel) / v - 1)).toBeLessThan(5 * Math.sqrt(2 / sel.length) + 0.01);
    void xs;
  });

  it('closed form equals an independent Gaussian-conditioning computation (precision matrices)', () => {
    for (const sc of [sched, linearSchedule(50, { aMin: 0.001, aMax: 0.9 })]) {
      const d = new WrappedDiffusion(sc);
      for (let t = 1; t <= sc.T; t += 7) {
        for (const s of [0, Math.floor(t / 2), t - 1]) {
          // x_s ~ N(0, a_s), x_t | x_s ~ N(x_s, a_t - a_s): joint covariance [[a_s, a_s], [a_s, a_t]]
          const as = sc.a[s], at = sc.a[t];
          const det = as * at - as * as;
          const precSS = at / det; // (Sigma^-1)_ss
          const condVar = 1 / precSS;
          expect(d.posteriorVariance(t, s) / condVar).toBeCloseTo(1, 9); // det loses digits to cancellation
        }
      }
    }
  });
});

describe('step (Algorithm 2) and stepTo (strided / deterministic)', () => {
  it('step matches the reference formula: mu = x_t + L (a_{t-1}/a_t - 1) sqrt(a_t) eps, sigma^2 per option', () => {
    const rng = createRng(21);
    const xt = sampleUniformBox(50, L, rng);
    const eps = normals(150, 22), z = normals(150, 23);
    for (const [d, f] of [[D, 1], [DP, 0.5]] as const) {
      for (const t of [1, 2, 100, 500]) {
        const out = d.step(xt, eps, t, z, L);
        const at = sched.a[t], am = sched.a[t - 1];
        const sig = t > 1 ? L * Math.sqrt((f * am * (at - am)) / at) : 0;
        for (let i = 0; i < 150; i++) {
          const ref = xt[i] + L * (am / at - 1) * Math.sqrt(at) * eps[i] + sig * z[i];
          expect(Math.abs(mic(out[i] - ref, L))).toBeLessThan(1e-10);
          expect(out[i] >= 0 && out[i] < L).toBe(true);
        }
      }
    }
  });

  it('at t = 1 no noise is added; finalStep x0 returns wrap(x0_hat)', () => {
    const xt = sampleUniformBox(10, L, createRng(1));
    const eps = normals(30, 2), z = normals(30, 3);
    expect(Array.from(D.step(xt, eps, 1, z, L))).toEqual(Array.from(D.step(xt, eps, 1, null, L)));
    const DX = new WrappedDiffusion(sched, { finalStep: 'x0' });
    const out = DX.step(xt, eps, 1, z, L);
    const x0hat = D.predictX0(xt, eps, 1, L);
    for (let i = 0; i < 30; i++) expect(Math.abs(mic(out[i] - x0hat[i], L))).toBeLessThan(1e-12);
  });

  it('strided posterior reduces to the one-step one: stepTo(t, t - 1, eta = 1) === step(t) (both variance options)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer(), fc.boolean(), (t, seed, paper) => {
        const d = paper ? DP : D;
        const xt = sampleUniformBox(8, L, createRng(seed));
        const eps = normals(24, seed + 1), z = normals(24, seed + 2);
        expect(Array.from(d.stepTo(xt, eps, t, t - 1, z, L))).toEqual(Array.from(d.step(xt, eps, t, z, L)));
        expect(d.posteriorVariance(t)).toBe(d.posteriorVariance(t, t - 1));
      }),
      { numRuns: 60 },
    );
  });

  it('stepTo with eta = 1 samples the bridge: mean posteriorMean, variance a_s(a_t - a_s)/a_t (MC over z)', () => {
    const n = 40_000;
    const t = 30, s = 12;
    const x0 = new Float64Array(3 * n).fill(5);
    const xt = D.addNoise(x0, t, normals(3 * n, 5), L);
    // the exact eps for a single-point data set
    const eps = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) eps[i] = mic(xt[i] - x0[i], L) / (L * sched.sqrtA[t]);
    const out = D.stepTo(xt, eps, t, s, normals(3 * n, 6), L);
    const pm = D.posteriorMean(xt, x0, t, s, L);
    const r = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) r[i] = mic(out[i] - pm[i], L) / L;
    const v = D.posteriorVariance(t, s);
    expect(Math.abs(mean(r))).toBeLessThan(5 * Math.sqrt(v / (3 * n)));
    expect(Math.abs(variance(r) / v - 1)).toBeLessThan(5 * Math.sqrt(2 / (3 * n)));
  });

  it('eta = 0 is deterministic (z ignored) and equals x0_hat + sqrt(a_s/a_t)(x_t - x0_hat)', () => {
    const xt = sampleUniformBox(30, L, createRng(31));
    const eps = normals(90, 32);
    const a = D.stepTo(xt, eps, 300, 120, normals(90, 33), L, undefined, { eta: 0 });
    const b = D.stepTo(xt, eps, 300, 120, null, L, undefined, { eta: 0 });
    expect(Array.from(a)).toEqual(Array.from(b));
    const x0hat = D.predictX0(xt, eps, 300, L);
    const k = Math.sqrt(sched.a[120] / sched.a[300]);
    for (let i = 0; i < 90; i++) expect(Math.abs(mic(a[i] - (x0hat[i] + k * (xt[i] - x0hat[i])), L))).toBeLessThan(1e-10);
  });

  it('reverse steps reproduce the forward marginals (exact variance, any eta); the paper variance does not', () => {
    // single-point data set x0, x_t1 from the forward process, exact eps, run to t2: Var(x_t2 - x0) must be a_t2
    const n = 20_000;
    const t1 = 40, t2 = 4;
    const rng = createRng(41);
    const x0 = sampleUniformBox(n, L, rng);
    const m = 3 * n;
    const eps = new Float64Array(m), z = new Float64Array(m);
    const run = (d: WrappedDiffusion, eta: number, stride: number): number => {
      const x = d.addNoise(x0, t1, normals(m, 42), L);
      let t = t1;
      while (t > t2) {
        const s = Math.max(t2, t - stride);
        for (let i = 0; i < m; i++) eps[i] = mic(x[i] - x0[i], L) / (L * sched.sqrtA[t]);
        rng.fillNormal(z);
        d.stepTo(x, eps, t, s, z, L, x, { eta });
        t = s;
      }
      const r = new Float64Array(m);
      for (let i = 0; i < m; i++) r[i] = mic(x[i] - x0[i], L) / L;
      return variance(r) / sched.a[t2];
    };
    const tol = 5 * Math.sqrt(2 / m);
    for (const eta of [0, 0.5, 1]) for (const stride of [1, 6]) expect(Math.abs(run(D, eta, stride) - 1)).toBeLessThan(tol);
    expect(1 - run(DP, 1, 1)).toBeGreaterThan(0.1);
  });

  it('translation equivariance: step(wrap(x + c)) = wrap(step(x) + c) (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }), fc.integer(), fc.double({ min: -30, max: 30, noNaN: true }),
        fc.constantFrom(0, 0.3, 1),
        (t, seed, c, eta) => {
          const x = sampleUniformBox(5, L, createRng(seed));
          const eps = normals(15, seed + 1), z = normals(15, seed + 2);
          const xc = x.map((v) => (((v + c) % L) + L) % L);
          const s = Math.floor(t / 3);
          const a = D.stepTo(x, eps, t, s, z, L, undefined, { eta });
          const b = D.stepTo(xc, eps, t, s, z, L, undefined, { eta });
          for (let i = 0; i < 15; i++) expect(Math.abs(mic(b[i] - (a[i] + c), L))).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('langevinStep (predictor-corrector)', () => {
  it('equals wrap(x - r L sqrt(a_t) eps + sqrt(2 r) L sqrt(a_t) z), computed independently', () => {
    const box: [number, number, number] = [10, 7, 13];
    const x = sampleUniformBox(50, box, createRng(3));
    const e = normals(150, 4);
    const z = normals(150, 5);
    for (const [t, r] of [[1, 0.1], [40, 0.3], [500, 1]] as const) {
      const out = D.langevinStep(x, e, t, r, z, box);
      for (let i = 0; i < 150; i++) {
        const Ld = box[i % 3];
        const sd = Ld * Math.sqrt(sched.a[t]);
        let v = (x[i] - r * sd * e[i] + Math.sqrt(2 * r) * sd * z[i]) % Ld;
        if (v < 0) v += Ld;
        expect(out[i]).toBeCloseTo(v, 10);
        expect(out[i]).toBeGreaterThanOrEqual(0);
        expect(out[i]).toBeLessThan(Ld);
      }
    }
  });

  it('with the exact score of one Gaussian point, the chain is stationary at variance a_t / (1 - r/2) (closed form)', () => {
    // p_t(x) = N(x0, L^2 a_t) for a single point x0 (t small: no wrapping), so eps_pred = (x - x0) / (L sqrt(a_t)).
    const t = 5; // L sqrt(a_t) = 0.28: wrapping is negligible (18 sd to the edges)
    const sd = L * sched.sqrtA[t];
    const x0 = 5;
    const chains = 4000;
    for (const r of [0.05, 0.3]) {
      const rng = createRng(7);
      const x = new Float64Array(3 * chains);
      rng.fillNormal(x);
      for (let i = 0; i < x.length; i++) x[i] = x0 + sd * x[i];
      const e = new Float64Array(x.length);
      const z = new Float64Array(x.length);
      for (let k = 0; k < 200; k++) {
        for (let i = 0; i < x.length; i++) e[i] = (x[i] - x0) / sd;
        rng.fillNormal(z);
        D.langevinStep(x, e, t, r, z, L, x);
      }
      const dev = Array.from(x, (v) => v - x0);
      const expected = (sd * sd) / (1 - r / 2);
      // 12,000 nearly independent draws: the sample variance has a relative sd of ~1.3%
      expect(Math.abs(variance(dev) / expected - 1)).toBeLessThan(0.05);
      expect(Math.abs(mean(dev))).toBeLessThan(0.05 * sd);
      // and it is not the plain a_t when r is large (the ULA bias is real and predicted)
      if (r === 0.3) expect(variance(dev) / (sd * sd)).toBeGreaterThan(1.1);
    }
  });

  it('bad r, t or lengths are typed errors', () => {
    const x = new Float64Array(6);
    expect(() => D.langevinStep(x, x, 1, 0, x, L)).toThrow(/r \(step size relative to the noise variance\) must be a number in \(0, 1\]/);
    expect(() => D.langevinStep(x, x, 1, 1.5, x, L)).toThrow(ScheduleError);
    expect(() => D.langevinStep(x, x, 0, 0.1, x, L)).toThrow(ScheduleError);
    expect(() => D.langevinStep(x, new Float64Array(3), 1, 0.1, x, L)).toThrow(ScheduleError);
    expect(() => D.langevinStep(x, x, 1, 0.1, x, -1)).toThrow(ScheduleError);
  });
});

describe('timesteps', () => {
  it('T steps give T..1; fewer steps are strictly decreasing from start to >= 1', () => {
    expect(Array.from(D.timesteps())).toEqual(Array.from({ length: 500 }, (_, i) => 500 - i));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (start, k) => {
        const n = Math.min(k, start);
        const ts = D.timesteps(n, { start });
        expect(ts.length).toBe(n);
        expect(ts[0]).toBe(start);
        if (n > 1) expect(ts[n - 1]).toBe(1);
        for (let i = 1; i < n; i++) expect(ts[i]).toBeLessThan(ts[i - 1]);
      }),
      { numRuns: 200 },
    );
    expect(Array.from(D.timesteps(5))).toEqual([500, 375, 251, 126, 1]);
  });
});

describe('bad input gets a typed ScheduleError', () => {
  const x = new Float64Array(6), e = new Float64Array(6);
  const expectErr = (f: () => unknown, code: string, msg: RegExp) => {
    let caught: unknown;
    try { f(); } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(ScheduleError);
    expect(caught).toBeInstanceOf(MddmError);
    expect((caught as ScheduleError).code).toBe(code);
    expect((caught as Error).message).toMatch(msg);
  };
  it('t outside the range', () => {
    expectErr(() => D.addNoise(x, 501, e, L), 'SCHEDULE_T_RANGE', /addNoise: t must be an integer in 0..500, got 501/);
    expectErr(() => D.addNoise(x, -1, e, L), 'SCHEDULE_T_RANGE', /got -1/);
    expectErr(() => D.step(x, e, 0, null, L), 'SCHEDULE_T_RANGE', /step: t must be an integer in 1..500, got 0/);
    expectErr(() => D.step(x, e, 2.5, null, L), 'SCHEDULE_T_RANGE', /got 2.5/);
    expectErr(() => D.stepTo(x, e, 10, 10, null, L), 'SCHEDULE_T_RANGE', /tPrev must be an integer in 0..9, got 10/);
    expectErr(() => D.posteriorVariance(600), 'SCHEDULE_T_RANGE', /posteriorVariance/);
    expectErr(() => D.timesteps(0), 'SCHEDULE_T_RANGE', /steps/);
    expectErr(() => D.predictX0(x, e, NaN, L), 'SCHEDULE_T_RANGE', /got NaN/);
  });
  it('length mismatch and bad out', () => {
    expectErr(() => D.addNoise(x, 1, new Float64Array(3), L), 'SCHEDULE_LENGTH', /eps.length \(3\) must equal x0.length \(6\)/);
    expectErr(() => D.addNoise(new Float64Array(4), 1, new Float64Array(4), L), 'SCHEDULE_LENGTH', /multiple of 3/);
    expectErr(() => D.step(x, e, 3, new Float64Array(9), L), 'SCHEDULE_LENGTH', /z.length/);
    expectErr(() => D.step(x, e, 3, null, L, new Float32Array(6) as unknown as Float64Array), 'SCHEDULE_LENGTH', /out must be a Float64Array of length 6/);
    expectErr(() => D.predictX0(x, [1, 2] as unknown as Float64Array, 3, L), 'SCHEDULE_LENGTH', /epsPred must be a Float32Array or Float64Array/);
  });
  it('NaN / Inf in any input, naming the array and index', () => {
    const bad = new Float64Array(6); bad[4] = NaN;
    const inf = new Float64Array(6); inf[2] = Infinity;
    expectErr(() => D.addNoise(bad, 3, e, L), 'SCHEDULE_NAN', /x0\[4\] must be finite, got NaN/);
    expectErr(() => D.addNoise(x, 3, inf, L), 'SCHEDULE_NAN', /eps\[2\] must be finite, got Infinity/);
    expectErr(() => D.step(x, bad, 3, e, L), 'SCHEDULE_NAN', /epsPred\[4\]/);
    expectErr(() => D.step(x, e, 3, bad, L), 'SCHEDULE_NAN', /z\[4\]/);
    expectErr(() => D.predictX0(inf, e, 3, L), 'SCHEDULE_NAN', /xt\[2\]/);
    expectErr(() => D.posteriorMean(x, bad, 3, 2, L), 'SCHEDULE_NAN', /x0\[4\]/);
  });
  it('bad box, eta and options', () => {
    expectErr(() => D.addNoise(x, 1, e, 0), 'SCHEDULE_BAD_ARG', /box length L must be a finite number > 0, got 0/);
    expectErr(() => D.addNoise(x, 1, e, [1, 2] as unknown as number), 'SCHEDULE_BAD_ARG', /array of length 2/);
    expectErr(() => D.addNoise(x, 1, e, [1, NaN, 2]), 'SCHEDULE_BAD_ARG', /Ly/);
    expectErr(() => D.stepTo(x, e, 5, 2, null, L, undefined, { eta: 1.5 }), 'SCHEDULE_BAD_ARG', /eta must be a number in \[0, 1\], got 1.5/);
    expectErr(() => D.stepTo(x, e, 5, 2, null, L, undefined, { eta: NaN }), 'SCHEDULE_BAD_ARG', /eta/);
    expectErr(() => new WrappedDiffusion(sched, { variance: 'half' as 'exact' }), 'SCHEDULE_BAD_ARG', /variance must be 'exact' or 'paper', got "half"/);
    expectErr(() => new WrappedDiffusion(sched, { finalStep: 'none' as 'x0' }), 'SCHEDULE_BAD_ARG', /finalStep/);
    expectErr(() => sampleUniformBox(-1, L, createRng(1)), 'SCHEDULE_BAD_ARG', /n must be an integer >= 0/);
    expectErr(() => sampleUniformBox(2, L, createRng(1), new Float64Array(5)), 'SCHEDULE_LENGTH', /length 6/);
  });
});
