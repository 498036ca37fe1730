import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  NoiseSchedule, Predictor, ScheduleError, WrappedDiffusion, ancestralPredictor, classifierFreeGuidanceEps, createRng, dpmSolver2MPredictor,
  edmStochasticPredictor, encodeTime, eulerPredictor, geometricSchedule, heunPredictor, langevinCorrector, noiseLevels, runSampler,
  sampleUniformBox, sigmaAt, timestepAt, wrappedNormalScore,
} from '@mddm/schedules';
import { ksCritical, ksStatistic, mic, normalCdf } from './helpers';

/**
 * Closed-form problem for the probability-flow ODE samplers: every coordinate of the data is an
 * independent wrapped normal `WN(mu, s^2)` on a period L. The noised marginal at noise std `sigma`
 * (LJ units) is then `WN(mu, s^2 + sigma^2)`, whose score is `wrappedNormalScore` (exact, all sigma),
 * so the exact eps is `eps = -sigma_LJ * score`. While `sqrt(s^2 + sigma^2) << L` (no wrapping), the
 * PF-ODE `dx/dsigma = sigma (x - mu) / (s^2 + sigma^2)` has the solution
 * `x(sigma) - mu = (x(sigma0) - mu) sqrt(s^2 + sigma^2) / sqrt(s^2 + sigma0^2)`.
 */
function gaussianEps(mu: Float64Array, s: number, schedule: NoiseSchedule, L: number) {
  return (x: Float64Array, t: number, out: Float64Array): void => {
    const sig = L * sigmaAt(schedule, t); // written against sigmaAt: fractional t allowed
    const tot = Math.sqrt(s * s + sig * sig);
    for (let i = 0; i < x.length; i++) out[i] = -sig * wrappedNormalScore(x[i] - mu[i], tot, L);
  };
}

const L = 10;

/** Max error of an ODE sample against the no-wrap closed form. */
async function odeError(predictor: Predictor, steps: number, spacing: 'karras' | 'log-sigma'): Promise<number> {
  // sigma 0.01..0.1 LJ (box fractions 1e-3..1e-2) in a 10 box: wrapping is exp(-50) away. T = 20000
  // so the final step t = 1 -> 0 (fixed size) is negligible next to the grid steps.
  const schedule = geometricSchedule(20000, { sigmaMinBox: 1e-3, sigmaMaxBox: 1e-2 });
  const diffusion = new WrappedDiffusion(schedule, { finalStep: 'posterior' });
  const s = 0.02;
  const N = 20;
  const rng = createRng(3);
  const mu = sampleUniformBox(N, L, rng);
  const x = new Float64Array(3 * N);
  const sig0 = L * schedule.sqrtA[schedule.T];
  for (let i = 0; i < x.length; i++) x[i] = ((mu[i] + Math.sqrt(s * s + sig0 * sig0) * rng.normal()) % L + L) % L;
  const start = x.slice();
  const levels = noiseLevels(schedule, steps, { spacing, discrete: false });
  const { evaluations } = await runSampler(diffusion, x, L, gaussianEps(mu, s, schedule, L), rng, { predictor, timesteps: levels });
  expect(evaluations).toBeGreaterThan(0);
  const sigEnd = L * schedule.sqrtA[0];
  const ratio = Math.sqrt(s * s + sigEnd * sigEnd) / Math.sqrt(s * s + sig0 * sig0);
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(mic(x[i] - (mu[i] + ratio * mic(start[i] - mu[i], L)), L)));
  return err;
}

/** Least-squares slope of log(err) against log(steps). */
function slope(steps: number[], errs: number[]): number {
  const xs = steps.map(Math.log), ys = errs.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return -num / den;
}

describe('noise levels between schedule points', () => {
  const schedule = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });

  it('sigmaAt is the schedule at integers, log-linear between, and timestepAt inverts it (property)', () => {
    for (const t of [0, 1, 17, 250, 500]) expect(sigmaAt(schedule, t)).toBe(schedule.sqrtA[t]);
    fc.assert(fc.property(fc.double({ min: 0, max: 500, noNaN: true }), (tau) => {
      // independent: a geometric schedule has sigma = 1e-3 * 1000^(tau / 500) exactly
      expect(sigmaAt(schedule, tau)).toBeCloseTo(1e-3 * Math.pow(1000, tau / 500), 12);
      expect(timestepAt(schedule, sigmaAt(schedule, tau))).toBeCloseTo(tau, 8);
    }));
    expect(timestepAt(schedule, 1e-9)).toBe(0);
    expect(timestepAt(schedule, 5)).toBe(500);
    expect(() => sigmaAt(schedule, 501)).toThrow(ScheduleError);
    expect(() => timestepAt(schedule, -1)).toThrow(/sigma must be a number > 0/);
  });

  it('encodeTime at a fractional t is linear in log sigma (the network sees a continuous time input)', () => {
    const enc = (t: number) => encodeTime('log-sigma', t, schedule.a);
    const l1 = Math.log(schedule.sqrtA[1]), lT = Math.log(schedule.sqrtA[500]);
    for (const tau of [1, 1.5, 99.25, 362.9, 500]) expect(enc(tau)).toBeCloseTo((Math.log(sigmaAt(schedule, tau)) - l1) / (lT - l1), 12);
    expect(enc(100)).toBe((0.5 * Math.log(schedule.a[100]) - 0.5 * Math.log(schedule.a[1])) / (0.5 * Math.log(schedule.a[500]) - 0.5 * Math.log(schedule.a[1])));
  });

  it("'karras' levels follow EDM Eq. 5 (continuous) and snap to strictly decreasing integers (property)", () => {
    const n = 18, rho = 7;
    const c = noiseLevels(schedule, n, { spacing: 'karras', rho, start: 363, discrete: false });
    const sMax = schedule.sqrtA[363], sMin = schedule.sqrtA[1];
    for (let i = 0; i < n; i++) {
      const edm = (sMax ** (1 / rho) + (i / (n - 1)) * (sMin ** (1 / rho) - sMax ** (1 / rho))) ** rho;
      expect(sigmaAt(schedule, c[i]) / edm).toBeCloseTo(1, 10);
    }
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 500 }), fc.double({ min: 0.5, max: 20, noNaN: true }),
      fc.constantFrom('karras' as const, 'log-sigma' as const, 'uniform' as const), (steps, start, r, spacing) => {
        const ts = noiseLevels(schedule, steps, { spacing, rho: r, start });
        expect(ts[0]).toBe(start);
        if (steps > 1) expect(ts[steps - 1]).toBe(1);
        for (let i = 0; i < steps; i++) {
          expect(Number.isInteger(ts[i])).toBe(true);
          if (i > 0) expect(ts[i]).toBeLessThan(ts[i - 1]);
        }
      }), { numRuns: 60 });
    expect(() => noiseLevels(schedule, 10, { spacing: 'cubic' as never })).toThrow(/spacing must be/);
    expect(() => noiseLevels(schedule, 10, { rho: 0 })).toThrow(/rho must be/);
    expect(() => noiseLevels(schedule, 501)).toThrow(ScheduleError);
  });
});

describe('ODE samplers on a closed form (Gaussian data, exact wrapped score)', () => {
  it('Euler = deterministic DDIM (ancestral eta = 0) on an integer grid', async () => {
    const schedule = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const mu = sampleUniformBox(50, L, createRng(1));
    const eps = gaussianEps(mu, 0.3, schedule, L);
    for (const finalStep of ['posterior', 'x0'] as const) {
      const diffusion = new WrappedDiffusion(schedule, { finalStep });
      const a = sampleUniformBox(50, L, createRng(2)), b = a.slice();
      const ts = noiseLevels(schedule, 25, { start: 400 });
      await runSampler(diffusion, a, L, eps, createRng(0), { predictor: eulerPredictor(), timesteps: ts });
      await runSampler(diffusion, b, L, eps, createRng(0), { predictor: ancestralPredictor({ eta: 0 }), timesteps: ts });
      for (let i = 0; i < a.length; i++) expect(Math.abs(mic(a[i] - b[i], L))).toBeLessThan(1e-11);
    }
  });

  it('Heun matches an independent implementation of EDM Algorithm 1 (one particle, no wrap)', async () => {
    const schedule = geometricSchedule(20000, { sigmaMinBox: 1e-3, sigmaMaxBox: 1e-2 });
    const diffusion = new WrappedDiffusion(schedule, { finalStep: 'x0' });
    const mu = Float64Array.of(5, 5, 5), s = 0.02;
    const x = Float64Array.of(5.05, 4.9, 5.1);
    const levels = noiseLevels(schedule, 6, { discrete: false });
    const r = await runSampler(diffusion, x, L, gaussianEps(mu, s, schedule, L), createRng(0), { predictor: heunPredictor(), timesteps: levels });
    expect(r.evaluations).toBe(2 * 6 - 1);
    // Algorithm 1 in LJ units with D(x; sig) = mu + s^2 (x - mu) / (s^2 + sig^2), t_N = 0
    const sig = [...levels].map((t) => L * sigmaAt(schedule, t)).concat([0]);
    const D = (v: number, sg: number) => 5 + (s * s * (v - 5)) / (s * s + sg * sg);
    for (const [d, x0] of [5.05, 4.9, 5.1].entries()) {
      let v = x0;
      for (let i = 0; i < 6; i++) {
        const di = (v - D(v, sig[i])) / sig[i];
        const ve = v + (sig[i + 1] - sig[i]) * di;
        if (sig[i + 1] !== 0) v = v + (sig[i + 1] - sig[i]) * 0.5 * (di + (ve - D(ve, sig[i + 1])) / sig[i + 1]);
        else v = ve;
      }
      expect(x[d]).toBeCloseTo(v, 12);
    }
  });

  it('convergence order: Euler ~1, Heun ~2, DPM-Solver++(2M) ~2 (error vs steps against the closed form)', async () => {
    const steps = [6, 12, 24, 48];
    const orders: Record<string, number> = {};
    for (const [name, make] of [['euler', eulerPredictor], ['heun', heunPredictor], ['dpm2m', dpmSolver2MPredictor]] as const) {
      const errs: number[] = [];
      for (const n of steps) errs.push(await odeError(make(), n, 'log-sigma'));
      orders[name] = slope(steps, errs);
    }
    // eslint-disable-next-line no-console
    console.log('measured orders (log-sigma grid):', orders);
    expect(orders.euler).toBeGreaterThan(0.85);
    expect(orders.euler).toBeLessThan(1.2);
    expect(orders.heun).toBeGreaterThan(1.8);
    expect(orders.heun).toBeLessThan(2.4);
    // DPM-Solver++ is pre-asymptotically better than 2 here (the denoised estimate D is nearly constant
    // in lambda = -log sigma once sigma >> s): 2.8 over 6..48 steps, local orders 3.2, 2.8, 2.4, 2.2, 2.1
    // from 6 to 192 steps; the asymptotic local order is checked at 96 -> 192 steps
    expect(orders.dpm2m).toBeGreaterThan(1.8);
    const local = Math.log2((await odeError(dpmSolver2MPredictor(), 96, 'log-sigma')) / (await odeError(dpmSolver2MPredictor(), 192, 'log-sigma')));
    expect(local).toBeGreaterThan(1.8);
    expect(local).toBeLessThan(2.4);
    const karras = slope(steps, await Promise.all(steps.map((n) => odeError(heunPredictor(), n, 'karras'))));
    expect(karras).toBeGreaterThan(1.8);
  });

  it('from uniform noise (full wrapping, sigma up to one box) every solver lands on the data distribution', async () => {
    const schedule = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const diffusion = new WrappedDiffusion(schedule, { finalStep: 'x0' });
    const N = 1000, s = 0.3;
    const mu = sampleUniformBox(N, L, createRng(11));
    const eps = gaussianEps(mu, s, schedule, L);
    const cases: [string, Predictor, number][] = [
      ['heun', heunPredictor(), 30], ['edm', edmStochasticPredictor({ gamma: 0.3 }), 30], ['dpm2m', dpmSolver2MPredictor(), 40], ['euler', eulerPredictor(), 200],
    ];
    for (const [name, predictor, steps] of cases) {
      const x = sampleUniformBox(N, L, createRng(5));
      await runSampler(diffusion, x, L, eps, createRng(6), { predictor, timesteps: noiseLevels(schedule, steps) });
      const d = Array.from(x, (v, i) => mic(v - mu[i], L));
      const ks = ksStatistic(d, (u) => normalCdf(u / s));
      expect(ks, name).toBeLessThan(ksCritical(d.length));
      for (const v of x) expect(v >= 0 && v < L).toBe(true);
    }
  });
});

describe('without a box (a diffusion marked periodic: false, e.g. point clouds)', () => {
  it('Heun / DPM-Solver++(2M) / EDM add the same displacements without wrapping (closed form in R^3)', async () => {
    const schedule = geometricSchedule(4000, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const diffusion = new WrappedDiffusion(schedule, { finalStep: 'posterior' });
    Object.defineProperty(diffusion, 'periodic', { value: false });
    const s = 0.5, mu = Float64Array.of(0, 1, -2);
    // Gaussian data N(mu, s^2) in R^3: eps = sig (x - mu) / (s^2 + sig^2), sig = sigma_box * 1
    const eps = (x: Float64Array, t: number, out: Float64Array) => {
      const sig = sigmaAt(schedule, t);
      for (let i = 0; i < 3; i++) out[i] = (sig * (x[i] - mu[i])) / (s * s + sig * sig);
    };
    for (const p of [heunPredictor(), dpmSolver2MPredictor(), edmStochasticPredictor({ gamma: 0 })]) {
      const x = Float64Array.of(3, -4, 0.5);
      const start = x.slice();
      await runSampler(diffusion, x, 1, eps, createRng(0), { predictor: p, timesteps: noiseLevels(schedule, 200, { spacing: 'log-sigma', discrete: false }) });
      const ratio = Math.sqrt(s * s + schedule.a[0]) / Math.sqrt(s * s + 1);
      for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(mu[i] + ratio * (start[i] - mu[i]), 3); // the fixed final Euler step t = 1 -> 0 dominates
      expect(x[1]).toBeLessThan(0); // not wrapped into [0, 1)
    }
  });
});

describe('sampler plumbing', () => {
  const schedule = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
  const diffusion = new WrappedDiffusion(schedule, { finalStep: 'x0' });
  const mu = sampleUniformBox(100, L, createRng(1));
  const eps = gaussianEps(mu, 0.3, schedule, L);

  it('NFE: Heun / EDM 2n - 1, DPM-Solver++(2M) and Euler n; guidance counts 2 per call', async () => {
    const ts = noiseLevels(schedule, 10, { start: 363 });
    const run = (p: Predictor, e = eps as Parameters<typeof runSampler>[3]) =>
      runSampler(diffusion, sampleUniformBox(100, L, createRng(2)), L, e, createRng(3), { predictor: p, timesteps: ts });
    expect((await run(heunPredictor())).evaluations).toBe(19);
    expect((await run(edmStochasticPredictor())).evaluations).toBe(19);
    expect((await run(dpmSolver2MPredictor())).evaluations).toBe(10);
    expect((await run(eulerPredictor())).evaluations).toBe(10);
    const guided = classifierFreeGuidanceEps(eps, eps, 1.5);
    expect((await run(heunPredictor(), guided)).evaluations).toBe(38);
    const pc = await runSampler(diffusion, sampleUniformBox(100, L, createRng(2)), L, eps, createRng(3), {
      predictor: heunPredictor(), timesteps: ts, corrector: langevinCorrector({ steps: 2, sigmaMaxLj: 0.3 }),
    });
    const inBand = Array.from(ts).filter((t) => L * schedule.sqrtA[t] <= 0.3).length;
    expect(pc.evaluations).toBe(19 + 2 * inBand);
  });

  it('deterministic with a seed (stochastic EDM included); one predictor object serves several runs', async () => {
    const ts = noiseLevels(schedule, 12, { start: 363 });
    for (const p of [edmStochasticPredictor({ gamma: 0.4 }), dpmSolver2MPredictor(), heunPredictor()]) {
      const a = sampleUniformBox(100, L, createRng(2)), b = a.slice();
      await runSampler(diffusion, a, L, eps, createRng(9), { predictor: p, timesteps: ts });
      await runSampler(diffusion, b, L, eps, createRng(9), { predictor: p, timesteps: ts });
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    const c = sampleUniformBox(100, L, createRng(2)), d = c.slice();
    await runSampler(diffusion, c, L, eps, createRng(9), { predictor: edmStochasticPredictor({ gamma: 0.4 }), timesteps: ts });
    await runSampler(diffusion, d, L, eps, createRng(10), { predictor: edmStochasticPredictor({ gamma: 0.4 }), timesteps: ts });
    expect(Array.from(d)).not.toEqual(Array.from(c));
  });

  it('EDM churn with gamma = 0 is Heun; the churn band limits where noise is added', async () => {
    const ts = noiseLevels(schedule, 12, { start: 363 });
    const a = sampleUniformBox(100, L, createRng(2)), b = a.slice(), c = a.slice();
    await runSampler(diffusion, a, L, eps, createRng(9), { predictor: heunPredictor(), timesteps: ts });
    await runSampler(diffusion, b, L, eps, createRng(9), { predictor: edmStochasticPredictor({ gamma: 0 }), timesteps: ts });
    await runSampler(diffusion, c, L, eps, createRng(9), { predictor: edmStochasticPredictor({ gamma: 0.3, sigmaMinLj: 100 }), timesteps: ts });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(() => edmStochasticPredictor({ gamma: 0.5 })).toThrow(/gamma must be/);
    expect(() => edmStochasticPredictor({ sNoise: 3 })).toThrow(/sNoise/);
  });

  it('stays inside the box and finite for any grid and seed (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom('heun', 'edm', 'dpm2m'), fc.boolean(), async (steps, seed, kind, discrete) => {
        const p = kind === 'heun' ? heunPredictor() : kind === 'edm' ? edmStochasticPredictor({ gamma: 0.3 }) : dpmSolver2MPredictor();
        const x = sampleUniformBox(100, L, createRng(seed));
        await runSampler(diffusion, x, L, eps, createRng(seed + 1), { predictor: p, timesteps: noiseLevels(schedule, steps, { start: 363, discrete }) });
        for (const v of x) expect(v >= 0 && v < L).toBe(true);
      }), { numRuns: 25 });
  });

  it('rejects bad grids with typed errors', async () => {
    const x = sampleUniformBox(10, L, createRng(1));
    await expect(runSampler(diffusion, x, L, eps, createRng(1), { timesteps: [5, 5] })).rejects.toThrow(/strictly decreasing/);
    await expect(runSampler(diffusion, x, L, eps, createRng(1), { timesteps: [600] })).rejects.toThrow(ScheduleError);
    await expect(runSampler(diffusion, x, L, eps, createRng(1), { timesteps: [] })).rejects.toThrow(/non-empty/);
  });
});
