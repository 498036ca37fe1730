import { periodicKnn, periodicKnnBatch } from '@mddm/pbc';
import type { BoxLike, KnnResult, KnnWorkspace, Vec3Array } from '@mddm/pbc';
import { EdgeConvError, show } from './errors';

/**
 * A directed k-nearest-neighbor graph, the input every {@link PbcEdgeConv} layer of a model shares
 * (build it once per denoising step). Node `i` has exactly `k` incoming messages from the nodes
 * `indices[i*k .. i*k+k)`; edge `e = i*k + s` carries the relative vector `vectors[3e .. 3e+3) =
 * x_j - x_i` (minimum image for periodic graphs, plain difference otherwise), in the position units
 * (LJ units for MDDM).
 *
 * Batched graphs stack `frames` independent frames of `nodesPerFrame` nodes each: node `b*N + i` is
 * node `i` of frame `b`, and neighbor indices are global (never cross frames).
 *
 * Treat a graph as immutable once built: layers validate each graph object once (the first time
 * they see it) and cache per-graph data (reverse adjacency of the composed path). Build a new graph
 * for new positions.
 */
export interface EdgeGraph {
  /** Total number of nodes, `frames * nodesPerFrame`. */
  readonly n: number;
  /** Neighbors per node. */
  readonly k: number;
  /** Number of stacked frames (1 for a single configuration). */
  readonly frames: number;
  /** Nodes per frame. */
  readonly nodesPerFrame: number;
  /** Neighbor indices, `[n, k]` flat row-major, global node ids in `[0, n)`. */
  readonly indices: Int32Array;
  /** Edge vectors `x_j - x_i`, `[n, k, 3]` flat row-major, float32. */
  readonly vectors: Float32Array;
}

/**
 * Converts a kNN result from `@mddm/pbc` (`periodicKnn` or `periodicKnnBatch`) into an
 * {@link EdgeGraph}. The index and vector arrays are copied (a `KnnWorkspace` reuses its buffers),
 * vectors are rounded to float32.
 *
 * @param knn - kNN result: `indices [n*k]` (global for batches), `vectors [n*k*3]` (`x_j - x_i`)
 * @param frames - number of stacked frames in `knn` (default 1); `knn.n` must be a multiple
 * @throws {@link EdgeConvError} if the arrays have the wrong lengths, an index is out of range or
 *   crosses frames, or a vector is not finite
 */
export function graphFromKnn(knn: KnnResult, frames = 1): EdgeGraph {
  if (knn == null || typeof knn !== 'object') {
    throw new EdgeConvError(`graphFromKnn: knn must be a KnnResult object, got ${show(knn)}`, 'EDGECONV_BAD_GRAPH');
  }
  const { n, k } = knn;
  if (!Number.isInteger(frames) || frames < 1) {
    throw new EdgeConvError(`graphFromKnn: frames must be a positive integer, got ${show(frames)}`, 'EDGECONV_BAD_GRAPH');
  }
  if (!Number.isInteger(n) || n < 1 || n % frames !== 0) {
    throw new EdgeConvError(
      `graphFromKnn: knn.n must be a positive multiple of frames = ${frames}, got ${show(n)}`, 'EDGECONV_BAD_GRAPH');
  }
  const indices = Int32Array.from(knn.indices);
  const vectors = Float32Array.from(knn.vectors);
  const graph: EdgeGraph = { n, k, frames, nodesPerFrame: n / frames, indices, vectors };
  validateGraph(graph, 'graphFromKnn');
  return graph;
}

/**
 * Validates an {@link EdgeGraph}: integer sizes, array lengths `n*k` and `n*k*3`, every index in
 * range and in the same frame as its node, every vector finite.
 *
 * @param graph - the graph to check
 * @param where - name of the calling function for the error message
 * @throws {@link EdgeConvError} (`EDGECONV_BAD_GRAPH`) naming the first problem found
 */
export function validateGraph(graph: EdgeGraph, where = 'graph'): void {
  const bad = (msg: string): never => {
    throw new EdgeConvError(`${where}: ${msg}`, 'EDGECONV_BAD_GRAPH');
  };
  if (graph == null || typeof graph !== 'object') bad(`graph must be an EdgeGraph object, got ${show(graph)}`);
  const { n, k, frames, nodesPerFrame, indices, vectors } = graph;
  for (const [name, v] of [['n', n], ['k', k], ['frames', frames], ['nodesPerFrame', nodesPerFrame]] as const) {
    if (!Number.isInteger(v) || v < 1) bad(`graph.${name} must be a positive integer, got ${show(v)}`);
  }
  if (frames * nodesPerFrame !== n) bad(`graph.n = ${n} must equal frames * nodesPerFrame = ${frames} * ${nodesPerFrame}`);
  if (!(indices instanceof Int32Array) || indices.length !== n * k) {
    bad(`graph.indices must be an Int32Array of length n*k = ${n * k}, got ${show(indices)}`);
  }
  if (!(vectors instanceof Float32Array) || vectors.length !== n * k * 3) {
    bad(`graph.vectors must be a Float32Array of length n*k*3 = ${n * k * 3}, got ${show(vectors)}`);
  }
  for (let i = 0; i < n; i++) {
    const lo = i - (i % nodesPerFrame);
    const hi = lo + nodesPerFrame;
    for (let s = 0; s < k; s++) {
      const j = indices[i * k + s]!;
      if (j < lo || j >= hi) {
        bad(`graph.indices[${i * k + s}] = ${j} (node ${i}, neighbor ${s}) must be in its frame's range [${lo}, ${hi})`);
      }
    }
  }
  for (let e = 0; e < vectors.length; e++) {
    if (!Number.isFinite(vectors[e]!)) bad(`graph.vectors[${e}] = ${vectors[e]} must be finite`);
  }
}

/**
 * Builds the kNN {@link EdgeGraph} of one configuration or of `frames` stacked configurations.
 *
 * - `box` given: periodic kNN with minimum-image vectors (`periodicKnn` / `periodicKnnBatch` from
 *   `@mddm/pbc`, which validate the box and positions).
 * - `box === null`: non-periodic point cloud; plain Euclidean kNN (exact, brute force, O(N^2) per
 *   frame) and vectors `x_j - x_i`.
 *
 * Neighbors are sorted by distance, self excluded.
 *
 * @param positions - `[frames * N, 3]` flat row-major (LJ units)
 * @param box - periodic box (cubic `L`, `[Lx, Ly, Lz]` or a `Box`), or `null` for no periodicity
 * @param k - neighbors per node, `1 <= k <= N - 1`
 * @param options - `frames` (default 1): stacked frames; `workspace`: reusable kNN buffers
 * @throws {@link EdgeConvError} for bad `k`, `frames` or (non-periodic) positions; `PbcError` from
 *   `@mddm/pbc` for a bad box or positions in the periodic case
 */
export function buildGraph(
  positions: Vec3Array,
  box: BoxLike | null,
  k: number,
  options: { frames?: number; workspace?: KnnWorkspace } = {},
): EdgeGraph {
  const frames = options.frames ?? 1;
  if (!(positions instanceof Float32Array || positions instanceof Float64Array)) {
    throw new EdgeConvError(`buildGraph: positions must be a Float32Array or Float64Array, got ${show(positions)}`,
      'EDGECONV_BAD_POSITIONS');
  }
  if (!Number.isInteger(frames) || frames < 1) {
    throw new EdgeConvError(`buildGraph: options.frames must be a positive integer, got ${show(frames)}`, 'EDGECONV_BAD_GRAPH');
  }
  if (positions.length === 0 || positions.length % (3 * frames) !== 0) {
    throw new EdgeConvError(
      `buildGraph: positions.length = ${positions.length} must be a positive multiple of 3 * frames = ${3 * frames}`,
      'EDGECONV_BAD_POSITIONS');
  }
  const n = positions.length / 3;
  const npf = n / frames;
  if (!Number.isInteger(k) || k < 1 || k > npf - 1) {
    throw new EdgeConvError(`buildGraph: k must be an integer in [1, ${npf - 1}] (N - 1 per frame), got ${show(k)}`,
      'EDGECONV_BAD_K');
  }
  if (box === null) return euclideanGraph(positions, frames, k);
  const knnOpts = options.workspace ? { workspace: options.workspace } : {};
  const knn = frames === 1 ? periodicKnn(positions, box, k, knnOpts) : periodicKnnBatch(positions, box, k, { frames, ...knnOpts });
  const graph: EdgeGraph = {
    n, k, frames, nodesPerFrame: npf, indices: Int32Array.from(knn.indices), vectors: Float32Array.from(knn.vectors),
  };
  return graph;
}

/** Exact non-periodic kNN (brute force with a sorted insertion list per node). */
function euclideanGraph(x: Vec3Array, frames: number, k: number): EdgeGraph {
  const n = x.length / 3;
  const npf = n / frames;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new EdgeConvError(`buildGraph: positions[${i}] = ${x[i]} must be finite`, 'EDGECONV_BAD_POSITIONS');
    }
  }
  const indices = new Int32Array(n * k);
  const vectors = new Float32Array(n * k * 3);
  const bestD = new Float64Array(k);
  const bestJ = new Int32Array(k);
  for (let b = 0; b < frames; b++) {
    const lo = b * npf;
    const hi = lo + npf;
    for (let i = lo; i < hi; i++) {
      const xi = x[3 * i]!, yi = x[3 * i + 1]!, zi = x[3 * i + 2]!;
      let count = 0;
      for (let j = lo; j < hi; j++) {
        if (j === i) continue;
        const dx = x[3 * j]! - xi, dy = x[3 * j + 1]! - yi, dz = x[3 * j + 2]! - zi;
        const d = dx * dx + dy * dy + dz * dz;
        if (count === k && d >= bestD[k - 1]!) continue;
        let p = count < k ? count++ : k - 1;
        while (p > 0 && bestD[p - 1]! > d) {
          bestD[p] = bestD[p - 1]!;
          bestJ[p] = bestJ[p - 1]!;
          p--;
        }
        bestD[p] = d;
        bestJ[p] = j;
      }
      for (let s = 0; s < k; s++) {
        const j = bestJ[s]!;
        const e = i * k + s;
        indices[e] = j;
        vectors[3 * e] = x[3 * j]! - xi;
        vectors[3 * e + 1] = x[3 * j + 1]! - yi;
        vectors[3 * e + 2] = x[3 * j + 2]! - zi;
      }
    }
  }
  return { n, k, frames, nodesPerFrame: npf, indices, vectors };
}
