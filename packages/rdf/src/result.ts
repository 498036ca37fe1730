import { describeValue } from '@mddm/core';
import { RdfError } from './errors';

/**
 * A radial distribution function on `bins` equal bins over `[0, rMax)` (SPEC §3).
 *
 * `g[b] = counts[b] / (pairDensity * 4/3 pi (edges[b+1]^3 - edges[b]^3))`. For one frame of N
 * particles in volume V (all particles), `counts` are ordered pairs (i, j), i != j, and
 * `pairDensity = N (N - 1) / V`; for a partial A-B RDF it is `(N_A N_B - |A ∩ B|) / V`; over several
 * frames both are summed (see {@link RdfAccumulator}).
 */
export interface RdfResult {
  /** Number of bins. */
  readonly bins: number;
  /** Upper end of the last bin (LJ length units). */
  readonly rMax: number;
  /** Bin edges `[bins + 1]`: `edges[b] = b * rMax / bins` (LJ length units). */
  readonly edges: Float64Array;
  /** Bin centers `[bins]` (LJ length units); plot g against these. */
  readonly centers: Float64Array;
  /** Ordered pair counts `[bins]` summed over frames (i != j; both (i, j) and (j, i) counted). */
  readonly counts: Float64Array;
  /** g(r) per bin `[bins]` (dimensionless; 1 for an ideal gas). */
  readonly g: Float64Array;
  /** Particles per frame (the mean over frames if they differ). */
  readonly n: number;
  /** Box volume per frame (the mean over frames if they differ; LJ length^3). */
  readonly volume: number;
  /** Number of frames summed. */
  readonly frames: number;
  /**
   * Ordered-pair density `sum over frames of P_f / V_f` (LJ length^-3), where `P_f` is the number of
   * ordered pairs (i in A, j in B, i != j) of frame f: `N (N - 1)` for the full RDF. The normalization
   * of `g`.
   */
  readonly pairDensity: number;
  /** Reference (A) particles summed over frames: `sum_f N_A,f` (N per frame for the full RDF). */
  readonly referenceCount: number;
}

/** @internal Validate `bins`. */
export function checkBins(bins: unknown): number {
  if (typeof bins !== 'number' || !Number.isInteger(bins) || bins < 1 || bins > 1e7) {
    throw new RdfError(`bins must be an integer between 1 and 1e7, got ${describeValue(bins)}`, 'RDF_BAD_BINS');
  }
  return bins;
}

/** @internal Validate `rMax` against the shortest box edge. */
export function checkRMax(rMax: unknown, minL: number): number {
  if (typeof rMax !== 'number' || !Number.isFinite(rMax) || !(rMax > 0)) {
    throw new RdfError(`rMax must be a finite number > 0, got ${describeValue(rMax)}`, 'RDF_BAD_RMAX');
  }
  if (rMax > minL / 2) {
    throw new RdfError(
      `rMax must be <= half the shortest box edge (${minL / 2}) so that every shell lies inside the minimum-image cell, got ${rMax}`,
      'RDF_BAD_RMAX',
    );
  }
  return rMax;
}

/**
 * Bin edges `[bins + 1]` of `bins` equal bins over `[0, rMax]`: `edges[b] = b * rMax / bins`
 * (the last edge is exactly `rMax`).
 *
 * @param bins - number of bins (integer >= 1)
 * @param rMax - upper end (> 0, LJ length units)
 */
export function binEdges(bins: number, rMax: number): Float64Array {
  checkBins(bins);
  if (!Number.isFinite(rMax) || !(rMax > 0)) throw new RdfError(`rMax must be a finite number > 0, got ${describeValue(rMax)}`, 'RDF_BAD_RMAX');
  const e = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) e[b] = (rMax * b) / bins;
  return e;
}

/**
 * Shell volumes `[bins]`: `4/3 pi (edges[b+1]^3 - edges[b]^3)` (LJ length^3).
 *
 * @param edges - bin edges `[bins + 1]`, increasing
 */
export function shellVolumes(edges: ArrayLike<number>): Float64Array {
  const bins = edges.length - 1;
  const s = new Float64Array(Math.max(bins, 0));
  for (let b = 0; b < bins; b++) s[b] = ((4 * Math.PI) / 3) * (edges[b + 1] ** 3 - edges[b] ** 3);
  return s;
}

/** @internal Build a result from summed counts and normalization. Copies `counts`. */
export function makeResult(
  counts: Float64Array, bins: number, rMax: number, pairDensity: number, referenceCount: number,
  n: number, volume: number, frames: number,
): RdfResult {
  const edges = binEdges(bins, rMax);
  const centers = new Float64Array(bins);
  const shells = shellVolumes(edges);
  const g = new Float64Array(bins);
  const c = Float64Array.from(counts.subarray(0, bins));
  for (let b = 0; b < bins; b++) {
    centers[b] = 0.5 * (edges[b] + edges[b + 1]);
    g[b] = c[b] / (pairDensity * shells[b]);
  }
  return { bins, rMax, edges, centers, counts: c, g, n, volume, frames, pairDensity, referenceCount };
}

/** @internal Duck-type check for an {@link RdfResult}. */
export function isRdfResult(x: unknown): x is RdfResult {
  return (
    x !== null && typeof x === 'object' && (x as RdfResult).g instanceof Float64Array &&
    typeof (x as RdfResult).bins === 'number' && typeof (x as RdfResult).rMax === 'number'
  );
}
