import type { NoiseSchedule } from '@mddm/schedules';
import { ModelError, checkInt, show } from './errors';

/**
 * How timesteps are spread over the noise levels:
 * - `'uniform'`: uniform in t (Algorithm 1 / the evenly strided sampler);
 * - `'log-sigma'`: uniform in `log sqrt(a_t)` (the noise std), which spends far more draws / steps at
 *   small noise where the local structure is decided (with the cosine schedule, T = 500 and a 10^3
 *   box, only t < 30 has noise below one particle spacing: 6% of uniform draws, ~45% of log-sigma draws).
 */
export type TimestepSpacing = 'uniform' | 'log-sigma';

/**
 * Probability of every timestep for training draws.
 * @param schedule - the noise schedule
 * @param spacing - `'uniform'`, `'log-sigma'` (weight of t proportional to the log-std interval it
 *   covers) or explicit relative weights `[T + 1]` (finite, >= 0; only `tMin..tMax` are used, and
 *   at least one of them must be > 0)
 * @param tMin - smallest t (>= 1)
 * @param tMax - largest t (<= T)
 * @returns cumulative distribution `[T + 1]` (`cdf[t] = P(draw <= t)`, 0 below tMin, 1 from tMax)
 * @throws ModelError `MODEL_BAD_CONFIG` for an unknown spacing or bad weights
 */
export function timestepCdf(schedule: NoiseSchedule, spacing: TimestepSpacing | ArrayLike<number>, tMin: number, tMax: number): Float64Array {
  const T = schedule.T;
  checkInt(tMin, 'tMin', 1, T);
  checkInt(tMax, 'tMax', tMin, T);
  const w = new Float64Array(T + 1);
  if (typeof spacing === 'object' && spacing !== null && typeof spacing.length === 'number') {
    if (spacing.length !== T + 1) {
      throw new ModelError(`timestep weights must have length T + 1 = ${T + 1}, got ${spacing.length}`, 'MODEL_BAD_CONFIG');
    }
    let any = false;
    for (let t = tMin; t <= tMax; t++) {
      const v = spacing[t];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ModelError(`timestep weight ${t} must be a finite number >= 0, got ${show(v)}`, 'MODEL_BAD_CONFIG');
      }
      w[t] = v;
      if (v > 0) any = true;
    }
    if (!any) throw new ModelError(`timestep weights are all zero on tMin..tMax = ${tMin}..${tMax}`, 'MODEL_BAD_CONFIG');
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
    throw new ModelError(`timestep spacing must be 'uniform' | 'log-sigma' | weights [T + 1], got ${show(spacing)}`, 'MODEL_BAD_CONFIG');
  }
  let s = 0;
  for (let t = 0; t <= T; t++) s += w[t];
  const cdf = new Float64Array(T + 1);
  let c = 0;
  for (let t = 0; t <= T; t++) {
    c += w[t] / s;
    cdf[t] = c;
  }
  cdf[T] = 1;
  for (let t = tMax; t <= T; t++) cdf[t] = 1;
  return cdf;
}

/** @internal Smallest t with cdf[t] > u (binary search). */
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
 * Descending timesteps for a strided sampler: `steps` distinct integers from T down to 1, evenly
 * spaced in t (`'uniform'`) or in the log of the noise std (`'log-sigma'`).
 * @param schedule - the noise schedule
 * @param steps - number of denoising steps in `1..T`
 * @param spacing - see {@link TimestepSpacing}
 * @param start - first (largest) timestep, default T
 * @returns `Int32Array [steps]`, strictly decreasing, `[0] = start`, last = 1 (for steps > 1)
 */
export function samplingTimesteps(schedule: NoiseSchedule, steps: number, spacing: TimestepSpacing, start = schedule.T): Int32Array {
  const T = checkInt(start, 'start', 1, schedule.T);
  checkInt(steps, 'steps', 1, T);
  const ts = new Int32Array(steps);
  if (steps === 1) {
    ts[0] = T;
    return ts;
  }
  if (spacing === 'uniform') {
    const h = (T - 1) / (steps - 1);
    for (let i = 0; i < steps; i++) ts[i] = Math.round(T - i * h);
    return ts;
  }
  if (spacing !== 'log-sigma') throw new ModelError(`sampler spacing must be 'uniform' | 'log-sigma', got ${show(spacing)}`, 'MODEL_BAD_CONFIG');
  const l1 = Math.log(schedule.sqrtA[1]);
  const lT = Math.log(schedule.sqrtA[T]);
  let t = T;
  for (let i = 0; i < steps; i++) {
    const target = lT + (i / (steps - 1)) * (l1 - lT);
    // largest t' <= previous - 1 whose log-std is >= target (nearest from above), but leave room for the rest
    let best = 1;
    for (let u = 1; u <= T; u++) {
      if (Math.abs(Math.log(schedule.sqrtA[u]) - target) < Math.abs(Math.log(schedule.sqrtA[best]) - target)) best = u;
    }
    const maxAllowed = i === 0 ? T : ts[i - 1] - 1;
    const minAllowed = steps - i; // room for the remaining steps down to 1
    t = Math.min(maxAllowed, Math.max(minAllowed, best));
    ts[i] = t;
  }
  ts[0] = T;
  ts[steps - 1] = 1;
  return ts;
}
