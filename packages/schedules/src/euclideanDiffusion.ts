import { describeValue } from '@mddm/core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { boxLengths } from './box';
import { WrappedDiffusion } from './diffusion';
import { ScheduleError, checkOut, checkSameLength, checkStep, checkVec3, throwNonFinite } from './errors';

/**
 * The variance-exploding diffusion WITHOUT a box (non-periodic point clouds, SPEC §6 / paper
 * Appendix B): `x_t = x_0 + L sqrt(a_t) eps`, no wrapping, Gaussian prior `N(0, L^2 a_T)` (see
 * {@link sampleGaussianCloud}). Every formula of {@link WrappedDiffusion} holds with the wrap (and the
 * minimum image) removed: the bridge `q(x_s | x_t, x_0) = N(x_0 + (a_s/a_t)(x_t - x_0), L^2 a_s (a_t - a_s)/a_t)`
 * is exact here (no periodic images).
 *
 * The `box` argument of every method is the noise length scale `L` (a number or three per-axis
 * scales), not a periodic box; pass 1 to have `sqrt(a_t)` in position units. It is a
 * `WrappedDiffusion` (same methods, same options), so `runSampler`, its predictors and correctors
 * drive it unchanged; the periodic class is untouched (no extra branch in its loops).
 */
export class EuclideanDiffusion extends WrappedDiffusion {
  /** No box, no wrapping: `false` (samplers that wrap check it; `WrappedDiffusion` has none, i.e. periodic). */
  readonly periodic = false as const;

  /**
   * Forward process `out = x0 + L sqrt(a_t) eps` (not wrapped).
   * @param x0 - clean positions, flat `[N, 3]`
   * @param t - timestep in `0..T`
   * @param eps - standard-normal noise (same length)
   * @param scale - noise length scale `L` (number or `[Lx, Ly, Lz]`)
   * @param out - optional output (same type and length; may alias `x0`)
   */
  override addNoise<T extends Vec3Array>(x0: T, t: number, eps: Vec3Array, scale: BoxLike, out?: T): T {
    const fn = 'addNoise';
    checkVec3(x0, fn, 'x0');
    checkStep(t, 0, this.T, fn);
    checkSameLength(x0, eps, fn, 'x0', 'eps');
    return affine(x0, eps, null, this.schedule.sqrtA[t], 0, scale, out, fn, 'x0');
  }

  /**
   * Batched forward process: frame `b` of `[B * N, 3]` is noised to `ts[b]` (not wrapped).
   * @param x0 - clean frames, flat `[B * N, 3]`
   * @param ts - one timestep per frame
   * @param eps - standard-normal noise (same length)
   * @param scale - noise length scale `L`
   * @param out - optional output (may alias)
   */
  override addNoiseBatch<T extends Vec3Array>(x0: T, ts: ArrayLike<number>, eps: Vec3Array, scale: BoxLike, out?: T): T {
    const fn = 'addNoiseBatch';
    const n = checkVec3(x0, fn, 'x0');
    checkSameLength(x0, eps, fn, 'x0', 'eps');
    const B = ts?.length ?? 0;
    if (!(B >= 1) || n % B !== 0) {
      throw new ScheduleError(`${fn}: ts.length (${describeValue(B)}) must be >= 1 and divide the number of particles (${n})`, 'SCHEDULE_LENGTH');
    }
    for (let b = 0; b < B; b++) checkStep(ts[b], 0, this.T, fn, `ts[${b}]`);
    checkOut(x0, out, fn);
    const res = out ?? (new (x0.constructor as new (n: number) => T)(x0.length));
    const per = (3 * n) / B;
    for (let b = 0; b < B; b++) {
      const lo = b * per, hi = lo + per;
      affine(x0.subarray(lo, hi) as T, eps.subarray(lo, hi), null, this.schedule.sqrtA[ts[b]], 0, scale, res.subarray(lo, hi) as T, fn, 'x0');
    }
    return res;
  }

  /**
   * One forward transition `out = xs + L sqrt(a_t - a_s) eps` (not wrapped).
   * @param xs - positions at `s`
   * @param s - timestep in `0..t-1`
   * @param t - timestep in `1..T`
   * @param eps - standard-normal noise
   * @param scale - noise length scale `L`
   * @param out - optional output (may alias)
   */
  override forwardTransition<T extends Vec3Array>(xs: T, s: number, t: number, eps: Vec3Array, scale: BoxLike, out?: T): T {
    const fn = 'forwardTransition';
    checkVec3(xs, fn, 'xs');
    checkStep(t, 1, this.T, fn);
    checkStep(s, 0, t - 1, fn, 's');
    checkSameLength(xs, eps, fn, 'xs', 'eps');
    return affine(xs, eps, null, Math.sqrt(this.schedule.a[t] - this.schedule.a[s]), 0, scale, out, fn, 'xs');
  }

  /**
   * Posterior mean of the bridge `out = x0 + (a_s / a_t)(x_t - x0)` (no minimum image).
   * @param xt - noisy positions at `t`
   * @param x0 - clean positions
   * @param t - timestep in `1..T`
   * @param tPrev - target timestep in `0..t-1`
   * @param scale - noise length scale (unused by the mean; kept for the common signature)
   * @param out - optional output
   */
  override posteriorMean<T extends Vec3Array>(xt: T, x0: Vec3Array, t: number, tPrev: number, scale: BoxLike, out?: T): T {
    const fn = 'posteriorMean';
    checkVec3(xt, fn, 'xt');
    checkStep(t, 1, this.T, fn);
    checkStep(tPrev, 0, t - 1, fn, 'tPrev');
    checkSameLength(xt, x0, fn, 'xt', 'x0');
    boxLengths(scale, fn);
    checkOut(xt, out, fn);
    const res = out ?? (new (xt.constructor as new (n: number) => T)(xt.length));
    const r = this.schedule.a[tPrev] / this.schedule.a[t];
    for (let i = 0; i < xt.length; i++) {
      const v = x0[i] + r * (xt[i] - x0[i]);
      if (v - v !== 0) throwNonFinite(fn, i, [['xt', xt], ['x0', x0]]);
      res[i] = v;
    }
    return res;
  }

  /**
   * One ancestral step `t -> t - 1` (Algorithm 2 without the wrap); see {@link EuclideanDiffusion.stepTo}.
   */
  override step<T extends Vec3Array>(xt: T, epsPred: Vec3Array, t: number, z: Vec3Array | null, scale: BoxLike, out?: T): T {
    checkStep(t, 1, this.T, 'step');
    return this.stepTo(xt, epsPred, t, t - 1, z, scale, out);
  }

  /**
   * Strided step `t -> tPrev` with the formulas of {@link WrappedDiffusion.stepTo} (eta family,
   * exact or paper variance, `finalStep`), without wrapping:
   * `out = x_t + L sqrt(a_t) (k - 1) eps_pred + L f sigma z`.
   */
  override stepTo<T extends Vec3Array>(
    xt: T, epsPred: Vec3Array, t: number, tPrev: number, z: Vec3Array | null, scale: BoxLike, out?: T, options: { eta?: number } = {},
  ): T {
    const fn = 'stepTo';
    checkStep(t, 1, this.T, fn);
    checkStep(tPrev, 0, t - 1, fn, 'tPrev');
    const eta = options.eta ?? 1;
    if (typeof eta !== 'number' || !(eta >= 0 && eta <= 1)) {
      throw new ScheduleError(`stepTo: eta must be a number in [0, 1], got ${describeValue(eta)}`, 'SCHEDULE_BAD_ARG');
    }
    checkVec3(xt, fn, 'xt');
    checkSameLength(xt, epsPred, fn, 'xt', 'epsPred');
    if (z !== null && z !== undefined) checkSameLength(xt, z, fn, 'xt', 'z');
    const a = this.schedule.a;
    const at = a[t], as = a[tPrev];
    const v = at > 0 ? (as * (at - as)) / at : 0;
    let k: number;
    let sig = 0;
    if (tPrev === 0 && this.finalStep === 'x0') {
      k = 0;
    } else if (eta === 1) {
      k = as / at;
      if (tPrev > 0) sig = Math.sqrt(v);
    } else {
      const sig2 = eta * eta * v;
      k = Math.sqrt(Math.max(0, as - sig2) / at);
      if (tPrev > 0) sig = Math.sqrt(sig2);
    }
    if (this.variance === 'paper') sig *= Math.SQRT1_2;
    return affine(xt, epsPred, sig > 0 ? z : null, this.schedule.sqrtA[t] * (k - 1), sig, scale, out, fn, 'xt');
  }

  /**
   * Langevin corrector step `out = x - r L sqrt(a_t) eps_pred + sqrt(2 r) L sqrt(a_t) z` (not wrapped).
   */
  override langevinStep<T extends Vec3Array>(x: T, epsPred: Vec3Array, t: number, r: number, z: Vec3Array, scale: BoxLike, out?: T): T {
    const fn = 'langevinStep';
    checkVec3(x, fn, 'x');
    checkStep(t, 1, this.T, fn);
    if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
      throw new ScheduleError(`${fn}: r (step size relative to the noise variance) must be a number in (0, 1], got ${describeValue(r)}`, 'SCHEDULE_BAD_ARG');
    }
    checkSameLength(x, epsPred, fn, 'x', 'epsPred');
    checkSameLength(x, z, fn, 'x', 'z');
    const sd = this.schedule.sqrtA[t];
    return affine(x, epsPred, z, -r * sd, Math.sqrt(2 * r) * sd, scale, out, fn, 'x');
  }
}

/** `res = x + L m e + L q z` per axis (`z` may be null), with a finiteness check. */
function affine<T extends Vec3Array>(
  x: T, e: Vec3Array, z: Vec3Array | null | undefined, m: number, q: number, scale: BoxLike, out: T | undefined, fn: string, xName: string,
): T {
  const Ls = boxLengths(scale, fn);
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  checkOut(x, out, fn);
  const res = out ?? (new (x.constructor as new (n: number) => T)(x.length));
  const useZ = z !== null && z !== undefined && q !== 0;
  const n = x.length;
  for (let i = 0; i < n; i += 3) {
    let a = x[i] + lx * m * e[i], b = x[i + 1] + ly * m * e[i + 1], c = x[i + 2] + lz * m * e[i + 2];
    if (useZ) {
      a += lx * q * z![i]; b += ly * q * z![i + 1]; c += lz * q * z![i + 2];
    }
    if (a - a !== 0 || b - b !== 0 || c - c !== 0) {
      const j = i + (a - a !== 0 ? 0 : b - b !== 0 ? 1 : 2);
      throwNonFinite(fn, j, [[xName, x], ['eps', e], ['z', useZ ? z : null]]);
    }
    res[i] = a; res[i + 1] = b; res[i + 2] = c;
  }
  return res;
}
