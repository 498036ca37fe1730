import { wrapScalar } from '@mddm/pbc';
import type { Selection } from './selection';

/**
 * How ordered pairs are enumerated:
 * - `'cells'`: cell list (O(N) for `rMax` much smaller than the box); falls back to `'brute'` when the
 *   box holds fewer than `2m + 1` cells of size `rMax / m` along some axis (e.g. `rMax = L / 2`),
 * - `'brute'`: all pairs with the minimum-image convention (O(N^2), fastest for small N or
 *   `rMax` close to `L / 2`),
 * - `'auto'` (default): the cell list whenever the box holds >= 2m + 1 cells per axis (it is then at
 *   least as fast as all pairs, measured) and there are more than a few dozen particles.
 */
export type PairMethod = 'auto' | 'cells' | 'brute';

/**
 * Reusable scratch buffers for pair counting (cell lists, sorted coordinates, histogram). Pass one to
 * {@link rdf} via `options.workspace` to avoid allocation on repeated calls; {@link RdfAccumulator}
 * owns one. Not safe to share between concurrent calls (there are none in single-threaded JS).
 */
export class RdfWorkspace {
  /** @internal */ xa = new Float64Array(0);
  /** @internal */ ya = new Float64Array(0);
  /** @internal */ za = new Float64Array(0);
  /** @internal */ xb = new Float64Array(0);
  /** @internal */ yb = new Float64Array(0);
  /** @internal */ zb = new Float64Array(0);
  /** @internal */ startA = new Int32Array(0);
  /** @internal */ startB = new Int32Array(0);
  /** @internal */ cursor = new Int32Array(0);
  /** @internal */ mark = new Uint8Array(0);
  /** @internal */ hist = new Float64Array(0);

  /** @internal Grow buffers for `n` particles, `cells` cells and `bins` bins. */
  ensure(n: number, cells: number, bins: number): void {
    if (this.xa.length < n) {
      const cap = Math.max(n, Math.ceil(this.xa.length * 1.5));
      this.xa = new Float64Array(cap); this.ya = new Float64Array(cap); this.za = new Float64Array(cap);
      this.xb = new Float64Array(cap); this.yb = new Float64Array(cap); this.zb = new Float64Array(cap);
      this.mark = new Uint8Array(cap);
    }
    if (this.startA.length < cells + 1) {
      const cap = Math.max(cells + 1, Math.ceil(this.startA.length * 1.5));
      this.startA = new Int32Array(cap); this.startB = new Int32Array(cap); this.cursor = new Int32Array(cap);
    }
    if (this.hist.length < bins + 1) this.hist = new Float64Array(bins + 1);
  }

  /** @internal Scratch of length >= n, all zero (for index-set validation). */
  markFor(n: number): Uint8Array {
    if (this.mark.length < n) this.mark = new Uint8Array(Math.max(n, Math.ceil(this.mark.length * 1.5)));
    return this.mark;
  }
}

/**
 * @internal Cell grid chosen for one frame. Cells are numbered with x fastest, so the 2m + 1
 * neighbor cells along x of a row (dy, dz) are one contiguous range of the cell-sorted particles
 * (two ranges when the row wraps around the box).
 */
export interface CellPlan {
  ncx: number; ncy: number; ncz: number;
  /** Cells per cutoff: neighbor cells are within +-m along each axis. */
  m: number;
  /** Neighbor rows as (dy, dz, ext) triples: cells dx in -ext..ext; rows and cells pruned by the minimum cell-to-cell distance. */
  rows: Int32Array; nRows: number;
  /** Half-shell rows (dy, dz, ext): (dy, dz) > (0, 0) lexicographically in (dz, dy). */
  halfRows: Int32Array; nHalfRows: number;
}

/**
 * @internal Choose a cell grid with cells of size >= rMax / m along each axis, or `null` for all pairs.
 * `m` (cells per cutoff, 1..3) is the largest whose cells hold >= 1.5 particles on average and that
 * leaves >= 2m + 1 cells per axis; `null` if even m = 1 does not fit (rMax > L / 3).
 */
export function planCells(
  Lx: number, Ly: number, Lz: number, rMax: number, nA: number, nB: number, method: PairMethod, m?: number,
): CellPlan | null {
  if (method === 'brute') return null;
  const q = (nB / (Lx * Ly * Lz)) * rMax ** 3; // particles per rMax^3
  // Smaller cells (side rMax / m) scan less volume per particle, ((2m + 1) / m)^3 rMax^3: 27, 15.6, 12.7
  // for m = 1, 2, 3, at the price of more (shorter) loops; m pays off once a cell holds >= ~1.5 particles.
  const cellsPer = m ?? (q >= 1.5 * 27 ? 3 : q >= 1.5 * 8 ? 2 : 1);
  const candidates = m !== undefined ? [m] : [3, 2, 1].filter((v) => v <= cellsPer);
  for (const mm of candidates) {
    const s = (rMax / mm) * (1 + 1e-9); // strictly larger cells: robust against rounding at cell faces
    let ncx = Math.floor(Lx / s), ncy = Math.floor(Ly / s), ncz = Math.floor(Lz / s);
    const minNc = 2 * mm + 1;
    if (ncx < minNc || ncy < minNc || ncz < minNc) continue;
    // Cap the grid at ~2 cells per particle (tiny rMax in a huge sparse box); cells only get larger.
    const limit = 2 * Math.max(nA, nB) + 64;
    const total = ncx * ncy * ncz;
    if (total > limit) {
      const f = Math.cbrt(limit / total);
      ncx = Math.max(minNc, Math.floor(ncx * f));
      ncy = Math.max(minNc, Math.floor(ncy * f));
      ncz = Math.max(minNc, Math.floor(ncz * f));
    }
    // Measured: whenever the grid fits (>= 2m + 1 cells per axis) the cell list is at least as fast as
    // all pairs, even when its neighborhood covers the whole box (fixed image shifts, no minimum-image
    // branches), except for a few dozen particles where the per-cell overhead dominates.
    if (method === 'auto' && nA * nB < 4096) return null;
    const sx = Lx / ncx, sy = Ly / ncy, sz = Lz / ncz;
    const r2 = rMax * rMax * (1 + 1e-9);
    const rows: number[] = [];
    const halfRows: number[] = [];
    for (let dz = -mm; dz <= mm; dz++) {
      for (let dy = -mm; dy <= mm; dy++) {
        const gy = Math.max(Math.abs(dy) - 1, 0) * sy;
        const gz = Math.max(Math.abs(dz) - 1, 0) * sz;
        const g2 = gy * gy + gz * gz;
        if (g2 > r2) continue; // no pair of points in these rows is within rMax
        // x offsets |dx| <= ext keep the minimum cell-to-cell distance ((|dx| - 1) sx, gy, gz) <= rMax
        const ext = Math.min(mm, 1 + Math.floor(Math.sqrt(r2 - g2) / sx));
        rows.push(dy, dz, ext);
        if (dz > 0 || (dz === 0 && dy > 0)) halfRows.push(dy, dz, ext);
      }
    }
    return {
      ncx, ncy, ncz, m: mm,
      rows: Int32Array.from(rows), nRows: rows.length / 3,
      halfRows: Int32Array.from(halfRows), nHalfRows: halfRows.length / 3,
    };
  }
  return null;
}

/**
 * @internal Wrap the selected particles into the box and sort them by cell into (xs, ys, zs);
 * `start[c] .. start[c + 1]` is the range of cell c. With ncx = ncy = ncz = 1 this is a wrapped copy.
 */
function loadSorted(
  positions: ArrayLike<number>, idx: Int32Array | null, count: number,
  Lx: number, Ly: number, Lz: number, ncx: number, ncy: number, ncz: number,
  xs: Float64Array, ys: Float64Array, zs: Float64Array, start: Int32Array, cursor: Int32Array,
): void {
  const nCells = ncx * ncy * ncz;
  if (nCells === 1) {
    for (let k = 0; k < count; k++) {
      const p = 3 * (idx === null ? k : idx[k]);
      xs[k] = wrapScalar(positions[p], Lx); ys[k] = wrapScalar(positions[p + 1], Ly); zs[k] = wrapScalar(positions[p + 2], Lz);
    }
    start[0] = 0; start[1] = count;
    return;
  }
  const fx = ncx / Lx, fy = ncy / Ly, fz = ncz / Lz;
  start.fill(0, 0, nCells + 1);
  for (let k = 0; k < count; k++) {
    const p = 3 * (idx === null ? k : idx[k]);
    let cx = (wrapScalar(positions[p], Lx) * fx) | 0; if (cx >= ncx) cx = ncx - 1;
    let cy = (wrapScalar(positions[p + 1], Ly) * fy) | 0; if (cy >= ncy) cy = ncy - 1;
    let cz = (wrapScalar(positions[p + 2], Lz) * fz) | 0; if (cz >= ncz) cz = ncz - 1;
    start[(cz * ncy + cy) * ncx + cx + 1]++;
  }
  for (let c = 0; c < nCells; c++) {
    start[c + 1] += start[c];
    cursor[c] = start[c];
  }
  for (let k = 0; k < count; k++) {
    const p = 3 * (idx === null ? k : idx[k]);
    const x = wrapScalar(positions[p], Lx), y = wrapScalar(positions[p + 1], Ly), z = wrapScalar(positions[p + 2], Lz);
    let cx = (x * fx) | 0; if (cx >= ncx) cx = ncx - 1;
    let cy = (y * fy) | 0; if (cy >= ncy) cy = ncy - 1;
    let cz = (z * fz) | 0; if (cz >= ncz) cz = ncz - 1;
    const slot = cursor[(cz * ncy + cy) * ncx + cx]++;
    xs[slot] = x; ys[slot] = y; zs[slot] = z;
  }
}

/** Count pairs (i in [i0, i1), j in [j0, j1)) with |x_j + s - x_i|^2 < r2max into hist. */
function block(
  xa: Float64Array, ya: Float64Array, za: Float64Array, i0: number, i1: number,
  xb: Float64Array, yb: Float64Array, zb: Float64Array, j0: number, j1: number,
  sx: number, sy: number, sz: number, r2max: number, invDr: number, hist: Float64Array,
): void {
  for (let i = i0; i < i1; i++) {
    const xi = xa[i] - sx, yi = ya[i] - sy, zi = za[i] - sz;
    for (let j = j0; j < j1; j++) {
      const dx = xb[j] - xi, dy = yb[j] - yi, dz = zb[j] - zi;
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 < r2max) hist[(Math.sqrt(r2) * invDr) | 0]++;
    }
  }
}

/**
 * Pairs of particles [i0, i1) with the cells x0 .. x1 (unwrapped cell x coordinates, possibly < 0 or
 * >= ncx, at most one box length out) of the row starting at cell `rowBase`; y/z image shifts sy, sz.
 */
function rowRange(
  xa: Float64Array, ya: Float64Array, za: Float64Array, i0: number, i1: number,
  xb: Float64Array, yb: Float64Array, zb: Float64Array, start: Int32Array, rowBase: number, ncx: number,
  x0: number, x1: number, Lx: number, sy: number, sz: number, r2max: number, invDr: number, hist: Float64Array,
): void {
  if (x0 > x1) return;
  if (x0 < 0) {
    const j0 = start[rowBase + x0 + ncx], j1 = start[rowBase + ncx];
    if (j1 > j0) block(xa, ya, za, i0, i1, xb, yb, zb, j0, j1, -Lx, sy, sz, r2max, invDr, hist);
    x0 = 0;
  }
  if (x1 >= ncx) {
    const j0 = start[rowBase], j1 = start[rowBase + x1 - ncx + 1];
    if (j1 > j0) block(xa, ya, za, i0, i1, xb, yb, zb, j0, j1, Lx, sy, sz, r2max, invDr, hist);
    x1 = ncx - 1;
  }
  const j0 = start[rowBase + x0], j1 = start[rowBase + x1 + 1];
  if (j1 > j0) block(xa, ya, za, i0, i1, xb, yb, zb, j0, j1, 0, sy, sz, r2max, invDr, hist);
}

/** Unordered pairs i < j inside one range. */
function blockSelf(
  xs: Float64Array, ys: Float64Array, zs: Float64Array, i0: number, i1: number, r2max: number, invDr: number, hist: Float64Array,
): void {
  for (let i = i0; i < i1; i++) {
    const xi = xs[i], yi = ys[i], zi = zs[i];
    for (let j = i + 1; j < i1; j++) {
      const dx = xs[j] - xi, dy = ys[j] - yi, dz = zs[j] - zi;
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 < r2max) hist[(Math.sqrt(r2) * invDr) | 0]++;
    }
  }
}

/** All pairs with the minimum image (wrapped inputs: one conditional per axis suffices). */
function bruteBlock(
  xa: Float64Array, ya: Float64Array, za: Float64Array, i0: number, i1: number,
  xb: Float64Array, yb: Float64Array, zb: Float64Array, j0: number, j1: number, symmetric: boolean,
  Lx: number, Ly: number, Lz: number, r2max: number, invDr: number, hist: Float64Array,
): void {
  const hx = Lx / 2, hy = Ly / 2, hz = Lz / 2;
  for (let i = i0; i < i1; i++) {
    const xi = xa[i], yi = ya[i], zi = za[i];
    for (let j = symmetric ? i + 1 : j0; j < j1; j++) {
      let dx = xb[j] - xi;
      if (dx > hx) dx -= Lx; else if (dx < -hx) dx += Lx;
      let dy = yb[j] - yi;
      if (dy > hy) dy -= Ly; else if (dy < -hy) dy += Ly;
      let dz = zb[j] - zi;
      if (dz > hz) dz -= Lz; else if (dz < -hz) dz += Lz;
      const r2 = dx * dx + dy * dy + dz * dz;
      if (r2 < r2max) hist[(Math.sqrt(r2) * invDr) | 0]++;
    }
  }
}

/**
 * @internal Add the histogram of ORDERED pairs (i in A, j in B, i != j) with minimum-image distance
 * `r < rMax` into `out[0 .. bins)` (bin `b` = `[b rMax / bins, (b + 1) rMax / bins)`).
 * Positions must be validated (finite) and `rMax <= min(L) / 2`.
 */
export function addPairCounts(
  ws: RdfWorkspace, positions: ArrayLike<number>, Lx: number, Ly: number, Lz: number,
  rMax: number, bins: number, sel: Selection, method: PairMethod, out: Float64Array, cellsPerCutoff?: number,
): void {
  const { nA, nB } = sel;
  const plan = planCells(Lx, Ly, Lz, rMax, nA, nB, method, cellsPerCutoff);
  let ncx: number, ncy: number, ncz: number;
  if (plan !== null) {
    ncx = plan.ncx; ncy = plan.ncy; ncz = plan.ncz;
  } else {
    // All pairs: the particles are still sorted by a fine grid (side ~ max(rMax / 4, spacing)) so that
    // consecutive j are close in space and the branches of the inner loop are predictable (~2x faster).
    const spacing = Math.cbrt((Lx * Ly * Lz) / Math.max(nA, nB, 1));
    const side = Math.max(rMax / 4, spacing);
    ncx = Math.max(1, Math.min(64, Math.floor(Lx / side)));
    ncy = Math.max(1, Math.min(64, Math.floor(Ly / side)));
    ncz = Math.max(1, Math.min(64, Math.floor(Lz / side)));
  }
  const nCells = ncx * ncy * ncz;
  ws.ensure(Math.max(nA, nB), nCells, bins);
  const hist = ws.hist;
  hist.fill(0, 0, bins + 1);
  const invDr = bins / rMax;
  const r2max = rMax * rMax;
  const { xa, ya, za, startA } = ws;
  loadSorted(positions, sel.a, nA, Lx, Ly, Lz, ncx, ncy, ncz, xa, ya, za, startA, ws.cursor);
  let xb = xa, yb = ya, zb = za, startB = startA;
  if (!sel.same) {
    xb = ws.xb; yb = ws.yb; zb = ws.zb; startB = ws.startB;
    loadSorted(positions, sel.b, nB, Lx, Ly, Lz, ncx, ncy, ncz, xb, yb, zb, startB, ws.cursor);
  }
  let factor = 1;
  if (plan === null) {
    bruteBlock(xa, ya, za, 0, nA, xb, yb, zb, 0, nB, sel.same, Lx, Ly, Lz, r2max, invDr, hist);
    if (sel.same) factor = 2;
  } else {
    const same = sel.same;
    if (same) factor = 2;
    const m = plan.m;
    const rows = same ? plan.halfRows : plan.rows, K = same ? plan.nHalfRows : plan.nRows;
    for (let cz = 0; cz < ncz; cz++) {
      for (let cy = 0; cy < ncy; cy++) {
        for (let cx = 0; cx < ncx; cx++) {
          const c = (cz * ncy + cy) * ncx + cx;
          const s0 = startA[c], e0 = startA[c + 1];
          if (s0 === e0) continue;
          const rowBase0 = (cz * ncy + cy) * ncx;
          if (same) {
            // own cell (i < j) and the cells cx + 1 .. cx + m of the own row
            blockSelf(xa, ya, za, s0, e0, r2max, invDr, hist);
            rowRange(xa, ya, za, s0, e0, xb, yb, zb, startB, rowBase0, ncx, cx + 1, cx + m, Lx, 0, 0, r2max, invDr, hist);
          }
          for (let k = 0; k < K; k++) {
            let ny = cy + rows[3 * k], nz = cz + rows[3 * k + 1];
            const ext = rows[3 * k + 2];
            let sy = 0, sz = 0;
            if (ny >= ncy) { ny -= ncy; sy = Ly; } else if (ny < 0) { ny += ncy; sy = -Ly; }
            if (nz >= ncz) { nz -= ncz; sz = Lz; } else if (nz < 0) { nz += ncz; sz = -Lz; }
            rowRange(xa, ya, za, s0, e0, xb, yb, zb, startB, (nz * ncy + ny) * ncx, ncx, cx - ext, cx + ext, Lx, sy, sz, r2max, invDr, hist);
          }
        }
      }
    }
  }
  // r < rMax can still round to sqrt(r2) * invDr == bins: that pair belongs to the last bin.
  hist[bins - 1] += hist[bins];
  // Overlapping A and B: each shared particle met itself at distance exactly 0 (identical wrapped
  // coordinates, zero shift), i.e. once in bin 0. Remove those i == j pairs.
  if (!sel.same && sel.overlap > 0) hist[0] -= sel.overlap;
  for (let b = 0; b < bins; b++) out[b] += factor * hist[b];
}
