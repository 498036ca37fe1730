import { wrapScalar } from './wrap';

/** Largest number of cells along one axis (keeps cell indices in int32 range). */
const MAX_CELLS_PER_AXIS = 1 << 20;

/**
 * @internal Cells per axis of a grid over a `lx x ly x lz` box whose cells are at least `side` wide,
 * written to `out[0..2]` (no allocation). The grid is coarsened (the longest axis halved first)
 * until it has at most `2 n + 8` cells, so a tiny `side` in a sparse box never allocates more cells
 * than points need. Shared by the kNN search (`side` from the target occupancy) and the radius
 * search (`side = rMax`).
 */
export function cellGrid(lx: number, ly: number, lz: number, side: number, n: number, out: Int32Array): Int32Array {
  let nx = Math.max(1, Math.min(Math.floor(lx / side), MAX_CELLS_PER_AXIS));
  let ny = Math.max(1, Math.min(Math.floor(ly / side), MAX_CELLS_PER_AXIS));
  let nz = Math.max(1, Math.min(Math.floor(lz / side), MAX_CELLS_PER_AXIS));
  while (nx * ny * nz > 2 * n + 8) {
    if (nx >= ny && nx >= nz) nx = Math.max(1, nx >> 1);
    else if (ny >= nz) ny = Math.max(1, ny >> 1);
    else nz = Math.max(1, nz >> 1);
  }
  out[0] = nx; out[1] = ny; out[2] = nz;
  return out;
}

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
