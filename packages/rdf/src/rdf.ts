import { toBox, validatePositions } from '@mddm/pbc';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { RdfError } from './errors';
import { addPairCounts, RdfWorkspace } from './pairCounts';
import type { PairMethod } from './pairCounts';
import { checkBins, checkRMax, makeResult } from './result';
import type { RdfResult } from './result';
import { resolveSelection, toIndexArray } from './selection';

/** Options of {@link rdf} and {@link RdfAccumulator}. */
export interface RdfOptions {
  /** Number of equal bins over `[0, rMax)` (default 100, SPEC §3). */
  bins?: number;
  /**
   * Upper end of the histogram (LJ length units); default half the shortest box edge (5.0 for the
   * 10^3 box). Must be `<= min(L) / 2`.
   */
  rMax?: number;
  /**
   * Reference particles (species A) of a partial RDF g_AB(r): indices into the frame. Default: all.
   * Pairs are ordered (i in A, j in B) with i == j excluded; the normalization is the exact ordered
   * pair density `(N_A N_B - |A ∩ B|) / V` (`N_A N_B / V` for disjoint sets, `N (N - 1) / V` when
   * both are all particles).
   */
  indicesA?: ArrayLike<number>;
  /** Neighbor particles (species B) of a partial RDF: indices into the frame. Default: all. */
  indicesB?: ArrayLike<number>;
  /** Pair enumeration: `'auto'` (default), `'cells'` or `'brute'` (see {@link PairMethod}). */
  method?: PairMethod;
  /**
   * Tuning: cell-list cells per cutoff m (cell side >= rMax / m), 1, 2 or 3. Default: the largest m
   * whose cells of side rMax / m hold >= 1.5 particles on average (m = 3 at density 1, rMax = 5).
   * Results do not depend on it.
   */
  cellsPerCutoff?: 1 | 2 | 3;
  /** Reusable scratch buffers (no allocation on repeated calls apart from the result). */
  workspace?: RdfWorkspace;
}

/** @internal Options checked once. */
export interface ResolvedOptions {
  bins: number;
  rMax: number | undefined;
  a: Int32Array | null;
  b: Int32Array | null;
  method: PairMethod;
  cellsPerCutoff: number | undefined;
}

/** @internal */
export function resolveOptions(options: RdfOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new RdfError(`options must be an object, got ${typeof o}`, 'RDF_BAD_VALUE');
  const bins = checkBins(o.bins ?? 100);
  if (o.rMax !== undefined) checkRMax(o.rMax, Infinity);
  const method = o.method ?? 'auto';
  if (method !== 'auto' && method !== 'cells' && method !== 'brute') {
    throw new RdfError(`method must be 'auto', 'cells' or 'brute', got ${JSON.stringify(method)}`, 'RDF_BAD_VALUE');
  }
  const m = o.cellsPerCutoff;
  if (m !== undefined && m !== 1 && m !== 2 && m !== 3) {
    throw new RdfError(`cellsPerCutoff must be 1, 2 or 3, got ${String(m)}`, 'RDF_BAD_VALUE');
  }
  if (o.workspace !== undefined && !(o.workspace instanceof RdfWorkspace)) {
    throw new RdfError(`workspace must be an RdfWorkspace`, 'RDF_BAD_VALUE');
  }
  return {
    bins,
    rMax: o.rMax,
    a: o.indicesA === undefined ? null : toIndexArray(o.indicesA, 'indicesA'),
    b: o.indicesB === undefined ? null : toIndexArray(o.indicesB, 'indicesB'),
    method,
    cellsPerCutoff: m,
  };
}

/** @internal Per-frame numbers produced by {@link countFrame}. */
export interface FrameInfo {
  n: number;
  volume: number;
  rMax: number;
  /** Ordered pairs (i in A, j in B, i != j). */
  pairs: number;
  nA: number;
}

/** @internal Validate one frame and add its ordered pair counts into `out`. */
export function countFrame(
  positions: Vec3Array, box: BoxLike, opts: ResolvedOptions, rMax: number | undefined, ws: RdfWorkspace, out: Float64Array,
): FrameInfo {
  const n = validatePositions(positions, 'positions');
  const bx = toBox(box);
  const Lx = bx.lengths[0], Ly = bx.lengths[1], Lz = bx.lengths[2];
  const r = checkRMax(rMax ?? Math.min(Lx, Ly, Lz) / 2, Math.min(Lx, Ly, Lz));
  const sel = resolveSelection(opts.a, opts.b, n, ws.markFor(n));
  const pairs = sel.nA * sel.nB - sel.overlap;
  if (pairs <= 0) {
    throw new RdfError(
      `a frame needs at least one pair (i in A, j in B, i != j), got N = ${n}, N_A = ${sel.nA}, N_B = ${sel.nB}, |A ∩ B| = ${sel.overlap}`,
      'RDF_TOO_FEW_PAIRS',
    );
  }
  addPairCounts(ws, positions, Lx, Ly, Lz, r, opts.bins, sel, opts.method, out, opts.cellsPerCutoff);
  return { n, volume: bx.volume, rMax: r, pairs, nA: sel.nA };
}

/**
 * Radial distribution function of one frame under periodic boundaries (SPEC §3):
 * `g_b = (ordered pairs in bin b) / (N (N - 1) / V * 4/3 pi (r_{b+1}^3 - r_b^3))` with minimum-image
 * distances and i == j excluded; by default `rMax = min(L) / 2` and 100 bins.
 *
 * Pairs are found with a cell list (O(N) for `rMax << L`) or all pairs when that is cheaper (small
 * N, `rMax` near `L / 2`); both give identical counts.
 *
 * @param positions - flat `[N, 3]` coordinates (LJ units; wrapped internally, any finite values)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a `Box`
 * @param options - bins, rMax, partial-RDF index sets, method, workspace
 * @returns the {@link RdfResult} (frames = 1)
 * @throws {@link RdfError} on bad bins / rMax / index sets or fewer than one pair; `PbcError` on a bad
 *   box or non-finite / mis-shaped positions
 *
 * @example
 * ```ts
 * const res = rdf(positions, 10); // 100 bins on [0, 5)
 * console.log(res.centers[20], res.g[20]);
 * ```
 */
export function rdf(positions: Vec3Array, box: BoxLike, options?: RdfOptions): RdfResult {
  const opts = resolveOptions(options);
  const ws = options?.workspace ?? new RdfWorkspace();
  const counts = new Float64Array(opts.bins);
  const f = countFrame(positions, box, opts, opts.rMax, ws, counts);
  return makeResult(counts, opts.bins, f.rMax, f.pairs / f.volume, f.nA, f.n, f.volume, 1);
}
