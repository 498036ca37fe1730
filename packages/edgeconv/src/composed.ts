/**
 * The composed-op path of a PBC-Conv layer: standard tfjs ops (matMul, gather, activation, max /
 * mean / sum), differentiable through tfjs's registered gradients plus the two neighbor ops of
 * `neighborOps.ts`. Runs on every backend (webgl, tfjs-node-gpu); the fused kernel is faster on
 * `cpu` and `wasm`. @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './activation';
import { activate } from './activation';
import type { Aggregation } from './aggregation';
import type { EdgeGraph } from './graph';
import { gatherNeighbors, maxOverNeighbors } from './neighborOps';

/** What the composed path needs of a layer. @internal */
export interface ComposedLayer {
  /** Node feature width F. */
  readonly inFeatures: number;
  /** Global feature width G. */
  readonly globalFeatures: number;
  /** Output widths of the Linears `[H0, ..., O]`. */
  readonly widths: readonly number[];
  readonly activation: Activation;
  readonly aggregation: Aggregation;
  /** `[W0, b0, W1, b1, ...]`. */
  readonly weights: readonly tf.Variable[];
}

/**
 * Applies a layer with composed ops; inputs are already validated. The first Linear is factorized as
 * in the fused kernel (`dx Wd` per edge, `f_j Wj` gathered, node and global terms broadcast), so the
 * `[n k, 3 + 2F + G]` edge tensor is never built. @internal
 */
export function applyComposed(layer: ComposedLayer, graph: EdgeGraph, features: tf.Tensor2D | null,
  global: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  const { inFeatures: F, globalFeatures: G, widths, weights: w } = layer;
  const { n, k, frames, nodesPerFrame } = graph;
  const H0 = widths[0]!;
  return tf.tidy(() => {
    const E = n * k;
    const W0 = w[0]!, b0 = w[1]!;
    const dx = tf.tensor2d(graph.vectors, [E, 3], 'float32');
    let edge = tf.matMul(dx, tf.slice(W0, [0, 0], [3, H0]));   // [E, H0]
    const g2 = global.rank === 1 ? tf.reshape(global, [1, G]) : global;
    const gRows = g2.shape[0]!;
    let gTerm: tf.Tensor = b0;                                    // [gRows, H0] or [H0]
    if (G > 0) gTerm = tf.add(tf.matMul(g2 as tf.Tensor2D, tf.slice(W0, [3 + 2 * F, 0], [G, H0])), b0);
    else gTerm = tf.reshape(b0, [1, H0]);
    let node: tf.Tensor = tf.reshape(gTerm, [gRows === 1 ? 1 : frames, 1, 1, H0]);
    if (F > 0 && features) {
      const Wi = tf.slice(W0, [3, 0], [F, H0]);
      const Wj = tf.slice(W0, [3 + F, 0], [F, H0]);
      const idx = tf.tensor1d(graph.indices, 'int32');
      edge = tf.add(edge, gatherNeighbors(tf.matMul(features, Wj), idx, graph));  // f_j Wj
      node = tf.add(node, tf.reshape(tf.matMul(features, tf.sub(Wi, Wj)), [frames, nodesPerFrame, 1, H0]));
    }
    let a: tf.Tensor = tf.reshape(tf.add(tf.reshape(edge, [frames, nodesPerFrame, k, H0]), node), [E, H0]);
    for (let l = 1; l < widths.length; l++) {
      a = tf.add(tf.matMul(activate(a, layer.activation) as tf.Tensor2D, w[2 * l] as tf.Tensor2D), w[2 * l + 1]!);
    }
    const O = widths[widths.length - 1]!;
    const z = tf.reshape(a, [n, k, O]);
    const { aggregation } = layer;
    const out = aggregation === 'max' ? maxOverNeighbors(z) : aggregation === 'mean' ? tf.mean(z, 1) : tf.sum(z, 1);
    return out as tf.Tensor2D;
  });
}
