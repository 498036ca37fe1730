import { describeValue } from '@mddm/core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { wrapScalar } from '@mddm/pbc';
import { boxLengths } from './box';
import {
  ScheduleError, checkOut, checkSameLength, checkStep, checkVec3, throwNonFinite,
} from './errors';
import type { NoiseSchedule } from './schedule';
import { samplingTimesteps, type TimestepSpacing } from './timesteps';

/**
 * Posterior variance used by the ancestral step:
 * - `'exact'`: `a_{t-1} (a_t - a_{t-1}) / a_t`, the exact Gaussian-conditioning variance (SPEC §1);
 * - `'paper'`: the paper's Algorithm 2 / Eq. 7 value, half of the exact one (a dropped 1/2).
 */
export type PosteriorVariance = 'exact' | 'paper';

/**
 * What the last step (to `tPrev = 0`) returns:
 * - `'posterior'` (default): Algorithm 2 with `z = 0`, i.e. the posterior mean at level `a_0`:
 *   `x0_hat + (a_0 / a_t) (x_t - x0_hat)` (identical to `mddm_torch.py`'s `sample_step`);
 * - `'x0'`: the denoised estimate `wrap(x0_hat)` (as if `a_0 = 0`, the DDPM convention).
 */
export type FinalStep = 'posterior' | 'x0';

/** Options of {@link WrappedDiffusion}. */
export interface WrappedDiffusionOptions {
  /** Posterior variance of the ancestral steps; default `'exact'`. */
  variance?: PosteriorVariance;
  /** Output of the final step to `t = 0`; default `'posterior'` (Algorithm 2). */
  finalStep?: FinalStep;
}

/** Options of {@link WrappedDiffusion.stepTo}. */
export interface StepToOptions {
  /**
   * Stochasticity in `[0, 1]` (DDIM's eta): `0` deterministic, `1` the ancestral posterior sample
   * (default 1). Intermediate values interpolate the injected variance `eta^2 * v(t, s)`.
   */
  eta?: number;
}

/** Options of {@link WrappedDiffusion.timesteps}. */
export interface TimestepsOptions {
  /** First (largest) timestep, default `T`; below T for variations. */
  start?: number;
  /** Spacing of the timesteps, default `'uniform'` (see {@link samplingTimesteps}). */
  spacing?: TimestepSpacing;
}

interface Resolved {
  variance: PosteriorVariance;
  finalStep: FinalStep;
}

/**
 * The wrapped variance-exploding diffusion of MDDM (paper Eq. 3, Algorithms 1-2, Appendix C.2 as
 * corrected in SPEC §1), as a small diffusers-style scheduler over flat `[N, 3]` arrays.
 *
 * Conventions (same as `mddm_torch.py`): `a_t` is the noise variance in box fractions, the forward
 * displacement along axis `d` is `L_d sqrt(a_t) eps_d`. For `s < t` the forward process has
 * independent Gaussian increments `x_t = x_s + L sqrt(a_t - a_s) e` (before wrapping), so the bridge
 * (posterior) is `q(x_s | x_t, x_0) = N(x_0 + (a_s/a_t)(x_t - x_0), L^2 a_s (a_t - a_s)/a_t)`;
 * `s = t - 1` is Appendix C.2 without its spurious 1/2. With eps-prediction
 * `x0_hat = x_t - L sqrt(a_t) eps` (a lift of x_t, not wrapped), and every new sample is wrapped.
 *
 * All methods accept `Float32Array | Float64Array` (arithmetic in float64), write into an optional
 * `out` of the input's type and length (may alias the input), and allocate nothing else.
 */
export class WrappedDiffusion {
  /** The schedule (`a_t`, `sqrt(a_t)`). */
  readonly schedule: NoiseSchedule;
  /** Number of steps `T` (same as `schedule.T`). */
  readonly T: number;
  /** Posterior variance option in use. */
  readonly variance: PosteriorVariance;
  /** Final-step convention in use. */
  readonly finalStep: FinalStep;

  /**
   * @param schedule - a {@link NoiseSchedule} (e.g. {@link cosineSchedule})
   * @param options - `variance` (`'exact'` default, or `'paper'`), `finalStep` (`'posterior'` default, or `'x0'`)
   * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` on an unknown option value or a malformed schedule
   */
  constructor(schedule: NoiseSchedule, options: WrappedDiffusionOptions = {}) {
    if (!schedule || !(schedule.a instanceof Float64Array) || schedule.a.length !== schedule.T + 1 || !(schedule.sqrtA instanceof Float64Array)) {
      throw new ScheduleError(`WrappedDiffusion: schedule must be a NoiseSchedule (from cosineSchedule etc.), got ${describeValue(schedule)}`, 'SCHEDULE_BAD_ARG');
    }
    const r = resolveOptions(options);
    this.schedule = schedule;
    this.T = schedule.T;
    this.variance = r.variance;
    this.finalStep = r.finalStep;
  }

  /**
   * Forward process (Eq. 3, Algorithm 1 line 5): `out = wrap(x0 + L sqrt(a_t) eps)` per axis.
   *
   * @param x0 - clean positions, flat `[N, 3]` (LJ units)
   * @param t - timestep in `0..T`
   * @param eps - standard-normal noise, same length as `x0`
   * @param box - cubic `L`, `[Lx, Ly, Lz]` or a `Box`
   * @param out - optional output (same type and length as `x0`; may be `x0`)
   * @returns `out`, positions in `[0, L)`
   * @throws {@link ScheduleError} on t out of range, length mismatch, bad box, NaN/Inf
   */
  addNoise<T extends Vec3Array>(x0: T, t: number, eps: Vec3Array, box: BoxLike, out?: T): T {
    const fn = 'addNoise';
    checkVec3(x0, fn, 'x0');
    checkStep(t, 0, this.T, fn);
    checkSameLength(x0, eps, fn, 'x0', 'eps');
    return this.forwardCore(x0, this.schedule.sqrtA[t], eps, box, out, fn);
  }

  /**
   * Batched forward process for training (Algorithm 1 with one `t` per frame): the input holds
   * `B = ts.length` frames of equal size back to back (`[B * N, 3]`), and frame `b` is noised to
   * `ts[b]`: `out = wrap(x0 + L sqrt(a_{ts[b]}) eps)`. Same arithmetic as {@link WrappedDiffusion.addNoise}.
   *
   * @param x0 - clean frames, flat `[B * N, 3]`
   * @param ts - timesteps, one per frame, each in `0..T` (`Int32Array` or number array of length B)
   * @param eps - standard-normal noise (same length as `x0`)
   * @param box - the periodic box (shared by all frames)
   * @param out - optional output (same type and length as `x0`; may alias)
   * @throws {@link ScheduleError} if `x0.length` is not a multiple of `3 B`, a `t` is out of range, or on NaN
   */
  addNoiseBatch<T extends Vec3Array>(x0: T, ts: ArrayLike<number>, eps: Vec3Array, box: BoxLike, out?: T): T {
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
      this.forwardCore(x0.subarray(lo, hi) as T, this.schedule.sqrtA[ts[b]], eps.subarray(lo, hi), box, res.subarray(lo, hi) as T, fn, lo);
    }
    return res;
  }

  /**
   * One forward transition `q(x_t | x_s)` for `s < t`: `out = wrap(xs + L sqrt(a_t - a_s) eps)`.
   * Composing `addNoise(x0, s)` with this gives exactly the law of `addNoise(x0, t)`.
   *
   * @param xs - positions at step `s`, flat `[N, 3]`
   * @param s - timestep in `0..t-1`
   * @param t - timestep in `1..T`
   * @param eps - standard-normal noise (same length)
   * @param box - the periodic box
   * @param out - optional output (same type and length; may alias `xs`)
   */
  forwardTransition<T extends Vec3Array>(xs: T, s: number, t: number, eps: Vec3Array, box: BoxLike, out?: T): T {
    const fn = 'forwardTransition';
    checkVec3(xs, fn, 'xs');
    checkStep(t, 1, this.T, fn);
    checkStep(s, 0, t - 1, fn, 's');
    checkSameLength(xs, eps, fn, 'xs', 'eps');
    return this.forwardCore(xs, Math.sqrt(this.schedule.a[t] - this.schedule.a[s]), eps, box, out, fn, 0, 'xs');
  }

  private forwardCore<T extends Vec3Array>(x: T, c: number, eps: Vec3Array, box: BoxLike, out: T | undefined, fn: string, offset = 0, xName = 'x0'): T {
    const Ls = boxLengths(box, fn);
    const lx = Ls[0], ly = Ls[1], lz = Ls[2];
    checkOut(x, out, fn);
    const res = out ?? (new (x.constructor as new (n: number) => T)(x.length));
    const cx = lx * c, cy = ly * c, cz = lz * c;
    const n = x.length;
    for (let i = 0; i < n; i += 3) {
      res[i] = wrapScalar(x[i] + cx * eps[i], lx);
      res[i + 1] = wrapScalar(x[i + 1] + cy * eps[i + 1], ly);
      res[i + 2] = wrapScalar(x[i + 2] + cz * eps[i + 2], lz);
      if (!(res[i] < lx && res[i + 1] < ly && res[i + 2] < lz)) fixRow(res, i, lx, ly, lz, fn, [[xName, x], ['eps', eps]], offset);
    }
    return res;
  }

  /**
   * Denoised estimate from predicted noise: `out = x_t - L sqrt(a_t) eps_pred` (NOT wrapped: a lift
   * of `x_t` that keeps `x_t - x0_hat` equal to the predicted displacement).
   *
   * @param xt - noisy positions, flat `[N, 3]`
   * @param epsPred - predicted noise (same length)
   * @param t - timestep in `0..T`
   * @param box - the periodic box
   * @param out - optional output (same type and length as `xt`; may alias)
   */
  predictX0<T extends Vec3Array>(xt: T, epsPred: Vec3Array, t: number, box: BoxLike, out?: T): T {
    const fn = 'predictX0';
    checkVec3(xt, fn, 'xt');
    checkStep(t, 0, this.T, fn);
    checkSameLength(xt, epsPred, fn, 'xt', 'epsPred');
    const Ls = boxLengths(box, fn);
    const c = this.schedule.sqrtA[t];
    const cx = Ls[0] * c, cy = Ls[1] * c, cz = Ls[2] * c;
    checkOut(xt, out, fn);
    const res = out ?? (new (xt.constructor as new (n: number) => T)(xt.length));
    const n = xt.length;
    for (let i = 0; i < n; i += 3) {
      const a = xt[i] - cx * epsPred[i], b = xt[i + 1] - cy * epsPred[i + 1], d = xt[i + 2] - cz * epsPred[i + 2];
      if (a - a !== 0 || b - b !== 0 || d - d !== 0) throwNonFinite(fn, i + (a - a !== 0 ? 0 : b - b !== 0 ? 1 : 2), [['xt', xt], ['epsPred', epsPred]]);
      res[i] = a; res[i + 1] = b; res[i + 2] = d;
    }
    return res;
  }

  /**
   * Variance (box-fraction units; multiply by `L^2`) of the step from `t` to `tPrev < t`:
   * `'exact'`: `a_s (a_t - a_s) / a_t` with `s = tPrev`; `'paper'`: half of it.
   *
   * @param t - timestep in `1..T`
   * @param tPrev - target timestep in `0..t-1` (default `t - 1`)
   */
  posteriorVariance(t: number, tPrev: number = t - 1): number {
    checkStep(t, 1, this.T, 'posteriorVariance');
    checkStep(tPrev, 0, t - 1, 'posteriorVariance', 'tPrev');
    const v = exactVar(this.schedule.a, t, tPrev);
    return this.variance === 'paper' ? 0.5 * v : v;
  }

  /**
   * Posterior mean of the bridge given the true clean positions:
   * `out = x0 + (a_s / a_t) * mic(x_t - x0)` with `s = tPrev` and `mic` the minimum-image
   * displacement (the dominant image; exact while `L sqrt(a_t)` is well below `L/2`). Not wrapped.
   *
   * @param xt - noisy positions at `t`, flat `[N, 3]`
   * @param x0 - clean positions (same length)
   * @param t - timestep in `1..T`
   * @param tPrev - target timestep in `0..t-1` (default `t - 1`)
   * @param box - the periodic box
   * @param out - optional output (same type and length as `xt`)
   */
  posteriorMean<T extends Vec3Array>(xt: T, x0: Vec3Array, t: number, tPrev: number, box: BoxLike, out?: T): T {
    const fn = 'posteriorMean';
    checkVec3(xt, fn, 'xt');
    checkStep(t, 1, this.T, fn);
    checkStep(tPrev, 0, t - 1, fn, 'tPrev');
    checkSameLength(xt, x0, fn, 'xt', 'x0');
    const Ls = boxLengths(box, fn);
    const lx = Ls[0], ly = Ls[1], lz = Ls[2];
    checkOut(xt, out, fn);
    const res = out ?? (new (xt.constructor as new (n: number) => T)(xt.length));
    const r = this.schedule.a[tPrev] / this.schedule.a[t];
    const n = xt.length;
    for (let i = 0; i < n; i += 3) {
      let d = xt[i] - x0[i]; d -= lx * Math.round(d / lx);
      let e = xt[i + 1] - x0[i + 1]; e -= ly * Math.round(e / ly);
      let f = xt[i + 2] - x0[i + 2]; f -= lz * Math.round(f / lz);
      const a = x0[i] + r * d, b = x0[i + 1] + r * e, c = x0[i + 2] + r * f;
      if (a - a !== 0 || b - b !== 0 || c - c !== 0) throwNonFinite(fn, i + (a - a !== 0 ? 0 : b - b !== 0 ? 1 : 2), [['xt', xt], ['x0', x0]]);
      res[i] = a; res[i + 1] = b; res[i + 2] = c;
    }
    return res;
  }

  /**
   * One ancestral step `t -> t - 1` (Algorithm 2):
   * `mu = x_t + L (a_{t-1}/a_t - 1) sqrt(a_t) eps_pred`, `out = wrap(mu + L sigma_t z)` with
   * `sigma_t^2` from {@link WrappedDiffusion.posteriorVariance}. At `t = 1` no noise is added
   * (`z` is ignored) and `finalStep` decides the output. Same as `stepTo(..., t, t - 1, ...)`.
   *
   * @param xt - positions at `t`, flat `[N, 3]`
   * @param epsPred - predicted noise `eps_theta(x_t, t)` (same length)
   * @param t - timestep in `1..T`
   * @param z - standard-normal noise (same length), or `null` for a noise-free (mean) step
   * @param box - the periodic box
   * @param out - optional output (same type and length as `xt`; may alias `xt`)
   * @returns `out`, positions at `t - 1` in `[0, L)`
   */
  step<T extends Vec3Array>(xt: T, epsPred: Vec3Array, t: number, z: Vec3Array | null, box: BoxLike, out?: T): T {
    checkStep(t, 1, this.T, 'step');
    return this.stepCore(xt, epsPred, t, t - 1, z, box, out, 1, 'step');
  }

  /**
   * A strided step from `t` to any `tPrev < t` (DDIM-style family for the VE process).
   *
   * With `x0_hat = x_t - L sqrt(a_t) eps_pred`, `s = tPrev`, `v = a_s (a_t - a_s) / a_t` (the exact
   * bridge variance) and `sigma^2 = eta^2 v`:
   * `out = wrap(x0_hat + sqrt((a_s - sigma^2) / a_t) (x_t - x0_hat) + L * f * sigma * z)`,
   * `f = 1` for `variance: 'exact'` and `1/sqrt(2)` for `'paper'`. For every `eta` the law of `x_s`
   * given `x_0` keeps variance `a_s` when `f = 1` (marginals are preserved); `eta = 1` is the exact
   * posterior sample (the Gaussian bridge), `eta = 0` the deterministic map
   * `x0_hat + sqrt(a_s/a_t)(x_t - x0_hat)`. With `tPrev = t - 1`, `eta = 1` this is {@link WrappedDiffusion.step}.
   * No noise is added when `tPrev = 0`; then `finalStep: 'x0'` returns `wrap(x0_hat)`.
   *
   * @param xt - positions at `t`, flat `[N, 3]`
   * @param epsPred - predicted noise (same length)
   * @param t - timestep in `1..T`
   * @param tPrev - target timestep in `0..t-1`
   * @param z - standard-normal noise (same length) or `null` (no noise)
   * @param box - the periodic box
   * @param out - optional output (same type and length as `xt`; may alias `xt`)
   * @param options - `eta` in `[0, 1]`, default 1
   */
  stepTo<T extends Vec3Array>(
    xt: T, epsPred: Vec3Array, t: number, tPrev: number, z: Vec3Array | null, box: BoxLike, out?: T, options: StepToOptions = {},
  ): T {
    checkStep(t, 1, this.T, 'stepTo');
    checkStep(tPrev, 0, t - 1, 'stepTo', 'tPrev');
    const eta = options.eta ?? 1;
    if (typeof eta !== 'number' || !(eta >= 0 && eta <= 1)) {
      throw new ScheduleError(`stepTo: eta must be a number in [0, 1], got ${describeValue(eta)}`, 'SCHEDULE_BAD_ARG');
    }
    return this.stepCore(xt, epsPred, t, tPrev, z, box, out, eta, 'stepTo');
  }

  private stepCore<T extends Vec3Array>(
    xt: T, epsPred: Vec3Array, t: number, s: number, z: Vec3Array | null, box: BoxLike, out: T | undefined, eta: number, fn: string,
  ): T {
    checkVec3(xt, fn, 'xt');
    checkSameLength(xt, epsPred, fn, 'xt', 'epsPred');
    if (z !== null && z !== undefined) checkSameLength(xt, z, fn, 'xt', 'z');
    const Ls = boxLengths(box, fn);
    checkOut(xt, out, fn);
    const res = out ?? (new (xt.constructor as new (n: number) => T)(xt.length));
    const a = this.schedule.a;
    const at = a[t], as = a[s], sqrtAt = this.schedule.sqrtA[t];
    // x_s = x0_hat + k (x_t - x0_hat) + L f sigma z, with x_t - x0_hat = L sqrt(a_t) eps:
    //     = x_t + L sqrt(a_t) (k - 1) eps + L f sigma z.
    let k: number;
    let sig = 0;
    if (s === 0 && this.finalStep === 'x0') {
      k = 0;
    } else if (eta === 1) {
      k = as / at; // posterior mean coefficient, exactly Algorithm 2's (a_{t-1}/a_t - 1) after subtracting 1
      if (s > 0) sig = Math.sqrt(exactVar(a, t, s));
    } else {
      const sig2 = eta * eta * exactVar(a, t, s);
      k = Math.sqrt(Math.max(0, as - sig2) / at);
      if (s > 0) sig = Math.sqrt(sig2);
    }
    if (this.variance === 'paper') sig *= Math.SQRT1_2;
    return this.move(xt, epsPred, sig > 0 ? z : null, sqrtAt * (k - 1), sig, Ls, res, fn, 'xt');
  }

  /**
   * The update every sampler step shares: `res = wrap(x + L m eps + L q z)` per axis (`z` may be
   * null: no noise). Checks the wrapped result row by row (NaN inputs throw, a float32 `L` maps to 0).
   */
  private move<T extends Vec3Array>(
    x: T, eps: Vec3Array, z: Vec3Array | null | undefined, m: number, q: number, Ls: ArrayLike<number>, res: T, fn: string, xName = 'x',
  ): T {
    const lx = Ls[0], ly = Ls[1], lz = Ls[2];
    const mx = lx * m, my = ly * m, mz = lz * m;
    const n = x.length;
    if (z !== null && z !== undefined && q !== 0) {
      const qx = lx * q, qy = ly * q, qz = lz * q;
      for (let i = 0; i < n; i += 3) {
        res[i] = wrapScalar(x[i] + mx * eps[i] + qx * z[i], lx);
        res[i + 1] = wrapScalar(x[i + 1] + my * eps[i + 1] + qy * z[i + 1], ly);
        res[i + 2] = wrapScalar(x[i + 2] + mz * eps[i + 2] + qz * z[i + 2], lz);
        if (!(res[i] < lx && res[i + 1] < ly && res[i + 2] < lz)) fixRow(res, i, lx, ly, lz, fn, [[xName, x], ['epsPred', eps], ['z', z]]);
      }
    } else {
      for (let i = 0; i < n; i += 3) {
        res[i] = wrapScalar(x[i] + mx * eps[i], lx);
        res[i + 1] = wrapScalar(x[i + 1] + my * eps[i + 1], ly);
        res[i + 2] = wrapScalar(x[i + 2] + mz * eps[i + 2], lz);
        if (!(res[i] < lx && res[i + 1] < ly && res[i + 2] < lz)) fixRow(res, i, lx, ly, lz, fn, [[xName, x], ['epsPred', eps]]);
      }
    }
    return res;
  }

  /**
   * One Langevin corrector step at the fixed noise level `t` (the "C" of the predictor-corrector
   * samplers of Song et al. 2021, Sec. 4.2 / Algorithm 4; annealed Langevin dynamics of NCSN):
   * with the score of the noisy marginal `s = -eps_pred / (L sqrt(a_t))` and step `delta = r L^2 a_t`,
   * `out = wrap(x + delta s + sqrt(2 delta) z) = wrap(x - r L sqrt(a_t) eps_pred + sqrt(2 r) L sqrt(a_t) z)`.
   * It leaves the noisy marginal `p_t` invariant up to the discretisation error of the unadjusted
   * Langevin algorithm (for a Gaussian `p_t` the stationary variance is `a_t / (1 - r/2)`), so a few
   * steps pull a state produced by an imperfect predictor back toward `p_t`.
   *
   * @param x - positions at noise level `t`, flat `[N, 3]`
   * @param epsPred - predicted noise `eps_theta(x, t)` (same length)
   * @param t - timestep in `1..T`
   * @param r - step size relative to the noise variance, in `(0, 1]` (e.g. 0.1-0.3)
   * @param z - standard-normal noise (same length)
   * @param box - the periodic box
   * @param out - optional output (same type and length as `x`; may alias `x`)
   * @returns `out`, positions in `[0, L)`
   * @throws {@link ScheduleError} on t or r out of range, length mismatch, bad box, NaN/Inf
   */
  langevinStep<T extends Vec3Array>(x: T, epsPred: Vec3Array, t: number, r: number, z: Vec3Array, box: BoxLike, out?: T): T {
    const fn = 'langevinStep';
    checkVec3(x, fn, 'x');
    checkStep(t, 1, this.T, fn);
    if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
      throw new ScheduleError(`${fn}: r (step size relative to the noise variance) must be a number in (0, 1], got ${describeValue(r)}`, 'SCHEDULE_BAD_ARG');
    }
    checkSameLength(x, epsPred, fn, 'x', 'epsPred');
    checkSameLength(x, z, fn, 'x', 'z');
    const Ls = boxLengths(box, fn);
    checkOut(x, out, fn);
    const res = out ?? (new (x.constructor as new (n: number) => T)(x.length));
    const sd = this.schedule.sqrtA[t];
    return this.move(x, epsPred, z, -r * sd, Math.sqrt(2 * r) * sd, Ls, res, fn);
  }

  /**
   * Descending timesteps for a (strided) sampler: {@link samplingTimesteps} of this schedule. The
   * sampler goes `ts[0] -> ts[1] -> ... -> ts[n-1] -> 0`; `numSteps = T` gives `T, T-1, ..., 1`.
   *
   * @param numSteps - integer in `1..start` (default `start`)
   * @param options - `start`: first timestep in `1..T` (default `T`); `spacing` (default `'uniform'`)
   * @returns `Int32Array [numSteps]`, strictly decreasing, first = start
   */
  timesteps(numSteps?: number, options: TimestepsOptions = {}): Int32Array {
    const start = options.start ?? this.T;
    return samplingTimesteps(this.schedule, numSteps ?? start, options.spacing ?? 'uniform', start);
  }
}

function resolveOptions(o: WrappedDiffusionOptions): Resolved {
  const variance = o.variance ?? 'exact';
  if (variance !== 'exact' && variance !== 'paper') {
    throw new ScheduleError(`WrappedDiffusion: variance must be 'exact' or 'paper', got ${describeValue(variance)}`, 'SCHEDULE_BAD_ARG');
  }
  const finalStep = o.finalStep ?? 'posterior';
  if (finalStep !== 'posterior' && finalStep !== 'x0') {
    throw new ScheduleError(`WrappedDiffusion: finalStep must be 'posterior' or 'x0', got ${describeValue(finalStep)}`, 'SCHEDULE_BAD_ARG');
  }
  return { variance, finalStep };
}

/** Exact bridge variance `a_s (a_t - a_s) / a_t` (box-fraction units). */
function exactVar(a: Float64Array, t: number, s: number): number {
  const at = a[t], as = a[s];
  return at > 0 ? (as * (at - as)) / at : 0;
}

/**
 * @internal A wrapped row failed `0 <= v < L` after the store: either a float32 value rounded up to
 * `L` (map to its periodic image 0) or a NaN (find the bad input and throw).
 */
function fixRow(res: Vec3Array, i: number, lx: number, ly: number, lz: number, fn: string,
  inputs: ReadonlyArray<readonly [string, ArrayLike<number> | null | undefined]>, offset = 0): void {
  const Ls = [lx, ly, lz];
  for (let d = 0; d < 3; d++) {
    const v = res[i + d];
    if (v !== v) throwNonFinite(fn, i + d, inputs, offset);
    if (v >= Ls[d]) res[i + d] = 0;
  }
}
