import { describeValue } from '@mddm/core';
import { ScheduleError } from './errors';
import type { Rng } from './rng';

/**
 * The Gaussian prior of the non-periodic diffusion ({@link EuclideanDiffusion}): `n` points with
 * independent `N(0, std^2)` coordinates (x_T of the sampler for `std = L sqrt(a_T)`).
 *
 * @param n - number of points (integer >= 0)
 * @param std - standard deviation per coordinate (position units, > 0)
 * @param rng - random source; draws `3n` normals in row-major order
 * @param out - optional `Float64Array [n * 3]` to fill
 * @returns flat `[n, 3]` positions
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` / `SCHEDULE_LENGTH` on a bad `n`, `std` or `out`
 */
export function sampleGaussianCloud(n: number, std: number, rng: Rng, out?: Float64Array): Float64Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ScheduleError(`sampleGaussianCloud: n must be an integer >= 0, got ${describeValue(n)}`, 'SCHEDULE_BAD_ARG');
  }
  if (typeof std !== 'number' || !(std > 0) || !Number.isFinite(std)) {
    throw new ScheduleError(`sampleGaussianCloud: std must be a finite number > 0, got ${describeValue(std)}`, 'SCHEDULE_BAD_ARG');
  }
  if (out !== undefined && (!(out instanceof Float64Array) || out.length !== 3 * n)) {
    throw new ScheduleError(`sampleGaussianCloud: out must be a Float64Array of length ${3 * n} (n * 3), got ${describeValue(out)}`, 'SCHEDULE_LENGTH');
  }
  const res = out ?? new Float64Array(3 * n);
  rng.fillNormal(res);
  if (std !== 1) for (let i = 0; i < res.length; i++) res[i] *= std;
  return res;
}
