/**
 * Result of a k-nearest-neighbor search: row `i` holds the `k` neighbors of query point `i`,
 * sorted by increasing distance (ties broken by increasing index).
 */
export interface KnnResult {
  /** Number of query points (rows). */
  n: number;
  /** Neighbors per row. */
  k: number;
  /** `[n * k]` neighbor indices into the data points (global `b * N + j` for batches). */
  indices: Int32Array;
  /** `[n * k]` minimum-image distances (LJ length units), non-decreasing within a row. */
  distances: Float64Array;
  /** `[n * k * 3]` minimum-image vectors `x_j - x_i`, each component in `[-L/2, L/2)`. */
  vectors: Float64Array;
}
