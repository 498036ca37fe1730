import { BoxLike, boxLengthsInto } from './box';
import { describeValue } from '@mddm/core';
import { PbcError } from './errors';
import { Vec3Array, validatePositions } from './positions';
import { binIntoCells, cellGrid } from './cellList';

/**
 * Cells per `rMax` along an axis. With cells `rMax / 2` wide the 125-cell stencil holds about 0.6 of
 * the candidates of `rMax`-wide cells with the 27-cell stencil, and in the 10^3 LJ box with
 * `rMax = 3` (3 cells per axis) the latter is every pair. Narrower cells prune more candidates but
 * cost more per cell than they save at liquid densities (`pnpm --filter @mddm/pbc bench`: rMax / 3
 * and rMax / 4 were 1.5-2.5x slower than rMax / 2 at N = 1000-64,000).
 */
const CELLS_PER_CUTOFF = 2;

/**
 * Each unordered pair `{i, j}` with minimum-image distance `<= rMax`, once (a half list, the form a
 * pair potential sums over), in reusable buffers: `first[p]`, `second[p]`, `distances[p]` and
 * `vectors[3p..3p+2] = x_second - x_first` (minimum image, components in `[-L/2, L/2)`) for
 * `p < count`. Which of the two points is `first` is deterministic but unspecified.
 *
 * Pass the same list to repeated calls (e.g. one per denoising step): once its buffers have grown to
 * the problem size, {@link periodicPairs} allocates nothing. Its arrays are overwritten by the next
 * call; the arrays may be longer than `count`. Not thread-safe (one per worker).
 */
export class PairList {
  /** Number of pairs found by the last call. */
  count = 0;
  /** `[>= count]` one point of each pair. */
  first = new Int32Array(0);
  /** `[>= count]` the other point. */
  second = new Int32Array(0);
  /** `[>= count]` minimum-image distances, LJ length units (`<= rMax`). */
  distances = new Float64Array(0);
  /** `[>= 3 count]` minimum-image vectors `x_second - x_first`. */
  vectors = new Float64Array(0);
  /** @internal wrapped coordinates by original index, [N*3] */
  wrapped = new Float64Array(0);
  /** @internal wrapped coordinates in cell order, [N*3] */
  sorted = new Float64Array(0);
  /** @internal original index of each sorted slot, [N] */
  sortedIndex = new Int32Array(0);
  /** @internal cell of each point, [N] */
  cellOf = new Int32Array(0);
  /** @internal CSR start of each cell in the sorted arrays, [cells + 1] */
  cellStart = new Int32Array(0);
  /** @internal stencil cell offsets (dx, dy, dz), [m*3] */
  stencil = new Int32Array(0);
  /** @internal box lengths of the current call */
  readonly lengths = new Float64Array(3);
  /** @internal nx, ny, nz */
  readonly grid = new Int32Array(3);

  /** @internal Capacity for `n` points and `cells` cells. */
  ensurePoints(n: number, cells: number): void {
    if (this.wrapped.length < 3 * n) {
      this.wrapped = new Float64Array(3 * n);
      this.sorted = new Float64Array(3 * n);
      this.sortedIndex = new Int32Array(n);
      this.cellOf = new Int32Array(n);
    }
    if (this.cellStart.length < cells + 1) this.cellStart = new Int32Array(cells + 1);
  }

  /** @internal Capacity for `pairs` pairs, keeping the first `keep`. */
  ensurePairs(pairs: number, keep: number): void {
    if (this.first.length >= pairs) return;
    const cap = Math.max(16, pairs);
    const first = new Int32Array(cap), second = new Int32Array(cap);
    const distances = new Float64Array(cap), vectors = new Float64Array(3 * cap);
    first.set(this.first.subarray(0, keep)); second.set(this.second.subarray(0, keep));
    distances.set(this.distances.subarray(0, keep)); vectors.set(this.vectors.subarray(0, 3 * keep));
    this.first = first; this.second = second; this.distances = distances; this.vectors = vectors;
  }
}

/**
 * The distinct cell offsets along one axis of `n` cells `w` wide that can hold a point within `rMax`:
 * `-reach..reach` when the axis has room for them, else every cell once (offsets `-floor((n-1)/2) ..
 * ceil((n-1)/2)`, each a distinct cell, so no pair is found twice in a small box).
 */
function axisRange(n: number, w: number, rMax: number): [number, number] {
  const reach = Math.ceil(rMax / w);
  if (n >= 2 * reach + 1) return [-reach, reach];
  return [-Math.floor((n - 1) / 2), Math.ceil((n - 1) / 2)];
}

/** Per-axis gap between a cell and the cell `d` away: no two points are closer along that axis. */
const gap = (d: number, w: number) => (d === 0 ? 0 : (Math.abs(d) - 1) * w);

/** Fill `list.stencil` with the offsets whose cells can hold a point within `rMax`; @returns their number. */
function buildStencil(list: PairList, nx: number, ny: number, nz: number, lx: number, ly: number, lz: number, rMax: number): number {
  const wx = lx / nx, wy = ly / ny, wz = lz / nz;
  const [x0, x1] = axisRange(nx, wx, rMax), [y0, y1] = axisRange(ny, wy, rMax), [z0, z1] = axisRange(nz, wz, rMax);
  const most = (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1);
  if (list.stencil.length < 3 * most) list.stencil = new Int32Array(3 * most);
  const r2 = rMax * rMax;
  let m = 0;
  for (let dz = z0; dz <= z1; dz++) {
    for (let dy = y0; dy <= y1; dy++) {
      for (let dx = x0; dx <= x1; dx++) {
        const gx = gap(dx, wx), gy = gap(dy, wy), gz = gap(dz, wz);
        if (gx * gx + gy * gy + gz * gz > r2) continue;
        list.stencil[3 * m] = dx; list.stencil[3 * m + 1] = dy; list.stencil[3 * m + 2] = dz;
        m++;
      }
    }
  }
  return m;
}

/**
 * Every unordered pair of points within `rMax` (minimum image), once: the half neighbour list of a
 * pair potential. Cells `rMax / 2` wide and a stencil pruned to the cells that can hold a neighbour
 * (O(N) at uniform density); a pair is taken from the point that comes first in cell order, so each
 * appears exactly once, also in boxes too small for the stencil.
 *
 * @param positions - flat `[N, 3]`, LJ length units (need not be wrapped)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param rMax - cutoff, `0 < rMax <= min(L) / 2` (the minimum image is unique only up to half the box)
 * @param out - reused buffers (allocation-free once grown); a new {@link PairList} when omitted
 * @returns `out`, its first `count` entries filled
 * @throws {@link PbcError} on bad positions, box, `rMax` or `out`
 */
export function periodicPairs(positions: Vec3Array, box: BoxLike, rMax: number, out: PairList = new PairList()): PairList {
  const N = validatePositions(positions);
  if (!(out instanceof PairList)) throw new PbcError(`periodicPairs: out must be a PairList, got ${describeValue(out)}`, 'PBC_BAD_OUT');
  const Ls = boxLengthsInto(box, out.lengths);
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const half = 0.5 * Math.min(lx, ly, lz);
  if (typeof rMax !== 'number' || !Number.isFinite(rMax) || !(rMax > 0)) {
    throw new PbcError(`periodicPairs: rMax must be a finite number > 0, got ${describeValue(rMax)}`, 'PBC_BAD_RMAX');
  }
  if (rMax > half) {
    throw new PbcError(`periodicPairs: rMax must be <= half the smallest box length (${half}) for the minimum-image convention, got ${rMax}`, 'PBC_BAD_RMAX');
  }
  const grid = cellGrid(lx, ly, lz, rMax / CELLS_PER_CUTOFF, N, out.grid);
  const nx = grid[0], ny = grid[1], nz = grid[2];
  out.ensurePoints(N, nx * ny * nz);
  binIntoCells(positions, 0, N, lx, ly, lz, nx, ny, nz, out.wrapped, out.cellOf, out.cellStart, out.sortedIndex, out.sorted);
  const m = buildStencil(out, nx, ny, nz, lx, ly, lz, rMax);
  out.ensurePairs(Math.ceil((N * N * (2 / 3) * Math.PI * rMax * rMax * rMax) / (lx * ly * lz) * 1.1) + N, 0);
  const { sorted, sortedIndex, cellStart: start, stencil } = out;
  const r2 = rMax * rMax;
  const hx = 0.5 * lx, hy = 0.5 * ly, hz = 0.5 * lz;
  let p = 0;
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const c = ix + nx * (iy + ny * iz);
        for (let s = start[c]; s < start[c + 1]; s++) {
          const qx = sorted[3 * s], qy = sorted[3 * s + 1], qz = sorted[3 * s + 2];
          for (let o = 0; o < m; o++) {
            let jx = ix + stencil[3 * o], jy = iy + stencil[3 * o + 1], jz = iz + stencil[3 * o + 2];
            if (jx < 0) jx += nx; else if (jx >= nx) jx -= nx;
            if (jy < 0) jy += ny; else if (jy >= ny) jy -= ny;
            if (jz < 0) jz += nz; else if (jz >= nz) jz -= nz;
            const cell = jx + nx * (jy + ny * jz);
            // The stencil is symmetric, so the pair {s, t} is met from both sides: keep it from the lower slot.
            const end = start[cell + 1];
            for (let t = start[cell] > s ? start[cell] : s + 1; t < end; t++) {
              let dx = sorted[3 * t] - qx;
              if (dx >= hx) dx -= lx; else if (dx < -hx) dx += lx;
              let dy = sorted[3 * t + 1] - qy;
              if (dy >= hy) dy -= ly; else if (dy < -hy) dy += ly;
              let dz = sorted[3 * t + 2] - qz;
              if (dz >= hz) dz -= lz; else if (dz < -hz) dz += lz;
              const d2 = dx * dx + dy * dy + dz * dz;
              if (d2 > r2) continue;
              if (p === out.first.length) out.ensurePairs(2 * p, p);
              out.first[p] = sortedIndex[s];
              out.second[p] = sortedIndex[t];
              out.distances[p] = Math.sqrt(d2);
              out.vectors[3 * p] = dx; out.vectors[3 * p + 1] = dy; out.vectors[3 * p + 2] = dz;
              p++;
            }
          }
        }
      }
    }
  }
  out.count = p;
  return out;
}
