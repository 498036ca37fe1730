import { describeValue } from '@mddm/core';
import { ScheduleError, checkStep } from './errors';
import type { NoiseSchedule } from './schedule';
import { samplingTimesteps } from './timesteps';

/**
 * Noise levels between the schedule's integer timesteps, and the sigma grids of the ODE samplers
 * (EDM's rho spacing, log spacing).
 *
 * **Fractional timesteps.** A schedule is a table `a_t`, `t = 0..T`. The samplers of this package
 * work on a noise std `sigma` (box fractions) and name a level by a possibly fractional timestep
 * `tau` in `[0, T]` with `log sigma(tau)` linear between neighbouring integers
 * (`sigma(tau) = sqrtA[i]^(1-f) sqrtA[i+1]^f`, `i = floor(tau)`, `f = tau - i`; linear in sigma
 * where `a_i = 0`). This interpolation is exact for {@link geometricSchedule} (log sigma is linear
 * in t) and is the same rule as the `'log-sigma'` time encoding ({@link encodeTime}), so a network
 * with that encoding sees a continuous, monotone time input between trained levels.
 *
 * **Discrete (default) vs continuous grids.** {@link noiseLevels} returns a sigma grid either
 * snapped to integer timesteps (`discrete: true`, default) or as fractional timesteps. Snapping
 * moves each level by at most half a schedule step (1.4% in sigma for geometric(500) over three
 * decades); the solvers then use the exact sigma of the snapped timestep, so their maths stays
 * exact on the (slightly non-uniform) grid, and every eps function, `afterStep` (e.g. `inpaint`)
 * and corrector that indexes the schedule by integer `t` keeps working unchanged. Continuous grids
 * need an eps function that accepts fractional `t` (`sample` of `@mddm/model` does, through
 * `encodeTime`); the ancestral predictor and the Langevin corrector need integer timesteps.
 */

/** How the levels of a sampler grid are spread ({@link noiseLevels}). */
export type NoiseSpacing = 'uniform' | 'log-sigma' | 'karras';

/** Options of {@link noiseLevels}. */
export interface NoiseLevelsOptions {
  /**
   * `'karras'` (default): EDM Eq. 5 (Karras et al. 2022),
   * `sigma_i = (sigma_max^(1/rho) + i/(n-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho`;
   * `'log-sigma'`: even in `log sigma` (the limit rho -> infinity); `'uniform'`: even in t.
   */
  spacing?: NoiseSpacing;
  /** EDM's rho for `'karras'` (default 7; rho = 1 is even in sigma). */
  rho?: number;
  /** First (largest) level, a timestep in `1..T` (default T): `sigma_max = sigma(start)`. */
  start?: number;
  /** Last (smallest) level, a timestep in `1..start` (default 1): `sigma_min = sigma(end)`. */
  end?: number;
  /** Snap the levels to integer timesteps (default true); false returns fractional timesteps. */
  discrete?: boolean;
}

/**
 * Noise std (box fractions) at a possibly fractional timestep `tau` in `[0, T]`: `sqrt(a_tau)`,
 * log-linear between integer timesteps (see the module notes).
 * @param schedule - the noise schedule
 * @param tau - timestep, a number in `[0, T]`
 * @returns sigma in box-fraction units (equal to `schedule.sqrtA[tau]` at integers)
 * @throws {@link ScheduleError} `SCHEDULE_T_RANGE` for `tau` outside `[0, T]` or not a number
 */
export function sigmaAt(schedule: NoiseSchedule, tau: number): number {
  if (typeof tau !== 'number' || !(tau >= 0 && tau <= schedule.T)) {
    throw new ScheduleError(`sigmaAt: tau must be a number in [0, ${schedule.T}], got ${describeValue(tau)}`, 'SCHEDULE_T_RANGE');
  }
  const i = Math.floor(tau);
  const f = tau - i;
  const s = schedule.sqrtA;
  if (f === 0) return s[i];
  const lo = s[i], hi = s[i + 1];
  return lo > 0 ? lo * Math.pow(hi / lo, f) : lo + f * (hi - lo);
}

/**
 * Inverse of {@link sigmaAt}: the fractional timestep whose noise std is `sigma` (box fractions),
 * clamped to `[0, T]` (binary search on the increasing `sqrtA`, then the log-linear inverse).
 * @param schedule - the noise schedule
 * @param sigma - noise std in box-fraction units (> 0)
 * @returns `tau` in `[0, T]` with `sigmaAt(schedule, tau) = sigma` inside the schedule's range
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` unless sigma is a number > 0
 */
export function timestepAt(schedule: NoiseSchedule, sigma: number): number {
  if (typeof sigma !== 'number' || !(sigma > 0) || Number.isNaN(sigma)) {
    throw new ScheduleError(`timestepAt: sigma must be a number > 0 (box fractions), got ${describeValue(sigma)}`, 'SCHEDULE_BAD_ARG');
  }
  const s = schedule.sqrtA;
  const T = schedule.T;
  if (sigma <= s[0]) return 0;
  if (sigma >= s[T]) return T;
  let lo = 0, hi = T; // s[lo] < sigma <= s[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s[mid] < sigma) lo = mid;
    else hi = mid;
  }
  if (sigma === s[hi]) return hi;
  const f = s[lo] > 0 ? Math.log(sigma / s[lo]) / Math.log(s[hi] / s[lo]) : (sigma - s[lo]) / (s[hi] - s[lo]);
  return lo + Math.min(Math.max(f, 0), 1);
}

/**
 * The descending level grid of an ODE sampler: `steps` levels from `sigma(start)` down to
 * `sigma(end)` (default `end` = 1; the sampler then takes its final step to `t = 0`), spread by `spacing`, as timesteps
 * (integers with `discrete`, else fractional). EDM's grid (Karras et al. 2022 Eq. 5) with
 * `sigma_min = sigma(1)`, `sigma_max = sigma(start)`, `sigma_N = 0` (our final step).
 *
 * With `discrete`, each level is rounded to the nearest timestep and kept strictly below the
 * previous one with room for the rest down to 1 (as {@link samplingTimesteps} does); the solvers use
 * the snapped timesteps' exact sigmas. `'uniform'` and `'log-sigma'` with `discrete` are exactly
 * {@link samplingTimesteps}.
 *
 * @param schedule - the noise schedule
 * @param steps - number of levels, integer in `1..start - end + 1` (`1..T` without `discrete`)
 * @param options - see {@link NoiseLevelsOptions}
 * @returns `Float64Array [steps]`, strictly decreasing, `[0] = start`, last = `end` (steps > 1)
 * @throws {@link ScheduleError} `SCHEDULE_T_RANGE` for steps / start / end, `SCHEDULE_BAD_ARG` for spacing / rho
 */
export function noiseLevels(schedule: NoiseSchedule, steps: number, options: NoiseLevelsOptions = {}): Float64Array {
  const fn = 'noiseLevels';
  const start = checkStep(options.start ?? schedule.T, 1, schedule.T, fn, 'start');
  const end = checkStep(options.end ?? 1, 1, start, fn, 'end');
  const discrete = options.discrete ?? true;
  checkStep(steps, 1, discrete ? start - end + 1 : schedule.T, fn, 'steps');
  const spacing = options.spacing ?? 'karras';
  const rho = options.rho ?? 7;
  if (typeof rho !== 'number' || !(rho > 0) || !Number.isFinite(rho)) throw new ScheduleError(`${fn}: rho must be a finite number > 0, got ${describeValue(rho)}`, 'SCHEDULE_BAD_ARG');
  if (spacing !== 'karras' && spacing !== 'log-sigma' && spacing !== 'uniform') {
    throw new ScheduleError(`${fn}: spacing must be 'karras' | 'log-sigma' | 'uniform', got ${describeValue(spacing)}`, 'SCHEDULE_BAD_ARG');
  }
  if (discrete && spacing !== 'karras') return Float64Array.from(samplingTimesteps(schedule, steps, spacing, start, end));
  const out = new Float64Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const sMax = schedule.sqrtA[start];
  const sMin = schedule.sqrtA[end];
  for (let i = 0; i < steps; i++) {
    const u = i / (steps - 1);
    if (spacing === 'uniform') out[i] = start - u * (start - end);
    else if (spacing === 'log-sigma') out[i] = timestepAt(schedule, sMax * Math.pow(sMin / sMax, u));
    else {
      // EDM Eq. 5: interpolate sigma^(1/rho) linearly, raise to rho
      const a = Math.pow(sMax, 1 / rho), b = Math.pow(sMin, 1 / rho);
      out[i] = timestepAt(schedule, Math.pow(a + u * (b - a), rho));
    }
  }
  out[0] = start;
  out[steps - 1] = end;
  if (!discrete) return out;
  for (let i = 1; i < steps - 1; i++) {
    const maxAllowed = out[i - 1] - 1;
    const minAllowed = end + steps - 1 - i;
    out[i] = Math.min(maxAllowed, Math.max(minAllowed, Math.round(out[i])));
  }
  return out;
}
