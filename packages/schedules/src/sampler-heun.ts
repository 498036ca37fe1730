import type { Predictor, SamplerContext } from './sampler';
import { sigmaAt } from './noise-levels';
import { odeStep, odeStep2, scratch, targetSigma, wrapperOf } from './pf-ode';

interface HeunScratch {
  x0: Float64Array;
  e1: Float64Array;
}

/**
 * One Heun step of the probability-flow ODE from level `t` (noise `sigma`) to `tPrev` (`sigmaNext`),
 * in place on `ctx.x`: Karras et al. 2022 Algorithm 1 lines 4-11 with `sigma(t) = t`, `s(t) = 1`:
 *
 *   d_i   = (x_i - D(x_i; sigma)) / sigma       = L eps(x_i; sigma)                (line 5)
 *   x_e   = wrap(x_i + (sigmaNext - sigma) d_i)                                   (line 6, wrapped)
 *   d'_i  = L eps(x_e; sigmaNext)                                                  (line 10)
 *   x_i+1 = wrap(x_i + (sigmaNext - sigma) (d_i + d'_i) / 2)                       (line 11, wrapped)
 *
 * The correction (lines 9-11) is skipped when the step ends at sigma = 0 (Alg. 1 line 9) and on
 * the final step to `t = 0` in general: the network is trained on `t >= 1` (Algorithm 1 of MDDM),
 * so it is never evaluated at `t = 0`. Two network evaluations (one on the final step).
 * @internal shared with `edmStochasticPredictor`
 */
export async function heunStep(ctx: SamplerContext, t: number, tPrev: number, s: HeunScratch): Promise<void> {
  const sigma = sigmaAt(ctx.diffusion.schedule, t);
  const next = targetSigma(ctx, tPrev);
  const h = next - sigma;
  const wrap = wrapperOf(ctx);
  const e = await ctx.evaluate(t);
  if (tPrev === 0 || next === 0) {
    odeStep(ctx.x, e, h, ctx.box, ctx.x, wrap); // Euler (Alg. 1 line 9)
    return;
  }
  s.x0.set(ctx.x);
  s.e1.set(e); // ctx.evaluate's buffer is overwritten by the next call
  odeStep(s.x0, s.e1, h, ctx.box, ctx.x, wrap); // Euler predictor x_e, evaluated in place of ctx.x
  const e2 = await ctx.evaluate(tPrev);
  odeStep2(s.x0, s.e1, e2, h, ctx.box, ctx.x, wrap);
}

/** @internal Scratch of {@link heunStep}. */
export function heunScratch(n: number): HeunScratch {
  return { x0: new Float64Array(n), e1: new Float64Array(n) };
}

/**
 * EDM's deterministic sampler (Karras et al. 2022, Algorithm 1): Heun's second-order method on the
 * probability-flow ODE of the wrapped VE process, wrapping after each stage (see `pf-ode.ts` and
 * {@link heunStep}). With `n` levels (EDM's rho grid: {@link noiseLevels}) it costs `2 n - 1`
 * network evaluations; the global error is O(h^2) (measured: slope ~2 on a closed-form problem).
 * Evaluates the network at the grid levels only, so it works on integer and fractional grids.
 *
 * @returns a {@link Predictor} (2 NFE per step, 1 on the final step)
 */
export function heunPredictor(): Predictor {
  const buffers = new WeakMap<SamplerContext, HeunScratch>();
  return {
    name: 'heun',
    async step(ctx, t, tPrev) {
      await heunStep(ctx, t, tPrev, scratch(buffers, ctx, heunScratch));
    },
  };
}
