import { describeValue } from '@mddm/core';
import { ScheduleError, checkStep } from './errors';
import type { NoiseSchedule } from './schedule';

/**
 * Where the timesteps go: how a denoiser sees `t`, how training draws it, how a sampler visits it.
 * One module so that the three readings of "a timestep" (encoding, training law, sampling grid)
 * stay consistent.
 */

/**
 * How timesteps are spread over the noise levels, for training draws ({@link timestepCdf}) and for
 * sampler grids ({@link samplingTimesteps}):
 * - `'uniform'`: uniform in t (Algorithm 1 / the evenly strided sampler);
 * - `'log-sigma'`: uniform in `log sqrt(a_t)` (the noise std), which spends far more draws / steps at
 *   small noise where the local structure is decided (with the cosine schedule, T = 500 and a 10^3
 *   box, only t < 30 has noise below one particle spacing: 6% of uniform draws, ~45% of log-sigma draws).
 */
export type TimestepSpacing = 'uniform' | 'log-sigma';

/**
 * How the diffusion time enters a denoiser's global input `g[0]`:
 * - `'t/T'` (the paper): `t / T`;
 * - `'log-sigma'`: `(log sqrt(a_t) - log sqrt(a_1)) / (log sqrt(a_T) - log sqrt(a_1))`, also in [0, 1] but
 *   spreading out the small-noise steps (with the cosine schedule t = 1..30 covers 0..0.06 of `t/T`
 *   but 0..0.45 of this encoding).
 */
export type TimeEncoding = 't/T' | 'log-sigma';

/**
 * The time input `g[0]` of timestep `t` (see {@link TimeEncoding}).
 * @param encoding - `'t/T'` or `'log-sigma'`
 * @param t - timestep in `0..T`; fractional `t` (ODE samplers on continuous grids) is linear in
 *   `log sigma` between neighbouring timesteps, as `sigmaAt` of `noise-levels.ts`
 * @param a - the schedule's variances `[T + 1]` (box-fraction units)
 * @returns the encoded time, in `[0, 1]` for `t` in `[1, T]`
 */
export function encodeTime(encoding: TimeEncoding, t: number, a: ArrayLike<number>): number {
  const T = a.length - 1;
  if (encoding === 't/T') return t / T;
  const l1 = 0.5 * Math.log(a[1]);
  const lT = 0.5 * Math.log(a[T]);
  const i = Math.max(Math.floor(t), 0);
  const f = t - i;
  // fractional t (ODE samplers, noise-levels.ts): log sigma linear between neighbouring timesteps
  const ls = f > 0 && i < T ? (1 - f) * 0.5 * Math.log(a[i]) + f * 0.5 * Math.log(a[i + 1]) : 0.5 * Math.log(a[i]);
  return (ls - l1) / (lT - l1);
}

/**
 * Probability of every timestep for training draws (Algorithm 1 line 3 draws `t ~ U{1..T}`, i.e.
 * `'uniform'` on `1..T`).
 * @param schedule - the noise schedule
 * @param spacing - `'uniform'`, `'log-sigma'` (weight of t proportional to the log-std interval it
 *   covers) or explicit relative weights `[T + 1]` (finite, >= 0; only `tMin..tMax` are used, and
 *   at least one of them must be > 0)
 * @param tMin - smallest t (>= 1)
 * @param tMax - largest t (<= T)
 * @returns cumulative distribution `[T + 1]` (`cdf[t] = P(draw <= t)`, 0 below tMin, 1 from tMax)
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` for an unknown spacing or bad weights,
 *   `SCHEDULE_T_RANGE` for `tMin` / `tMax` out of range
 */
export function timestepCdf(schedule: NoiseSchedule, spacing: TimestepSpacing | ArrayLike<number>, tMin: number, tMax: number): Float64Array {
  const T = schedule.T;
  checkStep(tMin, 1, T, 'timestepCdf', 'tMin');
  checkStep(tMax, tMin, T, 'timestepCdf', 'tMax');
  const w = timestepWeights(schedule, spacing, tMin, tMax);
  let s = 0;
  for (let t = 0; t <= T; t++) s += w[t];
  const cdf = new Float64Array(T + 1);
  let c = 0;
  for (let t = 0; t <= T; t++) {
    c += w[t] / s;
    cdf[t] = c;
  }
  // exact 1 from tMax on, so that a draw u < 1 never lands above tMax through rounding
  for (let t = tMax; t <= T; t++) cdf[t] = 1;
  return cdf;
}

/** @internal Unnormalised weight of every timestep `[T + 1]` (0 outside `tMin..tMax`). */
function timestepWeights(schedule: NoiseSchedule, spacing: TimestepSpacing | ArrayLike<number>, tMin: number, tMax: number): Float64Array {
  const T = schedule.T;
  const w = new Float64Array(T + 1);
  if (typeof spacing === 'object' && spacing !== null && typeof spacing.length === 'number') {
    if (spacing.length !== T + 1) {
      throw new ScheduleError(`timestep weights must have length T + 1 = ${T + 1}, got ${spacing.length}`, 'SCHEDULE_BAD_ARG');
    }
    let any = false;
    for (let t = tMin; t <= tMax; t++) {
      const v = spacing[t];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ScheduleError(`timestep weight ${t} must be a finite number >= 0, got ${describeValue(v)}`, 'SCHEDULE_BAD_ARG');
      }
      w[t] = v;
      if (v > 0) any = true;
    }
    if (!any) throw new ScheduleError(`timestep weights are all zero on tMin..tMax = ${tMin}..${tMax}`, 'SCHEDULE_BAD_ARG');
  } else if (spacing === 'uniform') {
    for (let t = tMin; t <= tMax; t++) w[t] = 1;
  } else if (spacing === 'log-sigma') {
    const ls = (t: number) => 0.5 * Math.log(schedule.a[Math.max(0, Math.min(T, t))]);
    for (let t = tMin; t <= tMax; t++) {
      // log-std interval [midpoint to t-1, midpoint to t+1] covered by t
      const lo = t === tMin ? ls(t) : 0.5 * (ls(t - 1) + ls(t));
      const hi = t === tMax ? ls(t) : 0.5 * (ls(t) + ls(t + 1));
      w[t] = Math.max(hi - lo, 0) + (tMin === tMax ? 1 : 0);
    }
  } else {
    throw new ScheduleError(`timestep spacing must be 'uniform' | 'log-sigma' | weights [T + 1], got ${describeValue(spacing)}`, 'SCHEDULE_BAD_ARG');
  }
  return w;
}

/**
 * Draws a timestep from a {@link timestepCdf}: the smallest t with `cdf[t] > u` (binary search).
 * @param cdf - cumulative distribution `[T + 1]`
 * @param u - a uniform number in `[0, 1)`
 * @returns the timestep
 */
export function drawFromCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Descending timesteps of a (strided) sampler: `steps` distinct integers from `start` down to >= 1,
 * evenly spaced in t (`'uniform'`: `round(start - i (start - 1) / (steps - 1))`) or in the log of
 * the noise std (`'log-sigma'`). The sampler goes `ts[0] -> ts[1] -> ... -> ts[steps-1] -> 0`;
 * `steps = start = T` with `'uniform'` gives `T, T-1, ..., 1` (Algorithm 2).
 * @param schedule - the noise schedule
 * @param steps - number of denoising steps in `1..start`
 * @param spacing - see {@link TimestepSpacing} (default `'uniform'`)
 * @param start - first (largest) timestep in `1..T`, default T
 * @param end - last (smallest) timestep in `1..start`, default 1: a grid that stops above the
 *   smallest trained level (the sampler's final step then goes from `end` straight to 0)
 * @returns `Int32Array [steps]`, strictly decreasing, `[0] = start`, last = `end` (for steps > 1)
 * @throws {@link ScheduleError} `SCHEDULE_T_RANGE` for `steps` / `start` / `end` out of range
 *   (`steps` at most `start - end + 1`), `SCHEDULE_BAD_ARG` for an unknown spacing
 */
export function samplingTimesteps(schedule: NoiseSchedule, steps: number, spacing: TimestepSpacing = 'uniform', start = schedule.T, end = 1): Int32Array {
  const T = checkStep(start, 1, schedule.T, 'samplingTimesteps', 'start');
  const E = checkStep(end, 1, T, 'samplingTimesteps', 'end');
  checkStep(steps, 1, T - E + 1, 'samplingTimesteps', 'steps');
  const ts = new Int32Array(steps);
  if (steps === 1) {
    ts[0] = T;
    return ts;
  }
  if (spacing === 'uniform') {
    // E + round((T - E)(steps - 1 - i) / (steps - 1)): an integer product and one division, so a tie (x.5)
    // is exact and rounds up wherever the grid sits; `T - i h` rounded a tie either way with the float
    // error of `i h`, so the grid of end..start differed from the same grid shifted from 1..start - end + 1
    for (let i = 0; i < steps; i++) ts[i] = E + Math.round(((T - E) * (steps - 1 - i)) / (steps - 1));
    return ts;
  }
  if (spacing !== 'log-sigma') throw new ScheduleError(`samplingTimesteps: spacing must be 'uniform' | 'log-sigma', got ${describeValue(spacing)}`, 'SCHEDULE_BAD_ARG');
  const l1 = Math.log(schedule.sqrtA[E]);
  const lT = Math.log(schedule.sqrtA[T]);
  for (let i = 0; i < steps; i++) {
    const target = lT + (i / (steps - 1)) * (l1 - lT);
    // nearest t in log std, kept strictly below the previous one and with room for the rest down to `end`
    let best = E;
    for (let u = E; u <= T; u++) {
      if (Math.abs(Math.log(schedule.sqrtA[u]) - target) < Math.abs(Math.log(schedule.sqrtA[best]) - target)) best = u;
    }
    const maxAllowed = i === 0 ? T : ts[i - 1] - 1;
    const minAllowed = E + steps - 1 - i;
    ts[i] = Math.min(maxAllowed, Math.max(minAllowed, best));
  }
  ts[0] = T;
  ts[steps - 1] = E;
  return ts;
}
