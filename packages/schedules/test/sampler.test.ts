import { describe, expect, it } from 'vitest';
import {
  NoiseSchedule, SamplerContext, WrappedDiffusion, ancestralPredictor, cosineSchedule, createRng, langevinCorrector, linearSchedule, runSampler,
  sampleUniformBox, scheduleFromFunction,
} from '@mddm/schedules';
import { mic } from './helpers';

/**
 * End-to-end: the exact optimal denoiser for a data set of ONE configuration x0 (eps* from x_t and the
 * known x0 with the minimum-image displacement). Starting from uniform noise, the sampler must end
 * on x0 (periodically).
 */
function exactEps(x0: Float64Array, sched: NoiseSchedule, L: number) {
  return (xt: Float64Array, t: number, out: Float64Array): void => {
    const c = L * sched.sqrtA[t];
    for (let i = 0; i < xt.length; i++) out[i] = mic(xt[i] - x0[i], L) / c;
  };
}

function rmsResidual(x: Float64Array, x0: Float64Array, L: number): { rms: number; max: number } {
  let s = 0, mx = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(mic(x[i] - x0[i], L));
    s += d * d;
    mx = Math.max(mx, d);
  }
  return { rms: Math.sqrt(s / x.length), max: mx };
}

const L = 10;

describe('end-to-end: single-point data set, exact denoiser', () => {
  const sched = cosineSchedule();
  const N = 1000;
  const x0 = sampleUniformBox(N, L, createRng(1));
  const eps = exactEps(x0, sched, L);
  // with the exact bridge the state at t = 1 has the forward law N(x0, a_1 L^2); the final Algorithm 2
  // step keeps a fraction a_0/a_1 of the displacement: residual std a_0 / sqrt(a_1) * L (about 0.1 here)
  const expected = (sched.a[0] / sched.sqrtA[1]) * L;

  for (const steps of [500, 50]) {
    it(`${steps}-step ancestral sampler concentrates on x0 with the predicted residual ${expected.toFixed(4)}`, async () => {
      const D = new WrappedDiffusion(sched);
      const x = sampleUniformBox(N, L, createRng(2));
      const before = rmsResidual(x, x0, L).rms;
      await runSampler(D, x, L, eps, createRng(3), { steps });
      const { rms, max } = rmsResidual(x, x0, L);
      expect(before).toBeGreaterThan(2.5); // uniform: L / sqrt(12) = 2.89
      expect(Math.abs(rms / expected - 1)).toBeLessThan(5 * Math.sqrt(1 / (2 * 3 * N)));
      expect(max).toBeLessThan(6 * expected);
      for (const v of x) expect(v >= 0 && v < L).toBe(true);
    });
  }

  it("finalStep 'x0' lands exactly on x0; eta = 0 is deterministic and lands within sqrt(a_0/a_T) * L/2", async () => {
    const DX = new WrappedDiffusion(sched, { finalStep: 'x0' });
    const x = sampleUniformBox(N, L, createRng(4));
    await runSampler(DX, x, L, eps, createRng(5), { steps: 30 });
    expect(rmsResidual(x, x0, L).max).toBeLessThan(1e-9);

    const D = new WrappedDiffusion(sched);
    const a = sampleUniformBox(N, L, createRng(6));
    const b = Float64Array.from(a);
    await runSampler(D, a, L, eps, createRng(7), { predictor: ancestralPredictor({ eta: 0 }) });
    await runSampler(D, b, L, eps, createRng(8), { predictor: ancestralPredictor({ eta: 0 }), steps: 500 });
    expect(Array.from(a)).toEqual(Array.from(b)); // z never used
    expect(rmsResidual(a, x0, L).max).toBeLessThanOrEqual(Math.sqrt(sched.a[0] / sched.a[500]) * (L / 2) * (1 + 1e-9));
  });

  it('a wrong sign in the denoiser does not concentrate (the end-to-end check can fail)', async () => {
    const D = new WrappedDiffusion(sched);
    const x = sampleUniformBox(200, L, createRng(9));
    const x0s = x0.subarray(0, 600);
    const bad = (xt: Float64Array, t: number, out: Float64Array) => {
      exactEps(x0s, sched, L)(xt, t, out);
      for (let i = 0; i < out.length; i++) out[i] = -out[i];
    };
    await runSampler(D, x, L, bad, createRng(10), { steps: 50 });
    expect(rmsResidual(x, x0s, L).rms).toBeGreaterThan(1);
  });
});

describe('end-to-end: two-point mixture per coordinate, exact MMSE denoiser (distribution, not just concentration)', () => {
  // data: every coordinate independently c1 = 2 (prob 0.3) or c2 = 5 (prob 0.7). The MMSE eps for the
  // wrapped process is the posterior average over centres AND periodic images (Tweedie for the
  // wrapped marginal); the reverse process must reproduce the mixture weights.
  const sched = cosineSchedule();
  const c = [2, 5], w = [0.3, 0.7];
  const eps = (x: Float64Array, t: number, out: Float64Array): void => {
    const v = sched.a[t] * L * L, sd = L * sched.sqrtA[t];
    for (let i = 0; i < x.length; i++) {
      let mx = -Infinity;
      for (let j = 0; j < 2; j++) for (let k = -3; k <= 3; k++) { const d = x[i] + k * L - c[j]; mx = Math.max(mx, (-d * d) / (2 * v)); }
      let num = 0, den = 0;
      for (let j = 0; j < 2; j++) {
        for (let k = -3; k <= 3; k++) {
          const d = x[i] + k * L - c[j];
          const ww = w[j] * Math.exp((-d * d) / (2 * v) - mx);
          num += ww * d;
          den += ww;
        }
      }
      out[i] = num / den / sd;
    }
  };
  const run = async (variance: 'exact' | 'paper', eta: number, steps: number) => {
    const D = new WrappedDiffusion(sched, { variance, finalStep: 'x0' });
    const x = sampleUniformBox(1500, L, createRng(1));
    await runSampler(D, x, L, eps, createRng(2), { predictor: ancestralPredictor({ eta }), steps });
    let n1 = 0, off = 0;
    for (const v of x) {
      if (Math.abs(mic(v - c[0], L)) < 0.3) n1++;
      else if (Math.abs(mic(v - c[1], L)) > 0.3) off++;
    }
    return { p1: n1 / x.length, off: off / x.length };
  };
  const se = Math.sqrt((0.3 * 0.7) / 4500);
  it('exact bridge (eta = 1) and deterministic (eta = 0), full and 50-step strided: weight 0.3 recovered', async () => {
    for (const [eta, steps] of [[1, 500], [1, 50], [0, 500], [0, 50]]) {
      const { p1, off } = await run('exact', eta, steps);
      expect(Math.abs(p1 - 0.3), `eta=${eta} steps=${steps} p1=${p1}`).toBeLessThan(4 * se);
      expect(off).toBeLessThan(0.005);
    }
  });
  it("the paper's halved variance biases the mixture weight (the distributional test can fail)", async () => {
    const { p1 } = await run('paper', 1, 500);
    expect(0.3 - p1).toBeGreaterThan(4 * se);
  });
});

describe('config sweep: every knob (schedule kind, variance, eta, finalStep, strided/full)', () => {
  const schedules: NoiseSchedule[] = [
    cosineSchedule(),
    cosineSchedule(100, { s: 0.02 }),
    linearSchedule(200),
    linearSchedule(60, { aMin: 0, aMax: 1 }),
    scheduleFromFunction(120, (t) => 1e-4 * 1e4 ** (t / 120), 'geometric'),
  ];
  const N = 100;
  const x0 = sampleUniformBox(N, L, createRng(11));
  for (const sched of schedules) {
    it(`${sched.name}`, async () => {
      const eps = exactEps(x0, sched, L);
      for (const variance of ['exact', 'paper'] as const) {
        for (const finalStep of ['posterior', 'x0'] as const) {
          const D = new WrappedDiffusion(sched, { variance, finalStep });
          for (const eta of [0, 0.5, 1]) {
            for (const steps of [sched.T, 12]) {
              const label = `${sched.name} ${variance} ${finalStep} eta=${eta} steps=${steps}`;
              const start = sampleUniformBox(N, L, createRng(12));
              const x = Float64Array.from(start);
              await runSampler(D, x, L, eps, createRng(13), { predictor: ancestralPredictor({ eta }), steps });
              // reproducible from the seed
              const y = Float64Array.from(start);
              await runSampler(D, y, L, eps, createRng(13), { predictor: ancestralPredictor({ eta }), steps });
              expect(Array.from(y), label).toEqual(Array.from(x));
              for (const v of x) expect(v >= 0 && v < L, label).toBe(true);
              const { rms, max } = rmsResidual(x, x0, L);
              if (finalStep === 'x0' || sched.a[0] === 0) {
                expect(max, label).toBeLessThan(1e-9);
              } else {
                // every variant ends within the a_0 noise level of x0
                expect(rms, label).toBeLessThan(2 * Math.sqrt(sched.a[0]) * L + 1e-12);
                if (variance === 'exact' && eta === 1) {
                  const ts = D.timesteps(steps);
                  const tl = ts[ts.length - 1];
                  const want = (sched.a[0] / sched.sqrtA[tl]) * L;
                  expect(Math.abs(rms / want - 1), label).toBeLessThan(0.35); // 300 coordinates: SE ~4%
                }
              }
            }
          }
        }
      }
    });
  }
});

describe('runSampler plumbing', () => {
  it('an async eps function gives the same result as a synchronous one for the same seed', async () => {
    const sched = cosineSchedule(80);
    const D = new WrappedDiffusion(sched);
    const x0 = sampleUniformBox(20, L, createRng(1));
    const eps = exactEps(x0, sched, L);
    const a = sampleUniformBox(20, L, createRng(2));
    const b = Float64Array.from(a);
    const ra = await runSampler(D, a, L, eps, createRng(3), { steps: 17, predictor: ancestralPredictor({ eta: 0.7 }) });
    const rb = await runSampler(D, b, L, async (x, t, out) => { await Promise.resolve(); eps(x, t, out); }, createRng(3), { steps: 17, predictor: ancestralPredictor({ eta: 0.7 }) });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(ra.x).toBe(a);
    expect([ra.evaluations, rb.evaluations]).toEqual([17, 17]);
    await expect(runSampler(D, new Float64Array(4), L, eps, createRng(1))).rejects.toThrow(/multiple of 3/);
    expect(() => ancestralPredictor({ eta: 2 })).toThrow(/eta must be a number in \[0, 1\]/);
  });

  it('counts corrector evaluations in the band (NFE), records the trajectory, reports progress', async () => {
    const sched = cosineSchedule(30);
    const D = new WrappedDiffusion(sched);
    const x0 = sampleUniformBox(10, L, createRng(1));
    const x = sampleUniformBox(10, L, createRng(2));
    // band in length units: timesteps 5..9 by their own noise std
    const corrector = langevinCorrector({ steps: 3, r: 0.1, sigmaMinLj: L * sched.sqrtA[5], sigmaMaxLj: L * sched.sqrtA[9] });
    const progress: number[] = [];
    const r = await runSampler(D, x, L, exactEps(x0, sched, L), createRng(3), { corrector, trajectoryEvery: 10, onStep: (p) => progress.push(p.evaluations) });
    expect(r.evaluations).toBe(30 + 5 * 3);
    expect(progress.length).toBe(30);
    expect(progress[progress.length - 1]).toBe(45);
    expect(r.trajectory!.map((e) => e.t)).toEqual([30, 20, 10, 0]);
    expect(Array.from(r.trajectory![3].x)).toEqual(Array.from(x));
    expect(() => langevinCorrector({ steps: 1, sigmaMinLj: 1, sigmaMaxLj: 0.5 })).toThrow(/sigmaMaxLj/);
  });

  it('a corrector with a projection applies it after every Langevin step (holding particles: they stay, the rest move as without it)', async () => {
    const sched = cosineSchedule(30);
    const D = new WrappedDiffusion(sched);
    const x0 = sampleUniformBox(12, L, createRng(1));
    const start = sampleUniformBox(12, L, createRng(2));
    const fixed = [0, 3, 4, 11];
    const eps = exactEps(x0, sched, L); // per coordinate: the free rows do not see the fixed ones
    const run = async (project?: (x: Float64Array, t: number) => void) => {
      const x = Float64Array.from(start);
      const epsBuf = new Float64Array(x.length);
      const ctx: SamplerContext = {
        diffusion: D, x, rng: createRng(5), box: [L, L, L], z: new Float64Array(x.length),
        async evaluate(t) { eps(x, t, epsBuf); return epsBuf; },
      };
      await langevinCorrector({ steps: 4, r: 0.3, project }).correct(ctx, 12);
      return x;
    };
    const calls: number[] = [];
    const held = await run((x, t) => {
      calls.push(t);
      for (const p of fixed) for (let d = 0; d < 3; d++) x[3 * p + d] = start[3 * p + d];
    });
    const plain = await run();
    expect(calls).toEqual([12, 12, 12, 12]);
    for (let p = 0; p < 12; p++) {
      for (let d = 0; d < 3; d++) {
        const i = 3 * p + d;
        if (fixed.includes(p)) {
          expect(held[i]).toBe(start[i]);
          expect(plain[i]).not.toBe(start[i]);
        } else {
          expect(held[i]).toBe(plain[i]);
        }
      }
    }
    expect(() => langevinCorrector({ steps: 1, project: 3 as never })).toThrow(/project must be a function/);
  });

  it('a custom predictor plugs in (two evaluations per step: a Heun-like pattern) and is counted', async () => {
    const sched = cosineSchedule(20);
    const D = new WrappedDiffusion(sched, { finalStep: 'x0' });
    const x0 = sampleUniformBox(5, L, createRng(1));
    const twice = {
      name: 'twice',
      async step(ctx: SamplerContext, t: number, tPrev: number) {
        await ctx.evaluate(t);
        const e = await ctx.evaluate(t);
        ctx.diffusion.stepTo(ctx.x, e, t, tPrev, null, ctx.box, ctx.x, { eta: 0 });
      },
    };
    const x = sampleUniformBox(5, L, createRng(2));
    const r = await runSampler(D, x, L, exactEps(x0, sched, L), createRng(3), { steps: 4, predictor: twice });
    expect(r.evaluations).toBe(8);
    expect(Math.max(...Array.from(x, (v, i) => Math.abs(mic(v - x0[i], L))))).toBeLessThan(1e-9);
  });

  it('visits timesteps(steps, start) in order, then 0, and calls afterStep with tPrev', async () => {
    const sched = cosineSchedule(50);
    const D = new WrappedDiffusion(sched);
    const seen: number[] = [];
    const prevs: number[] = [];
    const x = sampleUniformBox(3, L, createRng(1));
    await runSampler(D, x, L, (_x, t, out) => { seen.push(t); out.fill(0); }, createRng(2), { steps: 7, start: 40, afterStep: (_x, tp) => prevs.push(tp) });
    const ts = Array.from(D.timesteps(7, { start: 40 }));
    expect(seen).toEqual(ts);
    expect(prevs).toEqual([...ts.slice(1), 0]);
  });
});
