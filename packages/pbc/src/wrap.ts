import { BoxLike, boxLengthsInto } from './box';
import { PbcError } from './errors';
import { Vec3Array, validatePositions } from './positions';

const scratchLengths = new Float64Array(3);

/**
 * Wrap one float64 coordinate into `[0, L)`: the scalar every mddm hot loop uses (the diffusion
 * steps, RDF pair counting, cell lists), so all packages agree on the edge cases.
 *
 * Uses the exact remainder (`%` is exact in IEEE arithmetic), so it is exact for huge multiples of
 * `L`; `-0` becomes `+0`; a result that rounds up to `L` (e.g. `-1e-20`) becomes `0`, its periodic
 * image. No validation (hot path): `x` finite, `L` finite and > 0. A caller storing into a
 * `Float32Array` must map a stored value that rounded up to `L` to `0` itself (as {@link wrap} does).
 *
 * @param x - coordinate (LJ units)
 * @param L - box length along that axis (LJ units)
 * @returns the coordinate wrapped into `[0, L)`
 */
export function wrapScalar(x: number, L: number): number {
  if (x >= 0 && x < L) return x + 0; // fast path; `+ 0` turns -0 into +0
  let y = x % L;
  if (y < 0) y += L;
  if (y >= L) y = 0;
  return y + 0;
}

/** @internal Check that `out` has the same type and length as `src`. */
export function checkOut(src: Vec3Array, out: Vec3Array | undefined, fn: string): void {
  if (out === undefined) return;
  if (out.constructor !== src.constructor || out.length !== src.length) {
    throw new PbcError(
      `${fn}: out must be a ${src.constructor.name} of length ${src.length} (same as the input), got ${out.constructor.name}(length ${out.length})`,
      'PBC_BAD_OUT',
    );
  }
}

/**
 * Wrap positions into the primary box `[0, Lx) x [0, Ly) x [0, Lz)`. With `out = positions` it wraps
 * in place and allocates nothing.
 *
 * Guarantees every output component `c` satisfies `0 <= c < L` *in the output precision*: a value
 * that rounds to `L` in float32 (e.g. `L - 1e-9`) or float64 (e.g. `-1e-20`) is mapped to `0`, its
 * periodic image; `-0` becomes `+0`; huge multiples of `L` are reduced with the exact remainder.
 *
 * @param positions - flat `[N, 3]` coordinates (any real values, finite)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param out - optional output of the same type and length (may be `positions` itself for in-place)
 * @returns `out` (or a new array of the input's type) with wrapped coordinates
 * @throws {@link PbcError} on a bad box, bad positions (length % 3, NaN/Inf) or mismatched `out`
 */
export function wrap<T extends Vec3Array>(positions: T, box: BoxLike, out?: T): T {
  validatePositions(positions);
  const Ls = boxLengthsInto(box, scratchLengths);
  checkOut(positions, out, 'wrap');
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const res = (out ?? new (positions.constructor as { new (n: number): T })(positions.length)) as T;
  const n = positions.length;
  if (res instanceof Float32Array) {
    for (let i = 0; i < n; i += 3) {
      res[i] = wrapScalar(positions[i], lx);
      if (res[i] >= lx) res[i] = 0;
      res[i + 1] = wrapScalar(positions[i + 1], ly);
      if (res[i + 1] >= ly) res[i + 1] = 0;
      res[i + 2] = wrapScalar(positions[i + 2], lz);
      if (res[i + 2] >= lz) res[i + 2] = 0;
    }
  } else {
    for (let i = 0; i < n; i += 3) {
      res[i] = wrapScalar(positions[i], lx);
      res[i + 1] = wrapScalar(positions[i + 1], ly);
      res[i + 2] = wrapScalar(positions[i + 2], lz);
    }
  }
  return res;
}
