import { describeValue } from '@mddm/core';
import { PbcError } from './errors';

/** Flat row-major `[N, 3]` coordinates: `x0, y0, z0, x1, y1, z1, ...` (LJ length units). */
export type Vec3Array = Float32Array | Float64Array;

/**
 * Check that `positions` is a `Float32Array | Float64Array` whose length is a multiple of 3 and
 * whose entries are all finite.
 *
 * @param positions - flat `[N, 3]` array
 * @param name - name used in error messages (default `'positions'`)
 * @returns N, the number of points
 * @throws {@link PbcError} (`PBC_BAD_POSITIONS`) naming the first bad value and its index
 */
export function validatePositions(positions: Vec3Array, name = 'positions'): number {
  if (!(positions instanceof Float64Array) && !(positions instanceof Float32Array)) {
    throw new PbcError(`${name}: expected a Float32Array or Float64Array of length 3N, got ${describeValue(positions)}`, 'PBC_BAD_POSITIONS');
  }
  const len = positions.length;
  if (len % 3 !== 0) {
    throw new PbcError(`${name}: length must be a multiple of 3 (flat [N, 3]), got length ${len}`, 'PBC_BAD_POSITIONS');
  }
  for (let i = 0; i < len; i++) {
    const v = positions[i];
    // v - v is 0 for finite v and NaN for NaN/Inf: one comparison per element.
    if (v - v !== 0) {
      throw new PbcError(
        `${name}: coordinates must be finite, got ${describeValue(v)} at index ${i} (point ${(i / 3) | 0}, axis ${'xyz'[i % 3]})`,
        'PBC_BAD_POSITIONS',
      );
    }
  }
  return len / 3;
}
