import { describeValue } from '@mddm/core';
import { periodicKnn, periodicKnnBatch } from '@mddm/pbc';
import type { BoxLike, KnnResult, KnnWorkspace, Vec3Array } from '@mddm/pbc';
import { euclideanKnnInto } from './euclideanKnn';
import { EdgeConvError } from './errors';
import type { EdgeGraph } from './graph';
import { validateGraph } from './graph';
import { graphArrays } from './graphBuffers';

/** Options of {@link buildGraph}. */
export interface BuildGraphOptions {
  /** Number of stacked frames in `positions` (default 1). */
  frames?: number;
  /**
   * Reusable buffers: repeated calls allocate nothing once warm. The returned graph's arrays are
   * then owned by the workspace (like its `KnnResult`) and overwritten by the next call with it.
   */
  workspace?: KnnWorkspace;
}

/** Options of {@link graphFromKnn}. */
export interface GraphFromKnnOptions {
  /** Number of stacked frames in the kNN result (default 1); `knn.n` must be a multiple. */
  frames?: number;
}

/**
 * Builds the kNN {@link EdgeGraph} of one configuration or of `frames` stacked configurations.
 *
 * - `box` given: periodic kNN with minimum-image vectors (`periodicKnn` / `periodicKnnBatch` from
 *   `@mddm/pbc`, which validate the box and positions; their `PbcError`s propagate unchanged).
 * - `box === null`: non-periodic point cloud; plain Euclidean kNN (exact, brute force, O(N^2) per
 *   frame) and vectors `x_j - x_i`.
 *
 * Neighbors are sorted by distance, self excluded.
 *
 * @example
 * ```ts
 * const workspace = new KnnWorkspace();                       // from @mddm/pbc
 * const graph = buildGraph(positions, 10, 32, { workspace }); // periodic, box L = 10, k = 32
 * ```
 *
 * @param positions - `[frames * N, 3]` flat row-major (LJ units)
 * @param box - periodic box (cubic `L`, `[Lx, Ly, Lz]` or a `Box`), or `null` for no periodicity
 * @param k - neighbors per node, `1 <= k <= N - 1`
 * @param options - `frames` (default 1): stacked frames; `workspace`: reusable buffers (then the
 *   graph is owned by the workspace)
 * @throws {@link EdgeConvError} for bad `k`, `frames` or (non-periodic) positions; `PbcError` from
 *   `@mddm/pbc` for a bad box or positions in the periodic case
 */
export function buildGraph(positions: Vec3Array, box: BoxLike | null, k: number, options: BuildGraphOptions = {}): EdgeGraph {
  const frames = options.frames ?? 1;
  const { n, nodesPerFrame } = checkGraphSize(positions, k, frames);
  let out;
  if (box === null) {
    checkFinite(positions);
    out = graphArrays(n, k, options.workspace);
    euclideanKnnInto(positions, frames, k, out);
  } else {
    const knnOpts = options.workspace ? { workspace: options.workspace } : {};
    const knn = frames === 1 ? periodicKnn(positions, box, k, knnOpts) : periodicKnnBatch(positions, box, k, { frames, ...knnOpts });
    out = graphArrays(n, k, options.workspace);
    out.indices.set(knn.indices);
    out.vectors.set(knn.vectors); // rounds to float32
  }
  return { n, k, frames, nodesPerFrame, indices: out.indices, vectors: out.vectors };
}

/** Validates the sizes `buildGraph` gets; returns the node counts. */
function checkGraphSize(positions: Vec3Array, k: number, frames: number): { n: number; nodesPerFrame: number } {
  if (!(positions instanceof Float32Array || positions instanceof Float64Array)) {
    throw new EdgeConvError(`buildGraph: positions must be a Float32Array or Float64Array, got ${describeValue(positions)}`,
      'EDGECONV_BAD_POSITIONS');
  }
  if (!Number.isInteger(frames) || frames < 1) {
    throw new EdgeConvError(`buildGraph: options.frames must be an integer >= 1, got ${describeValue(frames)}`, 'EDGECONV_BAD_GRAPH');
  }
  if (positions.length === 0 || positions.length % (3 * frames) !== 0) {
    throw new EdgeConvError(
      `buildGraph: positions.length = ${positions.length} must be a positive multiple of 3 * frames = ${3 * frames}`,
      'EDGECONV_BAD_POSITIONS');
  }
  const n = positions.length / 3;
  const nodesPerFrame = n / frames;
  if (!Number.isInteger(k) || k < 1 || k > nodesPerFrame - 1) {
    throw new EdgeConvError(`buildGraph: k must be an integer in [1, ${nodesPerFrame - 1}] (N - 1 per frame), got ${describeValue(k)}`,
      'EDGECONV_BAD_K');
  }
  return { n, nodesPerFrame };
}

/** Non-periodic positions must be finite (periodic ones are checked by `@mddm/pbc`). */
function checkFinite(x: Vec3Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new EdgeConvError(`buildGraph: positions[${i}] = ${x[i]} must be finite`, 'EDGECONV_BAD_POSITIONS');
    }
  }
}

/**
 * Converts a kNN result from `@mddm/pbc` (`periodicKnn` or `periodicKnnBatch`) into an
 * {@link EdgeGraph}. The index and vector arrays are copied (a `KnnWorkspace` reuses its buffers),
 * vectors are rounded to float32.
 *
 * @param knn - kNN result: `indices [n*k]` (global for batches), `vectors [n*k*3]` (`x_j - x_i`)
 * @param options - `frames` (default 1): number of stacked frames in `knn`
 * @throws {@link EdgeConvError} if the arrays have the wrong lengths, an index is out of range or
 *   crosses frames, or a vector is not finite
 */
export function graphFromKnn(knn: KnnResult, options: GraphFromKnnOptions = {}): EdgeGraph {
  if (knn == null || typeof knn !== 'object') {
    throw new EdgeConvError(`graphFromKnn: knn must be a KnnResult object, got ${describeValue(knn)}`, 'EDGECONV_BAD_GRAPH');
  }
  const frames = options.frames ?? 1;
  const { n, k } = knn;
  if (!Number.isInteger(frames) || frames < 1) {
    throw new EdgeConvError(`graphFromKnn: options.frames must be an integer >= 1, got ${describeValue(frames)}`, 'EDGECONV_BAD_GRAPH');
  }
  if (!Number.isInteger(n) || n < 1 || n % frames !== 0) {
    throw new EdgeConvError(
      `graphFromKnn: knn.n must be a positive multiple of frames = ${frames}, got ${describeValue(n)}`, 'EDGECONV_BAD_GRAPH');
  }
  const indices = Int32Array.from(knn.indices);
  const vectors = Float32Array.from(knn.vectors);
  const graph: EdgeGraph = { n, k, frames, nodesPerFrame: n / frames, indices, vectors };
  validateGraph(graph, 'graphFromKnn');
  return graph;
}
