import { wrapScalar } from '@mddm/pbc';
import { sigmaAt } from './noise-levels';
import { isPeriodic, scratch, targetSigma } from './pf-ode';
import type { Predictor, SamplerContext } from './sampler';

interface History {
  /** Denoised estimate `D = wrap(x - L sigma eps)` of the previous step. */
  d: Float64Array;
  /** Its noise std (box fractions). */
  sigma: number;
  /** The level the previous step ended at (the history is valid only for a step starting there). */
  next: number;
  /** Whether `d` holds an estimate. */
  valid: boolean;
}

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2, multistep second order in the
 * data prediction `x_theta = D`) for the wrapped VE process (`alpha_t = 1`, `sigma_t = sigma`,
 * `lambda = -log sigma`). From level `t_{i-1}` (`sigma`) to `t_i` (`sigma'`), with
 * `h_i = log(sigma / sigma')`, `r_i = h_{i-1} / h_i` and the previous step's estimate `D_{i-2}`:
 *
 *   D       = (1 + 1/(2 r_i)) D_{i-1} - 1/(2 r_i) D_{i-2}                               (Alg. 2 line 5)
 *   x_i     = (sigma'/sigma) x_{i-1} - (e^{-h_i} - 1) D = x_{i-1} + (1 - sigma'/sigma)(D - x_{i-1})   (line 6)
 *
 * written as a displacement from `x_{i-1}`, wrapped: with `D_{i-1} - x_{i-1} = -L sigma eps` and the
 * minimum-image difference `D_{i-1} - D_{i-2}`,
 *
 *   x_i = wrap(x_{i-1} + (1 - sigma'/sigma) [ -L sigma eps + (1/(2 r_i)) mic(D_{i-1} - D_{i-2}) ]).
 *
 * The first step (no history) is first order (DPM-Solver++(1) = DDIM = {@link eulerPredictor}), and
 * so is a final step to sigma' = 0 (`finalStep: 'x0'`; there `h = inf` and it returns `D_{i-1}`:
 * diffusers' `lower_order_final`). One network evaluation per step. The history is kept per
 * `runSampler` call and used only when the step starts where the previous one ended (a corrector or
 * `afterStep` in between is fine: the history is a denoised estimate, not a state).
 *
 * @returns a {@link Predictor} (1 NFE per step)
 */
export function dpmSolver2MPredictor(): Predictor {
  const histories = new WeakMap<SamplerContext, History>();
  return {
    name: 'dpm-solver++(2m)',
    async step(ctx, t, tPrev) {
      const h0 = scratch(histories, ctx, (n) => ({ d: new Float64Array(n), sigma: 0, next: NaN, valid: false }));
      const sigma = sigmaAt(ctx.diffusion.schedule, t);
      const next = targetSigma(ctx, tPrev);
      const eps = await ctx.evaluate(t);
      const x = ctx.x, box = ctx.box, n = x.length, periodic = isPeriodic(ctx);
      const rho = next / sigma; // e^{-h}
      const second = h0.valid && h0.next === t && next > 0 && h0.sigma > sigma;
      const c = second ? 1 / (2 * (Math.log(h0.sigma / sigma) / Math.log(sigma / next))) : 0; // 1 / (2 r_i)
      for (let i = 0; i < n; i += 3) {
        for (let d = 0; d < 3; d++) {
          const L = box[d];
          const disp = -L * sigma * eps[i + d]; // D_{i-1} - x_{i-1}
          const dNew = periodic ? wrapScalar(x[i + d] + disp, L) : x[i + d] + disp;
          let step = disp;
          if (second) {
            let dd = dNew - h0.d[i + d];
            if (periodic) dd -= L * Math.round(dd / L); // minimum image
            step += c * dd;
          }
          h0.d[i + d] = dNew;
          const v = x[i + d] + (1 - rho) * step;
          x[i + d] = periodic ? wrapScalar(v, L) : v;
        }
      }
      h0.sigma = sigma;
      h0.next = tPrev;
      h0.valid = true;
    },
  };
}
