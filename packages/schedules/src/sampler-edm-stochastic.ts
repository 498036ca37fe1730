import { describeValue } from '@mddm/core';
import { ScheduleError } from './errors';
import { sigmaAt, timestepAt } from './noise-levels';
import { scratch, wrapperOf } from './pf-ode';
import type { Predictor, SamplerContext } from './sampler';
import { heunScratch, heunStep } from './sampler-heun';

/** Options of {@link edmStochasticPredictor} (Karras et al. 2022 Alg. 2; their names in brackets). */
export interface EdmStochasticOptions {
  /**
   * Relative noise increase per step `gamma` in `[0, sqrt(2) - 1]` [`gamma_i = min(S_churn / N, sqrt(2) - 1)`]:
   * the level goes up from `sigma` to `sigma (1 + gamma)` before the Heun step. Default 0.2
   * (0 is Algorithm 1, the deterministic sampler).
   */
  gamma?: number;
  /** Churn only where the noise std `L_x sigma` (LJ units) is >= this [`S_tmin`]; default 0. */
  sigmaMinLj?: number;
  /** ... and <= this [`S_tmax`]; default Infinity. */
  sigmaMaxLj?: number;
  /** Std of the added noise relative to the exact amount [`S_noise`], in `[0.5, 2]`; default 1. */
  sNoise?: number;
}

/**
 * EDM's stochastic sampler (Karras et al. 2022, Algorithm 2): at every level in the churn band,
 * raise the noise from `sigma` to `sigma_hat = (1 + gamma) sigma` by adding fresh noise,
 *
 *   x_hat = wrap(x + L sqrt(sigma_hat^2 - sigma^2) S_noise z),   z ~ N(0, I)        (Alg. 2 lines 4-6)
 *
 * then take the Heun step of Algorithm 1 from `sigma_hat` to the next level (lines 7-11, wrapped
 * after each stage, `heunStep`). The churn is a Langevin-like exchange that corrects errors of
 * earlier steps at no extra network cost: 2 NFE per step, 1 on the final step, as Heun.
 *
 * Levels between schedule points: on an integer grid `sigma_hat` is rounded UP to the next integer
 * timestep (at least one schedule step of churn) and the exact sigma of that timestep is used, so
 * the added variance `sigma_hat^2 - sigma^2` is exact and the eps function only sees integer `t`;
 * on a fractional grid `t_hat` is the exact fractional timestep of `sigma_hat`. `sigma_hat` is capped
 * at `sigma(T)`. Draws `3N` normals per churned step.
 *
 * @param options - see {@link EdmStochasticOptions}
 * @returns a {@link Predictor}
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` for an option out of range
 */
export function edmStochasticPredictor(options: EdmStochasticOptions = {}): Predictor {
  const fn = 'edmStochasticPredictor';
  const gamma = options.gamma ?? 0.2;
  const lo = options.sigmaMinLj ?? 0;
  const hi = options.sigmaMaxLj ?? Infinity;
  const sNoise = options.sNoise ?? 1;
  if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= Math.SQRT2 - 1)) throw new ScheduleError(`${fn}: gamma must be a number in [0, sqrt(2) - 1], got ${describeValue(gamma)}`, 'SCHEDULE_BAD_ARG');
  if (typeof lo !== 'number' || !(lo >= 0)) throw new ScheduleError(`${fn}: sigmaMinLj must be a number >= 0, got ${describeValue(lo)}`, 'SCHEDULE_BAD_ARG');
  if (typeof hi !== 'number' || !(hi >= lo)) throw new ScheduleError(`${fn}: sigmaMaxLj must be a number >= sigmaMinLj (${lo}), got ${describeValue(hi)}`, 'SCHEDULE_BAD_ARG');
  if (typeof sNoise !== 'number' || !(sNoise >= 0.5 && sNoise <= 2)) throw new ScheduleError(`${fn}: sNoise must be a number in [0.5, 2], got ${describeValue(sNoise)}`, 'SCHEDULE_BAD_ARG');
  const buffers = new WeakMap<SamplerContext, ReturnType<typeof heunScratch>>();
  return {
    name: `edm-stochastic(gamma=${gamma}, sigmaLj=${lo}..${hi}, sNoise=${sNoise})`,
    async step(ctx, t, tPrev) {
      const schedule = ctx.diffusion.schedule;
      const sigma = sigmaAt(schedule, t);
      const sigmaLj = ctx.box[0] * sigma;
      let tHat = t;
      if (gamma > 0 && sigmaLj >= lo && sigmaLj <= hi && t < schedule.T) {
        tHat = timestepAt(schedule, sigma * (1 + gamma));
        if (Number.isInteger(t)) tHat = Math.min(schedule.T, Math.ceil(tHat - 1e-9));
        const sigmaHat = sigmaAt(schedule, tHat);
        const c = sNoise * Math.sqrt(Math.max(sigmaHat * sigmaHat - sigma * sigma, 0));
        ctx.rng.fillNormal(ctx.z);
        const x = ctx.x, z = ctx.z, n = x.length, wrap = wrapperOf(ctx);
        for (let i = 0; i < n; i += 3) {
          for (let d = 0; d < 3; d++) {
            const L = ctx.box[d];
            x[i + d] = wrap(x[i + d] + L * c * z[i + d], L);
          }
        }
      }
      await heunStep(ctx, tHat, tPrev, scratch(buffers, ctx, heunScratch));
    },
  };
}
