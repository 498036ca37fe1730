/**
 * The two neighbor operations of the composed path, with custom gradients that replace tfjs's stock
 * ones: a gather over the graph's neighbor indices, and a max over the neighbor axis. @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EdgeGraph } from './graph';

/** The function type `tf.customGrad` accepts (not exported by tfjs-core's public index). */
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

const reverseCache = new WeakMap<EdgeGraph, Int32Array>();

/**
 * Reverse adjacency of a graph, padded: `[n, maxInDegree]` edge ids e with indices[e] = j for row j,
 * padding = E (points to an appended zero row). Computed once per graph object.
 */
function reverseEdges(graph: EdgeGraph): { rev: Int32Array; maxDeg: number } {
  let rev = reverseCache.get(graph);
  const { n, k, indices } = graph;
  const E = n * k;
  if (rev === undefined) {
    const deg = new Int32Array(n);
    for (let e = 0; e < E; e++) deg[indices[e]!]!++;
    let maxDeg = 1;
    for (let j = 0; j < n; j++) maxDeg = Math.max(maxDeg, deg[j]!);
    rev = new Int32Array(n * maxDeg).fill(E);
    deg.fill(0);
    for (let e = 0; e < E; e++) {
      const j = indices[e]!;
      rev[j * maxDeg + deg[j]!++] = e;
    }
    reverseCache.set(graph, rev);
  }
  return { rev, maxDeg: rev.length / n };
}

/**
 * `gather(x, indices)` over the graph's neighbor indices with a linear-time gradient: the
 * scatter-add is a gather over the padded reverse adjacency plus a sum. tfjs's stock gather
 * gradient is `unsortedSegmentSum`, which is missing on wasm and quadratic on cpu. @internal
 */
export function gatherNeighbors(x: tf.Tensor, idx: tf.Tensor, graph: EdgeGraph): tf.Tensor {
  const op = tf.customGrad(((xx: tf.Tensor) => ({
    value: tf.gather(xx, idx),
    gradFunc: (dyT: tf.Tensor) => {
      const H = dyT.shape[1]!;
      const { rev, maxDeg } = reverseEdges(graph);
      const padded = tf.concat([dyT, tf.zeros([1, H])], 0);
      const r = tf.tensor1d(rev, 'int32');
      return [tf.sum(tf.reshape(tf.gather(padded, r), [graph.n, maxDeg, H]), 1)];
    },
  })) as unknown as CustomGradFn) as (xx: tf.Tensor) => tf.Tensor;
  return op(x);
}

/**
 * max over axis 1 of `[n, k, O]` with the gradient routed to ONE winner per (node, channel) (the
 * first maximal neighbor, via argMax + oneHot). tfjs's stock max gradient sends dy to every tied
 * entry, which is wrong when several neighbors give the same value (e.g. all-dead relu units: each
 * then equals the last bias) and builds a broadcast `Equal` on the full tensor. Standard ops only,
 * so it runs on every backend. @internal
 */
export const maxOverNeighbors = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
  save([z]);
  return {
    value: tf.max(z, 1),
    gradFunc: (dyT: tf.Tensor, saved: tf.Tensor[]) => {
      const zz = saved[0]!;
      const k = zz.shape[1]!;
      // int32 oneHot then cast: the wasm backend's OneHot ignores a float32 dtype (writes int32 bits)
      const hot = tf.transpose(tf.cast(tf.oneHot(tf.argMax(zz, 1), k), 'float32'), [0, 2, 1]); // [n, k, O]
      return [tf.mul(hot, tf.expandDims(dyT, 1))];
    },
  };
}) as unknown as CustomGradFn) as (z: tf.Tensor) => tf.Tensor;
