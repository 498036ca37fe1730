import { wrapScalar } from './wrap';

/**
 * @internal Bins points into an `nx x ny x nz` grid of cells over the box with a counting sort.
 *
 * Reads points `base/3 .. base/3 + n - 1` of `positions` (flat `[*, 3]`), wraps them into the box,
 * and fills (all preallocated, no allocation here):
 * - `wrapped[3i..3i+2]`: the wrapped coordinates of point `i`;
 * - `cellOf[i]`: its cell `ix + nx (iy + ny iz)`;
 * - `start[c] .. start[c + 1]`: the range of cell `c` in the sorted arrays (`start` has `cells + 1` entries);
 * - `sortedIndex[s]`, `sorted[3s..3s+2]`: point indices and wrapped coordinates in cell order.
 */
export function binIntoCells(
  positions: ArrayLike<number>, base: number, n: number,
  lx: number, ly: number, lz: number, nx: number, ny: number, nz: number,
  wrapped: Float64Array, cellOf: Int32Array, start: Int32Array, sortedIndex: Int32Array, sorted: Float64Array,
): void {
  const cells = nx * ny * nz;
  start.fill(0, 0, cells + 1);
  const icx = nx / lx, icy = ny / ly, icz = nz / lz;
  for (let i = 0; i < n; i++) {
    const o = base + 3 * i;
    const x = wrapScalar(positions[o], lx), y = wrapScalar(positions[o + 1], ly), z = wrapScalar(positions[o + 2], lz);
    wrapped[3 * i] = x; wrapped[3 * i + 1] = y; wrapped[3 * i + 2] = z;
    let ix = (x * icx) | 0, iy = (y * icy) | 0, iz = (z * icz) | 0;
    if (ix >= nx) ix = nx - 1;
    if (iy >= ny) iy = ny - 1;
    if (iz >= nz) iz = nz - 1;
    const cell = ix + nx * (iy + ny * iz);
    cellOf[i] = cell;
    start[cell + 1]++;
  }
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  for (let i = 0; i < n; i++) {
    const s = start[cellOf[i]]++;
    sortedIndex[s] = i;
    sorted[3 * s] = wrapped[3 * i]; sorted[3 * s + 1] = wrapped[3 * i + 1]; sorted[3 * s + 2] = wrapped[3 * i + 2];
  }
  for (let c = cells; c > 0; c--) start[c] = start[c - 1];
  start[0] = 0;
}
