import { BoxLike, boxLengthsInto } from './box';
import { describeValue } from '@mddm/core';
import { PbcError } from './errors';
import { Vec3Array, validatePositions } from './positions';
import { checkOut } from './wrap';

const scratchLengths = new Float64Array(3);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** @internal Largest float32 value <= h (h > 0). */
export function float32AtMost(h: number): number {
  f32[0] = h;
  if (f32[0] > h) u32[0] -= 1; // positive floats: decrementing the bit pattern steps down one ulp
  return f32[0];
}

/**
 * @internal Minimum-image reduction of one float64 component: result in `[-L/2, L/2)` (exact
 * remainder, then one shift).
 */
export function minimumImageScalar(d: number, L: number, half: number): number {
  let v = d >= -half && d < half ? d : d % L;
  if (v >= half) v -= L;
  else if (v < -half) v += L;
  return v + 0;
}

/**
 * Minimum-image convention: map displacement vectors to their shortest periodic image.
 *
 * Every output component lies in `[-L/2, L/2]` (float64: in `[-L/2, L/2)`; float32: clamped to the
 * float32 values inside `[-L/2, L/2]`). Exact ties at `+-L/2` map to `-L/2`.
 *
 * @param vectors - flat `[M, 3]` displacements (finite)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param out - optional output of the same type and length (may be `vectors` itself)
 * @returns `out` (or a new array of the input's type)
 * @throws {@link PbcError} on a bad box, bad vectors or mismatched `out`
 */
export function minimumImage<T extends Vec3Array>(vectors: T, box: BoxLike, out?: T): T {
  validatePositions(vectors, 'vectors');
  const Ls = boxLengthsInto(box, scratchLengths);
  checkOut(vectors, out, 'minimumImage');
  const res = (out ?? new (vectors.constructor as { new (n: number): T })(vectors.length)) as T;
  const n = vectors.length;
  for (let a = 0; a < 3; a++) {
    const L = Ls[a], h = 0.5 * L;
    if (res instanceof Float32Array) {
      const hf = float32AtMost(h);
      for (let i = a; i < n; i += 3) {
        const v = minimumImageScalar(vectors[i], L, h);
        res[i] = v;
        if (res[i] > h) res[i] = hf;
        else if (res[i] < -h) res[i] = -hf;
      }
    } else {
      for (let i = a; i < n; i += 3) res[i] = minimumImageScalar(vectors[i], L, h);
    }
  }
  return res;
}

function checkIndex(arr: Vec3Array, i: number, name: string, idxName: string): void {
  if (!(arr instanceof Float64Array) && !(arr instanceof Float32Array)) {
    throw new PbcError(`minimumImageDistance: ${name} must be a Float32Array or Float64Array, got ${describeValue(arr)}`, 'PBC_BAD_POSITIONS');
  }
  const n = Math.floor(arr.length / 3);
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new PbcError(`minimumImageDistance: ${idxName} must be an integer in [0, ${n}), got ${describeValue(i)}`, 'PBC_BAD_INDEX');
  }
  for (let c = 0; c < 3; c++) {
    const v = arr[3 * i + c];
    if (v - v !== 0) {
      throw new PbcError(`minimumImageDistance: ${name}[${3 * i + c}] must be finite, got ${describeValue(v)}`, 'PBC_BAD_POSITIONS');
    }
  }
}

/**
 * Minimum-image distance `|[b_j - a_i]_mic|` between point `i` of `a` and point `j` of `b`.
 *
 * @param a - flat `[N, 3]` positions
 * @param i - point index into `a`
 * @param b - flat `[M, 3]` positions (may be `a`)
 * @param j - point index into `b`
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @returns the distance (LJ length units), in `[0, |L|/2]`
 * @throws {@link PbcError} on bad indices, non-finite coordinates or a bad box
 */
export function minimumImageDistance(a: Vec3Array, i: number, b: Vec3Array, j: number, box: BoxLike): number {
  checkIndex(a, i, 'a', 'i');
  checkIndex(b, j, 'b', 'j');
  const Ls = boxLengthsInto(box, scratchLengths);
  let s = 0;
  for (let c = 0; c < 3; c++) {
    const L = Ls[c];
    const v = minimumImageScalar(b[3 * j + c] - a[3 * i + c], L, 0.5 * L);
    s += v * v;
  }
  return Math.sqrt(s);
}
