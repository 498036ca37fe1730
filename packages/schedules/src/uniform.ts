import type { BoxLike } from '@mddm/pbc';
import { boxLengths } from './box';
import { describeValue } from '@mddm/core';
import { ScheduleError } from './errors';
import type { Rng } from './rng';

/**
 * `x_T ~ U([0, Lx) x [0, Ly) x [0, Lz))`: the prior of Algorithm 2, line 1.
 *
 * @param n - number of particles (integer >= 0)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a `Box`
 * @param rng - random source ({@link createRng}); draws `3n` uniforms in row-major order
 * @param out - optional `Float64Array [n * 3]` to fill
 * @returns flat `[n, 3]` positions, every component in `[0, L_d)`
 * @throws {@link ScheduleError} on a bad `n`, box, or `out` length
 */
export function sampleUniformBox(n: number, box: BoxLike, rng: Rng, out?: Float64Array): Float64Array {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new ScheduleError(`sampleUniformBox: n must be an integer >= 0, got ${describeValue(n)}`, 'SCHEDULE_BAD_ARG');
  }
  const Ls = boxLengths(box, 'sampleUniformBox');
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  if (out !== undefined && (!(out instanceof Float64Array) || out.length !== 3 * n)) {
    throw new ScheduleError(`sampleUniformBox: out must be a Float64Array of length ${3 * n} (n * 3), got ${describeValue(out)}`, 'SCHEDULE_LENGTH');
  }
  const res = out ?? new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i += 3) {
    let x = lx * rng.uniform(), y = ly * rng.uniform(), z = lz * rng.uniform();
    if (x >= lx) x = 0;
    if (y >= ly) y = 0;
    if (z >= lz) z = 0;
    res[i] = x; res[i + 1] = y; res[i + 2] = z;
  }
  return res;
}
