import { wrapScalar } from '@mddm/pbc';
import { sigmaAt } from './noise-levels';
import type { SamplerContext } from './sampler';

/**
 * The probability-flow ODE of the wrapped VE process, shared by the ODE samplers
 * (`sampler-euler.ts`, `sampler-heun.ts`, `sampler-edm-stochastic.ts`, `sampler-dpmpp-2m.ts`).
 *
 * Forward process (SPEC §1, paper Eq. 3): `x = wrap(x_0 + L sigma eps)`, sigma the noise std in box
 * fractions (`sigma = sqrt(a_t)`). Its probability-flow ODE (Song et al. 2021 Eq. 13; Karras et al.
 * 2022 Eq. 4 with `s(t) = 1`, `sigma(t) = t`) is, in sigma as the time variable,
 *
 *   dx/dsigma = -L^2 sigma grad_x log p(x; sigma) = (x - D(x; sigma)) / sigma = L eps(x; sigma)   (per axis L_d)
 *
 * with the score `-eps / (L sigma)` and the denoiser `D = x - L sigma eps` (Tweedie; `predictX0`).
 * The drift `L eps` is a periodic function of `x` (the network and the exact wrapped score are
 * periodic), so the ODE lives on the torus: integrating the lift and wrapping after every stage is
 * exact, and every stage below writes `wrap(...)`. Displacements are always formed from `eps`
 * (never by subtracting two wrapped positions), except DPM-Solver++'s difference of two denoised
 * estimates, which uses the minimum image.
 */

/**
 * Noise std (box fractions) the sampler moves to at level `t`: `sigmaAt(t)`, except the final step
 * to `t = 0` with `finalStep: 'x0'`, which goes to sigma = 0 (EDM's `sigma_N = 0`: the step returns
 * the denoised estimate `D`).
 * @internal
 */
export function targetSigma(ctx: SamplerContext, t: number): number {
  if (t === 0 && ctx.diffusion.finalStep === 'x0') return 0;
  return sigmaAt(ctx.diffusion.schedule, t);
}

/**
 * Whether the sampler's diffusion wraps (a periodic box). A diffusion without a box (point clouds,
 * e.g. `EuclideanDiffusion`) marks itself with `periodic: false`; the ODE steps then add the same
 * displacements without wrapping (and DPM-Solver++ takes plain differences).
 * @internal
 */
export function isPeriodic(ctx: SamplerContext): boolean {
  return (ctx.diffusion as { periodic?: boolean }).periodic !== false;
}

/** @internal `wrapScalar`, or the identity for a diffusion without a box. */
export function wrapperOf(ctx: SamplerContext): (x: number, L: number) => number {
  return isPeriodic(ctx) ? wrapScalar : identity;
}

function identity(x: number): number {
  return x;
}

/**
 * `out = wrap(x + L_d h eps)` per axis: an Euler step of the PF-ODE over `h = sigma_next - sigma`
 * (box fractions), or any step whose slope is the combination `eps`. `out` may alias `x`.
 * @internal
 */
export function odeStep(x: Float64Array, eps: ArrayLike<number>, h: number, box: readonly [number, number, number], out: Float64Array, wrap = wrapScalar): void {
  const n = x.length;
  for (let i = 0; i < n; i += 3) {
    for (let d = 0; d < 3; d++) {
      const L = box[d];
      out[i + d] = wrap(x[i + d] + L * h * eps[i + d], L);
    }
  }
}

/**
 * `out = wrap(x + L_d h (e1 + e2) / 2)`: Heun's trapezoidal update (Karras et al. 2022 Alg. 1 line 8).
 * @internal
 */
export function odeStep2(
  x: Float64Array, e1: ArrayLike<number>, e2: ArrayLike<number>, h: number, box: readonly [number, number, number], out: Float64Array, wrap = wrapScalar,
): void {
  const n = x.length;
  for (let i = 0; i < n; i += 3) {
    for (let d = 0; d < 3; d++) {
      const L = box[d];
      out[i + d] = wrap(x[i + d] + 0.5 * L * h * (e1[i + d] + e2[i + d]), L);
    }
  }
}

/**
 * Per-run scratch of a predictor: `[N, 3]` buffers allocated on the first step of a
 * {@link runSampler} call (keyed by its context, so one predictor object serves several runs and
 * batch sizes) and reused for every later step.
 * @internal
 */
export function scratch<S>(map: WeakMap<SamplerContext, S>, ctx: SamplerContext, make: (n: number) => S): S {
  let s = map.get(ctx);
  if (!s) {
    s = make(ctx.x.length);
    map.set(ctx, s);
  }
  return s;
}
