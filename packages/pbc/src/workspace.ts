import type { KnnResult } from './knnResult';

/**
 * Reusable buffers for {@link periodicKnn} / {@link periodicKnnBatch}.
 *
 * Pass the same workspace to repeated calls (e.g. one per denoising step): once the buffers have
 * grown to the problem size, calls allocate nothing. **The returned {@link KnnResult} is owned by the
 * workspace**: its arrays are overwritten by the next call with the same workspace and the same
 * `(n, k)` shape, so copy them if you need to keep them. A workspace is not thread-safe (use one per
 * worker).
 */
export class KnnWorkspace {
  /** @internal box lengths of the current call */
  readonly lengths = new Float64Array(3);
  /** @internal wrapped data coordinates by original index, [N*3] */
  wrapped = new Float64Array(0);
  /** @internal wrapped data coordinates sorted by cell, [N*3] */
  sorted = new Float64Array(0);
  /** @internal original index of each sorted slot, [N] */
  sortedIndex = new Int32Array(0);
  /** @internal cell of each point (original order), [N] */
  cellOf = new Int32Array(0);
  /** @internal CSR start of each cell in the sorted arrays, [cells + 1] */
  cellStart = new Int32Array(0);
  /** @internal k best squared distances of the current query */
  bestD2 = new Float64Array(0);
  /** @internal sorted slots of the k best of the current query */
  bestSlot = new Int32Array(0);
  /** @internal cell offsets (dx, dy, dz) sorted by static lower bound, [m*3] */
  offsets = new Int32Array(0);
  /** @internal static squared lower bound of each offset, [m] */
  offsetLb2 = new Float64Array(0);
  /** @internal number of offsets in use */
  offsetCount = 0;
  /** @internal per-query per-axis gap tables, [(2R+1)] each */
  gapX = new Float64Array(0);
  /** @internal */
  gapY = new Float64Array(0);
  /** @internal */
  gapZ = new Float64Array(0);
  /** @internal grid: nx, ny, nz, then offset-table lo/hi per axis: lox, hix, loy, hiy, loz, hiz */
  readonly grid = new Int32Array(9);
  /** @internal cell sizes cx, cy, cz */
  readonly cellSize = new Float64Array(3);
  /** @internal parameters of the cached offset table: nx, ny, nz, R, cx, cy, cz, complete, boundary2 */
  readonly offsetParams = new Float64Array(9);
  /** @internal per-query wrapped cell coordinate of each table column (premultiplied strides) */
  colX = new Int32Array(0);
  /** @internal */
  colY = new Int32Array(0);
  /** @internal */
  colZ = new Int32Array(0);
  /** @internal cached result (reused when the shape matches) */
  result: KnnResult | null = null;

  /** @internal Ensure capacity for N data points. */
  ensurePoints(n: number): void {
    if (this.wrapped.length < 3 * n) {
      const cap = Math.max(3 * n, 16);
      this.wrapped = new Float64Array(cap);
      this.sorted = new Float64Array(cap);
      this.sortedIndex = new Int32Array(cap / 3 + 1);
      this.cellOf = new Int32Array(cap / 3 + 1);
    }
  }

  /** @internal Ensure capacity for `cells` cells. */
  ensureCells(cells: number): void {
    if (this.cellStart.length < cells + 1) this.cellStart = new Int32Array(cells + 1);
  }

  /** @internal Ensure capacity for k best candidates. */
  ensureK(k: number): void {
    if (this.bestD2.length < k) {
      this.bestD2 = new Float64Array(k);
      this.bestSlot = new Int32Array(k);
    }
  }

  /** @internal Result arrays of exactly shape (n, k), reused when possible. */
  resultFor(n: number, k: number): KnnResult {
    const r = this.result;
    if (r !== null && r.n === n && r.k === k) return r;
    const res: KnnResult = {
      n,
      k,
      indices: new Int32Array(n * k),
      distances: new Float64Array(n * k),
      vectors: new Float64Array(n * k * 3),
    };
    this.result = res;
    return res;
  }
}
