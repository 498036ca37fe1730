import { describeValue } from '@mddm/core';
import { ScheduleError, checkT } from './errors';

/**
 * A variance-exploding noise schedule for the wrapped diffusion of MDDM (paper Eq. 3, SPEC §1).
 *
 * Units: `a[t]` is the noise VARIANCE in box-fraction units, so the forward displacement along axis
 * `d` is `L_d * sqrt(a[t]) * eps` (same convention as `mddm_torch.py`). `a` is strictly increasing;
 * a std of about one box length (`a[T]` near 1) makes the wrapped marginal uniform
 * (deviation `~2 exp(-2 pi^2 a_T)`, see {@link wrappedUniformityDeviation}).
 *
 * `a[0]` is whatever the schedule defines (the cosine schedule gives `a[0] = sin^2(pi/2 s/(1+s))`,
 * about 1.55e-4 for `s = 0.008`); it is NOT forced to 0. Algorithm 2's last step (t = 1 -> 0) uses it.
 */
export interface NoiseSchedule {
  /** Number of diffusion steps; timesteps run `0..T`. */
  readonly T: number;
  /** Human-readable name, e.g. `'cosine(s=0.008)'`. */
  readonly name: string;
  /** `[T + 1]`: noise variance `a_t` in box-fraction units, strictly increasing. Treat as read-only. */
  readonly a: Float64Array;
  /** `[T + 1]`: `sqrt(a_t)`, the noise standard deviation in box lengths. Treat as read-only. */
  readonly sqrtA: Float64Array;
}

function finish(T: number, name: string, a: Float64Array, fn: string): NoiseSchedule {
  for (let t = 0; t <= T; t++) {
    const v = a[t];
    if (!Number.isFinite(v) || v < 0) {
      throw new ScheduleError(`${fn}: a[${t}] must be a finite number >= 0, got ${describeValue(v)}`, 'SCHEDULE_BAD_SCHEDULE');
    }
    if (t > 0 && !(v > a[t - 1])) {
      throw new ScheduleError(
        `${fn}: a_t must be strictly increasing (variance-exploding), got a[${t - 1}] = ${a[t - 1]} >= a[${t}] = ${v}`,
        'SCHEDULE_BAD_SCHEDULE',
      );
    }
  }
  const sqrtA = new Float64Array(T + 1);
  for (let t = 0; t <= T; t++) sqrtA[t] = Math.sqrt(a[t]);
  return Object.freeze({ T, name, a, sqrtA });
}

/**
 * The MDDM cosine schedule read as in SPEC §1: the increasing complement of the paper's formula,
 * `a_t = 1 - cos^2(pi/2 * (t/(T+1) + s)/(1+s)) = sin^2(...)`, `t = 0..T` (exactly `schedule()` in
 * `mddm_torch.py`). `a_T` is about `1 - 1e-5` for T = 500: a noise std of one box length.
 *
 * @param T - number of diffusion steps (integer >= 1), default 500
 * @param options - `s`: offset (finite, >= 0), default 0.008
 * @throws {@link ScheduleError} `SCHEDULE_BAD_T` for T < 1 or non-integer; `SCHEDULE_BAD_ARG` for a bad `s`
 */
export function cosineSchedule(T = 500, options: { s?: number } = {}): NoiseSchedule {
  checkT(T, 'cosineSchedule');
  const s = options.s ?? 0.008;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
    throw new ScheduleError(`cosineSchedule: s must be a finite number >= 0, got ${describeValue(s)}`, 'SCHEDULE_BAD_ARG');
  }
  const a = new Float64Array(T + 1);
  for (let t = 0; t <= T; t++) {
    const c = Math.cos((Math.PI / 2) * (t / (T + 1) + s) / (1 + s));
    a[t] = 1 - c * c;
  }
  return finish(T, `cosine(T=${T}, s=${s})`, a, 'cosineSchedule');
}

/**
 * A schedule linear in the variance: `a_t = aMin + (aMax - aMin) * t / T`, `t = 0..T`.
 *
 * @param T - number of diffusion steps (integer >= 1)
 * @param options - `aMin` (>= 0, default 1e-4) and `aMax` (> aMin, default 1), box-fraction variance units
 * @throws {@link ScheduleError} `SCHEDULE_BAD_T`, or `SCHEDULE_BAD_ARG` unless `0 <= aMin < aMax` (finite)
 */
export function linearSchedule(T: number, options: { aMin?: number; aMax?: number } = {}): NoiseSchedule {
  checkT(T, 'linearSchedule');
  const aMin = options.aMin ?? 1e-4;
  const aMax = options.aMax ?? 1;
  if (typeof aMin !== 'number' || !Number.isFinite(aMin) || aMin < 0) {
    throw new ScheduleError(`linearSchedule: aMin must be a finite number >= 0, got ${describeValue(aMin)}`, 'SCHEDULE_BAD_ARG');
  }
  if (typeof aMax !== 'number' || !Number.isFinite(aMax) || !(aMax > aMin)) {
    throw new ScheduleError(`linearSchedule: aMax must be a finite number > aMin (${aMin}), got ${describeValue(aMax)}`, 'SCHEDULE_BAD_ARG');
  }
  const a = new Float64Array(T + 1);
  for (let t = 0; t <= T; t++) a[t] = aMin + ((aMax - aMin) * t) / T;
  a[T] = aMax;
  return finish(T, `linear(T=${T}, aMin=${aMin}, aMax=${aMax})`, a, 'linearSchedule');
}

/**
 * A geometric (log-linear) schedule: the noise STD grows by the same factor every step,
 * `sqrt(a_t) = sigmaMinBox * (sigmaMaxBox / sigmaMinBox)^(t / T)`, `t = 0..T` (the variance-exploding schedule of
 * NCSN / Song & Ermon, and EDM's log-uniform noise levels). Box-fraction units as every schedule here.
 *
 * Why it exists next to the paper's cosine schedule: with `T = 500` the cosine schedule's smallest
 * noise is `sqrt(a_0) = 0.0125` box lengths (0.125 LJ units in a 10^3 box) and `t = 1` is already 0.156,
 * three to four times the thermal width of the OPP structures (first RDF peak ~0.05 wide), so its
 * last step cannot resolve the first peak. A geometric schedule puts equally many steps in every
 * octave of noise down to `sigmaMinBox` (default 1e-3 box lengths = 0.01 LJ units in a 10^3 box).
 *
 * @param T - number of diffusion steps (integer >= 1)
 * @param options - `sigmaMinBox` (> 0, default 1e-3) and `sigmaMaxBox` (> sigmaMinBox, default 1), noise std in box lengths
 * @throws {@link ScheduleError} `SCHEDULE_BAD_T`, or `SCHEDULE_BAD_ARG` unless `0 < sigmaMinBox < sigmaMaxBox` (finite)
 */
export function geometricSchedule(T: number, options: { sigmaMinBox?: number; sigmaMaxBox?: number } = {}): NoiseSchedule {
  checkT(T, 'geometricSchedule');
  const lo = options.sigmaMinBox ?? 1e-3;
  const hi = options.sigmaMaxBox ?? 1;
  if (typeof lo !== 'number' || !Number.isFinite(lo) || !(lo > 0)) {
    throw new ScheduleError(`geometricSchedule: sigmaMinBox must be a finite number > 0 (box lengths), got ${describeValue(lo)}`, 'SCHEDULE_BAD_ARG');
  }
  if (typeof hi !== 'number' || !Number.isFinite(hi) || !(hi > lo)) {
    throw new ScheduleError(`geometricSchedule: sigmaMaxBox must be a finite number > sigmaMinBox (${lo}), got ${describeValue(hi)}`, 'SCHEDULE_BAD_ARG');
  }
  const a = new Float64Array(T + 1);
  const logRatio = Math.log(hi / lo);
  for (let t = 0; t <= T; t++) {
    const sigma = lo * Math.exp((logRatio * t) / T);
    a[t] = sigma * sigma;
  }
  a[0] = lo * lo;
  a[T] = hi * hi;
  return finish(T, `geometric(T=${T}, sigmaMinBox=${lo}, sigmaMaxBox=${hi})`, a, 'geometricSchedule');
}

/**
 * A schedule from an arbitrary function: `a_t = fn(t)` for `t = 0..T` (integers).
 *
 * @param T - number of diffusion steps (integer >= 1)
 * @param fn - noise variance in box-fraction units; must be finite, >= 0 and strictly increasing on `0..T`
 * @param name - label (default `'custom'`)
 * @throws {@link ScheduleError} `SCHEDULE_BAD_T`; `SCHEDULE_BAD_SCHEDULE` naming the first bad `t`
 */
export function scheduleFromFunction(T: number, fn: (t: number) => number, name = 'custom'): NoiseSchedule {
  checkT(T, 'scheduleFromFunction');
  if (typeof fn !== 'function') {
    throw new ScheduleError(`scheduleFromFunction: fn must be a function t -> a_t, got ${describeValue(fn)}`, 'SCHEDULE_BAD_ARG');
  }
  const a = new Float64Array(T + 1);
  for (let t = 0; t <= T; t++) a[t] = fn(t);
  return finish(T, String(name), a, 'scheduleFromFunction');
}

/**
 * Maximum deviation from uniform of a centred normal of std `sigma * L` wrapped onto `[0, L)`:
 * `max_y |L p(y) - 1| = 2 sum_{n>=1} exp(-2 pi^2 n^2 sigma^2)` (theta series; leading term
 * `2 exp(-2 pi^2 sigma^2)`, SPEC §1 / paper Appendix C.1). `sigma` is in box lengths.
 *
 * @param sigma - noise std in box lengths (> 0), e.g. `schedule.sqrtA[T]`
 * @returns the sup-norm deviation of `L * density` from 1 (dimensionless)
 */
export function wrappedUniformityDeviation(sigma: number): number {
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || !(sigma > 0)) {
    throw new ScheduleError(`wrappedUniformityDeviation: sigma must be a finite number > 0, got ${describeValue(sigma)}`, 'SCHEDULE_BAD_ARG');
  }
  // The sup is attained at y = 0 (all cosines = 1). Large sigma: theta series 2 sum_n q^(n^2), q = exp(-2 pi^2 sigma^2);
  // small sigma: Poisson-dual image sum L p(0) - 1 = sum_k exp(-k^2 / (2 sigma^2)) / (sqrt(2 pi) sigma) - 1.
  if (sigma >= 0.3) {
    let sum = 0;
    for (let n = 1; n < 64; n++) {
      const term = Math.exp(-2 * Math.PI * Math.PI * n * n * sigma * sigma);
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    return 2 * sum;
  }
  let sum = 1;
  for (let k = 1; k < 64; k++) {
    const term = Math.exp(-(k * k) / (2 * sigma * sigma));
    sum += 2 * term;
    if (term <= 1e-17 * sum) break;
  }
  return sum / (Math.sqrt(2 * Math.PI) * sigma) - 1;
}
