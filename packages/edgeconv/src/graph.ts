import { describeValue } from '@mddm/core';
import { EdgeConvError } from './errors';

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
  if (graph == null || typeof graph !== 'object') bad(`graph must be an EdgeGraph object, got ${describeValue(graph)}`);
  const { n, k, frames, nodesPerFrame, indices, vectors } = graph;
  for (const [name, v] of [['n', n], ['k', k], ['frames', frames], ['nodesPerFrame', nodesPerFrame]] as const) {
    if (!Number.isInteger(v) || v < 1) bad(`graph.${name} must be a positive integer, got ${describeValue(v)}`);
  }
  if (frames * nodesPerFrame !== n) bad(`graph.n = ${n} must equal frames * nodesPerFrame = ${frames} * ${nodesPerFrame}`);
  if (!(indices instanceof Int32Array) || indices.length !== n * k) {
    bad(`graph.indices must be an Int32Array of length n*k = ${n * k}, got ${describeValue(indices)}`);
  }
  if (!(vectors instanceof Float32Array) || vectors.length !== n * k * 3) {
    bad(`graph.vectors must be a Float32Array of length n*k*3 = ${n * k * 3}, got ${describeValue(vectors)}`);
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
