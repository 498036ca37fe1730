import type { Predictor, SamplerContext } from './sampler';
import { sigmaAt } from './noise-levels';
import { odeStep, targetSigma, wrapperOf } from './pf-ode';

/**
 * Euler's method on the probability-flow ODE `dx/dsigma = L eps(x; sigma)` (see `pf-ode.ts`): one
 * network evaluation per step,
 *
 *   x_next = wrap(x + L (sigma_next - sigma) eps(x; sigma)),
 *
 * i.e. Karras et al. 2022 Alg. 1 without the correction of lines 9-11. For the VE process this is
 * exactly the deterministic DDIM step (`ancestralPredictor({ eta: 0 })`:
 * `x0_hat + (sigma_next / sigma)(x - x0_hat)` with `x0_hat = x - L sigma eps`) and DPM-Solver++(1)
 * (Lu et al. 2022 Eq. 9 with `alpha = 1`). First order: the global error is O(h). Works on
 * fractional timesteps too (it evaluates only at grid levels).
 *
 * @returns a {@link Predictor} (1 NFE per step)
 */
export function eulerPredictor(): Predictor {
  return {
    name: 'euler',
    async step(ctx: SamplerContext, t: number, tPrev: number) {
      const sigma = sigmaAt(ctx.diffusion.schedule, t);
      const eps = await ctx.evaluate(t);
      odeStep(ctx.x, eps, targetSigma(ctx, tPrev) - sigma, ctx.box, ctx.x, wrapperOf(ctx));
    },
  };
}
