import { describeValue } from '@mddm/core';
import type { Vec3Array } from '@mddm/pbc';
import { ModelError } from './errors';

/** The 6 permutations of the axes; symmetry `s` uses `PERMS[floor(s / 8)]` and reflection mask `s % 8`. */
const PERMS: readonly (readonly [number, number, number])[] = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** Number of symmetries of the cube (axis permutations times reflections): 48. */
export const CUBE_SYMMETRIES = 48;

/**
 * Indices of the cube symmetries (see {@link applySymmetry}) that are also symmetries of a periodic
 * box with these lengths: all 48 for a cube, fewer for other boxes (a permutation may only swap axes
 * of equal length; the 8 reflections always apply).
 * @param lengths - box lengths `[Lx, Ly, Lz]`
 * @returns ascending symmetry indices in `[0, 48)`; 0 is the identity
 */
export function boxSymmetries(lengths: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let s = 0; s < CUBE_SYMMETRIES; s++) {
    const p = PERMS[Math.floor(s / 8)];
    if (lengths[p[0]] === lengths[0] && lengths[p[1]] === lengths[1] && lengths[p[2]] === lengths[2]) out.push(s);
  }
  return out;
}

/**
 * Applies symmetry `s` of the periodic box to positions: `y_d = x_{perm(d)}`, then `y_d -> L_d - y_d`
 * for every reflected axis `d` (bit d of `s % 8`), wrapped back into `[0, L_d)`. Maps a periodic
 * conformation to an equally valid one (SPEC §4).
 * @param s - symmetry index in `[0, 48)`; must be allowed for the box (see {@link boxSymmetries})
 * @param positions - `[N, 3]` flat, inside the box
 * @param lengths - box lengths `[Lx, Ly, Lz]`
 * @param out - optional output `[N, 3]` (must not alias `positions`)
 * @returns `out`
 * @throws ModelError `MODEL_BAD_INPUT` for a bad index or a permutation that does not fit the box
 */
export function applySymmetry<T extends Vec3Array>(s: number, positions: Vec3Array, lengths: ArrayLike<number>, out?: T): T {
  if (!Number.isInteger(s) || s < 0 || s >= CUBE_SYMMETRIES) {
    throw new ModelError(`symmetry index must be an integer in [0, 48), got ${describeValue(s)}`, 'MODEL_BAD_INPUT');
  }
  const p = PERMS[Math.floor(s / 8)];
  if (lengths[p[0]] !== lengths[0] || lengths[p[1]] !== lengths[1] || lengths[p[2]] !== lengths[2]) {
    throw new ModelError(`symmetry ${s} swaps axes of different lengths [${Array.from(lengths)}]`, 'MODEL_BAD_INPUT');
  }
  const o = (out ?? new Float64Array(positions.length)) as T;
  if (o.length !== positions.length) throw new ModelError(`out must have length ${positions.length}, got ${o.length}`, 'MODEL_BAD_INPUT');
  const m = s % 8;
  const n = positions.length / 3;
  for (let d = 0; d < 3; d++) {
    const src = p[d];
    const L = lengths[d];
    const refl = (m >> d) & 1;
    for (let i = 0; i < n; i++) {
      let v = positions[3 * i + src];
      if (refl) {
        v = L - v;
        if (v >= L) v -= L;
      }
      o[3 * i + d] = v;
    }
  }
  return o;
}

/**
 * The inverse of symmetry `s` on vectors (displacements, forces, eps): `u_{perm(d)} = +-w_d`, with
 * the sign flipped on every reflected axis `d`. If `w` is a vector field computed at
 * `applySymmetry(s, x)`, `rotateBackVectors(s, w)` is the same field in the frame of `x` (particle
 * order is unchanged by `applySymmetry`). Box lengths are not needed: vectors do not wrap.
 * @param s - symmetry index in `[0, 48)`
 * @param vectors - `[N, 3]` flat, in the frame of the transformed positions
 * @param out - output `[N, 3]` (must not alias `vectors`)
 * @returns `out`
 * @throws ModelError `MODEL_BAD_INPUT` for a bad index or a wrong `out` length
 */
export function rotateBackVectors<T extends Vec3Array>(s: number, vectors: Vec3Array, out: T): T {
  if (!Number.isInteger(s) || s < 0 || s >= CUBE_SYMMETRIES) {
    throw new ModelError(`symmetry index must be an integer in [0, 48), got ${describeValue(s)}`, 'MODEL_BAD_INPUT');
  }
  if (out.length !== vectors.length) throw new ModelError(`out must have length ${vectors.length}, got ${out.length}`, 'MODEL_BAD_INPUT');
  const p = PERMS[Math.floor(s / 8)];
  const m = s % 8;
  const n = vectors.length / 3;
  for (let d = 0; d < 3; d++) {
    const sign = (m >> d) & 1 ? -1 : 1;
    for (let i = 0; i < n; i++) out[3 * i + p[d]] = sign * vectors[3 * i + d];
  }
  return out;
}
