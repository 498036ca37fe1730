import { boxLengthsInto, type BoxLike } from './box';
import { PbcError } from './errors';
import { minimumImageScalar } from './minimumImage';
import { validatePositions, type Vec3Array } from './positions';

const scratchLengths = new Float64Array(3);

/**
 * Mean minimum-image displacement between two conformations of the same particles,
 * `(1/N) sum_i |[b_i - a_i]_mic|`: how far a variation, a relaxation or a step of dynamics moved
 * the particles, blind to the box images (a particle that crossed a face moved a little, not `L`).
 *
 * @param a - flat `[N, 3]` positions (LJ units)
 * @param b - flat `[N, 3]` positions of the same particles in the same order
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @returns the mean distance (LJ length units), in `[0, |L|/2]`; 0 for N = 0
 * @throws {@link PbcError} `PBC_BAD_POSITIONS` (bad arrays or different N), `PBC_BAD_BOX`
 */
export function meanDisplacement(a: Vec3Array, b: Vec3Array, box: BoxLike): number {
  const n = validatePositions(a, 'a');
  if (validatePositions(b, 'b') !== n) throw new PbcError(`meanDisplacement: a and b must hold the same particles, got N = ${n} and ${b.length / 3}`, 'PBC_BAD_POSITIONS');
  const Ls = boxLengthsInto(box, scratchLengths);
  let sum = 0;
  for (let i = 0; i < 3 * n; i += 3) {
    let d2 = 0;
    for (let c = 0; c < 3; c++) {
      const v = minimumImageScalar(b[i + c] - a[i + c], Ls[c], 0.5 * Ls[c]);
      d2 += v * v;
    }
    sum += Math.sqrt(d2);
  }
  return n === 0 ? 0 : sum / n;
}
