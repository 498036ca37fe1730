import { BoxLike, boxLengthsInto } from './box';
import { describeValue } from '@mddm/core';
import { PbcError } from './errors';
import { Vec3Array, validatePositions } from './positions';
import type { KnnResult } from './knnResult';
import { KnnWorkspace } from './workspace';
import { binIntoCells, cellGrid } from './cellList';
import { wrapScalar } from './wrap';

/** Options of {@link periodicKnn}. */
export interface PeriodicKnnOptions {
  /**
   * Query points `[M, 3]` distinct from the data points. When given, row `i` holds the `k` nearest
   * data points of query `i` and nothing is excluded (a data point at the query position is returned
   * at distance 0); `1 <= k <= N`. When absent, the data points query themselves and each point's
   * own index is excluded; `1 <= k <= N - 1`.
   */
  queries?: Vec3Array;
  /** Reusable buffers: repeated calls allocate nothing (the result is then owned by the workspace). */
  workspace?: KnnWorkspace;
}

/** Mean number of points per cell of the cell list. */
const TARGET_OCCUPANCY = 3;
/** Bounds are shrunk by this factor so floating-point rounding never prunes a true neighbor. */
const SAFE = 1 - 1e-9;

/** @internal Validate k (integer, 1 <= k <= kMax). */
export function checkK(k: unknown, kMax: number, what: string, fn = 'periodicKnn'): number {
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new PbcError(`${fn}: k must be an integer, got ${describeValue(k)}`, 'PBC_BAD_K');
  }
  if (k < 1) throw new PbcError(`${fn}: k must be >= 1, got ${k}`, 'PBC_BAD_K');
  if (k > kMax) {
    throw new PbcError(`${fn}: k must be <= ${kMax} (${what}), got ${k}`, 'PBC_BAD_K');
  }
  return k;
}

/** @internal Bin N points (starting at `base` in `pos`) into a cell list stored in `ws`. */
function buildCells(ws: KnnWorkspace, pos: Vec3Array, base: number, N: number, k: number): void {
  const Ls = ws.lengths, lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const c = Math.cbrt((TARGET_OCCUPANCY * lx * ly * lz) / N);
  const g = cellGrid(lx, ly, lz, c, N, ws.grid);
  const nx = g[0], ny = g[1], nz = g[2];
  const cx = lx / nx, cy = ly / ny, cz = lz / nz;
  ws.cellSize[0] = cx; ws.cellSize[1] = cy; ws.cellSize[2] = cz;
  const cells = nx * ny * nz;
  ws.ensurePoints(N);
  ws.ensureCells(cells);
  const w = ws.wrapped, cellOf = ws.cellOf, start = ws.cellStart;
  const sorted = ws.sorted, sidx = ws.sortedIndex;
  binIntoCells(pos, base, N, lx, ly, lz, nx, ny, nz, w, cellOf, start, sidx, sorted);
  // initial search radius in cells from the expected k-th neighbor distance at uniform density
  const rk = Math.cbrt((3 * (k + 1) * lx * ly * lz) / (4 * Math.PI * N));
  const R = Math.max(1, Math.ceil(rk / Math.min(cx, cy, cz)) + 1);
  ensureOffsets(ws, R);
}

function axisRange(n: number, R: number, g: Int32Array, at: number): boolean {
  if (2 * R + 1 >= n) {
    const lo = -Math.floor((n - 1) / 2);
    g[at] = lo; g[at + 1] = lo + n - 1;
    return true;
  }
  g[at] = -R; g[at + 1] = R;
  return false;
}

/**
 * Number of sub-cells per axis: each query selects the offset table of its sub-cell, whose lower
 * bounds (and hence visiting order and early exit) are tighter than those of a whole cell.
 */
const SUB = 3;

/**
 * Lower bound of |minimum-image component| between a query at offset f in [lo, hi] within its cell
 * and any point in the cell `d` cells away (all periodic images of that cell considered).
 */
function subGap(d: number, n: number, c: number, lo: number, hi: number): number {
  let best = Infinity;
  for (let t = -1; t <= 1; t++) {
    const e = d + t * n;
    const v = e > 0 ? (e - 1) * c + (c - hi) : e < 0 ? (-e - 1) * c + lo : 0;
    if (v < best) best = v;
  }
  best -= 1e-9 * c;
  return best > 0 ? best : 0;
}

/** @internal Build (or reuse) the table of cell offsets sorted by their static lower bound. */
function ensureOffsets(ws: KnnWorkspace, R: number): void {
  const g = ws.grid, cs = ws.cellSize, p = ws.offsetParams;
  const nx = g[0], ny = g[1], nz = g[2];
  if (p[0] === nx && p[1] === ny && p[2] === nz && p[3] === R && p[4] === cs[0] && p[5] === cs[1] && p[6] === cs[2]) {
    return;
  }
  const fx = axisRange(nx, R, g, 3), fy = axisRange(ny, R, g, 5), fz = axisRange(nz, R, g, 7);
  let cmin = Infinity;
  if (!fx) cmin = Math.min(cmin, cs[0]);
  if (!fy) cmin = Math.min(cmin, cs[1]);
  if (!fz) cmin = Math.min(cmin, cs[2]);
  const complete = fx && fy && fz;
  const sx = g[4] - g[3] + 1, sy = g[6] - g[5] + 1, sz = g[8] - g[7] + 1;
  const m = sx * sy * sz;
  const tables = SUB * SUB * SUB;
  if (ws.offsetLb2.length < tables * m) {
    ws.offsetLb2 = new Float64Array(tables * m);
    ws.offsets = new Int32Array(4 * tables * m);
  }
  const off = ws.offsets, olb = ws.offsetLb2;
  const lb: number[] = new Array(m), norm: number[] = new Array(m), order: number[] = new Array(m);
  for (let tab = 0; tab < tables; tab++) {
    const ux = tab % SUB, uy = Math.floor(tab / SUB) % SUB, uz = Math.floor(tab / (SUB * SUB));
    for (let a = 0; a < sx; a++) {
      for (let b = 0; b < sy; b++) {
        for (let c = 0; c < sz; c++) {
          const dx = g[3] + a, dy = g[5] + b, dz = g[7] + c;
          const id = a + sx * (b + sy * c);
          const gx = subGap(dx, nx, cs[0], (ux * cs[0]) / SUB, ((ux + 1) * cs[0]) / SUB);
          const gy = subGap(dy, ny, cs[1], (uy * cs[1]) / SUB, ((uy + 1) * cs[1]) / SUB);
          const gz = subGap(dz, nz, cs[2], (uz * cs[2]) / SUB, ((uz + 1) * cs[2]) / SUB);
          lb[id] = (gx * gx + gy * gy + gz * gz) * SAFE;
          norm[id] = dx * dx + dy * dy + dz * dz;
          order[id] = id;
        }
      }
    }
    order.sort((u, v) => lb[u] - lb[v] || norm[u] - norm[v] || u - v);
    for (let t = 0; t < m; t++) {
      const id = order[t];
      const a = id % sx, b = Math.floor(id / sx) % sy, c = Math.floor(id / (sx * sy));
      const u = tab * m + t;
      // table columns (dx - lox, dy - loy, dz - loz); the 4th int is spare (alignment)
      off[4 * u] = a; off[4 * u + 1] = b; off[4 * u + 2] = c;
      off[4 * u + 3] = 0;
      olb[u] = lb[id];
    }
  }
  ws.offsetCount = m;
  if (ws.gapX.length < sx) ws.gapX = new Float64Array(sx);
  if (ws.gapY.length < sy) ws.gapY = new Float64Array(sy);
  if (ws.gapZ.length < sz) ws.gapZ = new Float64Array(sz);
  if (ws.colX.length < sx) ws.colX = new Int32Array(sx);
  if (ws.colY.length < sy) ws.colY = new Int32Array(sy);
  if (ws.colZ.length < sz) ws.colZ = new Int32Array(sz);
  p[0] = nx; p[1] = ny; p[2] = nz; p[3] = R; p[4] = cs[0]; p[5] = cs[1]; p[6] = cs[2];
  p[7] = complete ? 1 : 0;
  p[8] = complete ? Infinity : R * cmin * SAFE * (R * cmin * SAFE);
}

/** @internal Per-axis lower bounds of |minimum-image component| from a query at offset f in its cell. */
function fillGaps(gap: Float64Array, lo: number, hi: number, n: number, c: number, f: number): void {
  if (f < 0) f = 0;
  else if (f > c) f = c;
  const fr = c - f;
  const slack = 1e-9 * c;
  for (let d = lo; d <= hi; d++) {
    let best = Infinity;
    for (let t = -1; t <= 1; t++) {
      const e = d + t * n;
      const v = e > 0 ? (e - 1) * c + fr : e < 0 ? (-e - 1) * c + f : 0;
      if (v < best) best = v;
    }
    // absolute slack (1e-9 of a cell) so rounding in cell assignment never prunes a true neighbor
    best -= slack;
    gap[d - lo] = best > 0 ? best * best : 0;
  }
}

/**
 * @internal Exact k nearest data points of query (qx, qy, qz) (wrapped), skipping sorted slot
 * `selfSlot` (-1: none). Leaves the result sorted by (d2, index) in ws.bestD2 / ws.bestSlot.
 */
function searchOne(ws: KnnWorkspace, qx: number, qy: number, qz: number, selfSlot: number, k: number): void {
  const Ls = ws.lengths, lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const hx = 0.5 * lx, hy = 0.5 * ly, hz = 0.5 * lz;
  const g = ws.grid, nx = g[0], ny = g[1], nz = g[2];
  const cs = ws.cellSize, cx = cs[0], cy = cs[1], cz = cs[2];
  let ix = (qx * (nx / lx)) | 0, iy = (qy * (ny / ly)) | 0, iz = (qz * (nz / lz)) | 0;
  if (ix >= nx) ix = nx - 1;
  if (iy >= ny) iy = ny - 1;
  if (iz >= nz) iz = nz - 1;
  const fx = qx - ix * cx, fy = qy - iy * cy, fz = qz - iz * cz;
  const start = ws.cellStart, sorted = ws.sorted, sidx = ws.sortedIndex;
  const bd = ws.bestD2, bs = ws.bestSlot;
  for (;;) {
    const lox = g[3], hix = g[4], loy = g[5], hiy = g[6], loz = g[7], hiz = g[8];
    const gx = ws.gapX, gy = ws.gapY, gz = ws.gapZ;
    fillGaps(gx, lox, hix, nx, cx, fx);
    fillGaps(gy, loy, hiy, ny, cy, fy);
    fillGaps(gz, loz, hiz, nz, cz, fz);
    const off = ws.offsets, olb = ws.offsetLb2, m = ws.offsetCount;
    // wrapped cell coordinate of each table column, premultiplied: cell = colX[ax] + colY[ay] + colZ[az]
    const colX = ws.colX, colY = ws.colY, colZ = ws.colZ;
    for (let a = 0, j = ix + lox; a <= hix - lox; a++, j++) colX[a] = j < 0 ? j + nx : j >= nx ? j - nx : j;
    for (let a = 0, j = iy + loy; a <= hiy - loy; a++, j++) colY[a] = nx * (j < 0 ? j + ny : j >= ny ? j - ny : j);
    for (let a = 0, j = iz + loz; a <= hiz - loz; a++, j++) colZ[a] = nx * ny * (j < 0 ? j + nz : j >= nz ? j - nz : j);
    let ux = ((fx * SUB) / cx) | 0, uy = ((fy * SUB) / cy) | 0, uz = ((fz * SUB) / cz) | 0;
    ux = ux < 0 ? 0 : ux >= SUB ? SUB - 1 : ux;
    uy = uy < 0 ? 0 : uy >= SUB ? SUB - 1 : uy;
    uz = uz < 0 ? 0 : uz >= SUB ? SUB - 1 : uz;
    const tb = (ux + SUB * (uy + SUB * uz)) * m;
    let cnt = 0;
    let kth2 = Infinity;
    let t = tb;
    const tEnd = tb + m;
    for (; t < tEnd; t++) {
      if (olb[t] > kth2) break;
      const ax = off[4 * t], ay = off[4 * t + 1], az = off[4 * t + 2];
      if ((gx[ax] + gy[ay] + gz[az]) * SAFE > kth2) continue;
      const cell = colX[ax] + colY[ay] + colZ[az];
      const end = start[cell + 1];
      for (let s = start[cell]; s < end; s++) {
        let ddx = sorted[3 * s] - qx;
        if (ddx >= hx) ddx -= lx; else if (ddx < -hx) ddx += lx;
        let ddy = sorted[3 * s + 1] - qy;
        if (ddy >= hy) ddy -= ly; else if (ddy < -hy) ddy += ly;
        let ddz = sorted[3 * s + 2] - qz;
        if (ddz >= hz) ddz -= lz; else if (ddz < -hz) ddz += lz;
        const d2 = ddx * ddx + ddy * ddy + ddz * ddz;
        if (d2 > kth2 || s === selfSlot) continue;
        let p: number;
        if (cnt < k) {
          p = cnt++;
        } else {
          // equal distance: the smaller original index wins
          if (d2 === kth2 && sidx[s] > sidx[bs[k - 1]]) continue;
          p = k - 1;
        }
        while (p > 0) {
          const pd = bd[p - 1];
          if (pd < d2 || (pd === d2 && sidx[bs[p - 1]] < sidx[s])) break;
          bd[p] = pd;
          bs[p] = bs[p - 1];
          p--;
        }
        bd[p] = d2;
        bs[p] = s;
        if (cnt === k) kth2 = bd[k - 1];
      }
    }
    // every table cell with a lower bound <= kth2 was scanned; cells outside the table are at
    // least sqrt(p[8]) away, so the result is exact unless the table is incomplete and kth2 >= p[8]
    const p = ws.offsetParams;
    if (p[7] === 1 || kth2 < p[8]) return;
    // the offset table did not reach far enough (clustered data): widen and redo this query
    ensureOffsets(ws, Math.min(2 * p[3], 1 << 20));
  }
}

/** @internal Write the current best list of one query as row `row` of the result. */
function writeRow(
  ws: KnnWorkspace, res: KnnResult, row: number, k: number, qx: number, qy: number, qz: number, indexOffset: number,
): void {
  const Ls = ws.lengths, lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const hx = 0.5 * lx, hy = 0.5 * ly, hz = 0.5 * lz;
  const sorted = ws.sorted, sidx = ws.sortedIndex, bd = ws.bestD2, bs = ws.bestSlot;
  const idx = res.indices, dist = res.distances, vec = res.vectors;
  const o = row * k;
  for (let t = 0; t < k; t++) {
    const s = bs[t];
    let ddx = sorted[3 * s] - qx;
    if (ddx >= hx) ddx -= lx; else if (ddx < -hx) ddx += lx;
    let ddy = sorted[3 * s + 1] - qy;
    if (ddy >= hy) ddy -= ly; else if (ddy < -hy) ddy += ly;
    let ddz = sorted[3 * s + 2] - qz;
    if (ddz >= hz) ddz -= lz; else if (ddz < -hz) ddz += lz;
    idx[o + t] = sidx[s] + indexOffset;
    dist[o + t] = Math.sqrt(bd[t]);
    vec[3 * (o + t)] = ddx; vec[3 * (o + t) + 1] = ddy; vec[3 * (o + t) + 2] = ddz;
  }
}

/** @internal kNN of all N points of one frame (self excluded) into rows rowOffset.. of res. */
function selfKnnFrame(
  ws: KnnWorkspace, pos: Vec3Array, base: number, N: number, k: number, res: KnnResult, rowOffset: number,
): void {
  buildCells(ws, pos, base, N, k);
  const sorted = ws.sorted, sidx = ws.sortedIndex;
  for (let s = 0; s < N; s++) {
    const qx = sorted[3 * s], qy = sorted[3 * s + 1], qz = sorted[3 * s + 2];
    const i = sidx[s];
    searchOne(ws, qx, qy, qz, s, k);
    writeRow(ws, res, rowOffset + i, k, qx, qy, qz, rowOffset);
  }
}

/**
 * Exact k nearest neighbors under periodic boundary conditions (minimum-image convention).
 *
 * Cell-list algorithm, O(N k) at uniform density: points are binned with a counting sort, cells are
 * visited in order of their minimum possible distance and the search stops as soon as the k-th best
 * distance is closer than every unvisited cell; the search widens automatically for clustered data
 * and boxes only a few cells wide. Correct for any box and any `1 <= k < N`.
 *
 * Positions need not be wrapped (unwrapped MD trajectories are fine). Rows are sorted by increasing
 * distance, ties broken by increasing neighbor index. Without `queries` each point's own index is
 * excluded (other points at the same position are neighbors at distance 0).
 *
 * @example
 * ```ts
 * const x = new Float64Array(3 * 1000).map(() => Math.random() * 10);
 * const { indices, distances, vectors } = periodicKnn(x, 10, 32); // indices[i*32 + t]
 * ```
 *
 * @param positions - data points, flat `[N, 3]` (LJ units)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param k - neighbors per point: integer, `1 <= k <= N - 1` (`<= N` with `queries`)
 * @param options - {@link PeriodicKnnOptions}: `queries`, `workspace`
 * @returns {@link KnnResult} with `n = N` (or the number of queries)
 * @throws {@link PbcError} on bad positions/queries (length % 3, NaN/Inf), bad box or bad `k`
 */
export function periodicKnn(positions: Vec3Array, box: BoxLike, k: number, options?: PeriodicKnnOptions): KnnResult {
  const N = validatePositions(positions);
  const ws = options?.workspace ?? new KnnWorkspace();
  if (!(ws instanceof KnnWorkspace)) {
    throw new PbcError(`periodicKnn: options.workspace must be a KnnWorkspace, got ${describeValue(ws)}`, 'PBC_BAD_OUT');
  }
  boxLengthsInto(box, ws.lengths);
  const queries = options?.queries;
  if (queries === undefined) {
    checkK(k, N - 1, `number of points N = ${N} minus 1: a point is not its own neighbor`);
    ws.ensureK(k);
    const res = ws.resultFor(N, k);
    selfKnnFrame(ws, positions, 0, N, k, res, 0);
    return res;
  }
  const M = validatePositions(queries, 'queries');
  checkK(k, N, `number of data points N = ${N}`);
  ws.ensureK(k);
  const res = ws.resultFor(M, k);
  buildCells(ws, positions, 0, N, k);
  const lx = ws.lengths[0], ly = ws.lengths[1], lz = ws.lengths[2];
  for (let i = 0; i < M; i++) {
    const qx = wrapScalar(queries[3 * i], lx), qy = wrapScalar(queries[3 * i + 1], ly), qz = wrapScalar(queries[3 * i + 2], lz);
    searchOne(ws, qx, qy, qz, -1, k);
    writeRow(ws, res, i, k, qx, qy, qz, 0);
  }
  return res;
}

/** Options of {@link periodicKnnBatch}. */
export interface PeriodicKnnBatchOptions {
  /** Number of frames B: a positive integer dividing the point count. */
  frames: number;
  /** Reusable buffers: repeated calls allocate nothing (the result is then owned by the workspace). */
  workspace?: KnnWorkspace;
}

/**
 * kNN for a batch of `frames` independent frames of `N` points each (same box), e.g. a training
 * batch. Equivalent to calling {@link periodicKnn} per frame, but writes one result with
 * `n = frames * N` rows and GLOBAL indices: node `j` of frame `b` is `b * N + j`, so neighbors never
 * cross frames.
 *
 * @example
 * ```ts
 * const res = periodicKnnBatch(x, 10, 12, { frames: 4, workspace }); // x: [4 * N, 3]
 * periodicKnnBatch(x, 10, 12, 4);                                  // same, without a workspace
 * ```
 *
 * @param positions - flat `[frames * N, 3]` (frame-major)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box} (shared by all frames)
 * @param k - neighbors per point, `1 <= k <= N - 1`
 * @param frames - the number of frames B, or {@link PeriodicKnnBatchOptions} `{ frames, workspace? }`
 * @returns {@link KnnResult} with `n = frames * N`
 * @throws {@link PbcError} on bad positions, frames, box or `k`
 */
export function periodicKnnBatch(
  positions: Vec3Array, box: BoxLike, k: number, frames: number | PeriodicKnnBatchOptions,
): KnnResult {
  const total = validatePositions(positions);
  const options = typeof frames === 'object' && frames !== null ? frames : { frames };
  const B = options.frames;
  if (typeof B !== 'number' || !Number.isInteger(B) || B < 1) {
    throw new PbcError(`periodicKnnBatch: frames must be an integer >= 1, got ${describeValue(B)}`, 'PBC_BAD_FRAMES');
  }
  if (total % B !== 0) {
    throw new PbcError(
      `periodicKnnBatch: the point count ${total} (positions.length / 3) must be a multiple of frames = ${B}`,
      'PBC_BAD_FRAMES',
    );
  }
  const N = total / B;
  const ws = options.workspace ?? new KnnWorkspace();
  if (!(ws instanceof KnnWorkspace)) {
    throw new PbcError(`periodicKnnBatch: options.workspace must be a KnnWorkspace, got ${describeValue(ws)}`, 'PBC_BAD_OUT');
  }
  boxLengthsInto(box, ws.lengths);
  checkK(k, N - 1, `points per frame N = ${N} minus 1: a point is not its own neighbor`, 'periodicKnnBatch');
  ws.ensureK(k);
  const res = ws.resultFor(total, k);
  for (let b = 0; b < B; b++) selfKnnFrame(ws, positions, 3 * b * N, N, k, res, b * N);
  return res;
}
