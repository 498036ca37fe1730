import * as tf from '@tensorflow/tfjs-core';
import { dense } from './ops';
import type { AttentionWeights } from './weights';

/** Sizes of one Physics-Attention evaluation. */
export interface AttentionShape {
  /** Frames in the batch. */
  frames: number;
  /** Points per frame. */
  n: number;
  /** Heads. */
  heads: number;
  /** Features per head. */
  dh: number;
  /** Slices per head. */
  slices: number;
}

/**
 * Physics-Attention (Wu et al. 2024, Transolver Eq. 2-4) on a batch of point clouds:
 * per head, every point is softly assigned to M slices, `w = softmax(Linear(x) / tau)` over the
 * slices; slice tokens are the `w`-weighted means of the projected point features,
 * `z_m = sum_i w_im f_i / (sum_i w_im + 1e-5)`; the M tokens attend to each other
 * (`softmax(q k^T / sqrt(dh)) v`); each point gets back `sum_m w_im z'_m`; heads are concatenated
 * and projected. Cost O(N M) per head, not O(N^2). Every step is per point or a sum over points,
 * so the map is permutation equivariant.
 *
 * @param x - normalised token features `[frames * N, hidden]`
 * @param w - the layer's weights
 * @param s - sizes
 * @returns `[frames * N, hidden]`
 */
export function physicsAttention(x: tf.Tensor2D, w: AttentionWeights, s: AttentionShape): tf.Tensor2D {
  const { frames: B, n: N, heads: H, dh, slices: M } = s;
  const toHeads = (t: tf.Tensor2D): tf.Tensor3D => tf.reshape(tf.transpose(tf.reshape(t, [B, N, H, dh]), [0, 2, 1, 3]), [B * H, N, dh]);
  const fx = toHeads(dense(x, w.inFx)); // [B H, N, dh]
  const xs = toHeads(dense(x, w.inX));
  const logits = tf.reshape(dense(tf.reshape(xs, [B * H * N, dh]) as tf.Tensor2D, w.slice), [B, H, N, M]);
  const scaled = tf.div(logits, tf.reshape(w.temperature, [1, H, 1, 1]));
  const weights = tf.reshape(tf.softmax(scaled), [B * H, N, M]); // soft slice assignment
  const norm = tf.sum(weights, 1, true); // [B H, 1, M]
  const tokens = tf.div(tf.matMul(weights, fx, true, false), tf.add(tf.transpose(norm, [0, 2, 1]), 1e-5)); // [B H, M, dh]
  const flat = tf.reshape(tokens, [B * H * M, dh]) as tf.Tensor2D;
  const q = tf.reshape(dense(flat, w.q), [B * H, M, dh]);
  const k = tf.reshape(dense(flat, w.k), [B * H, M, dh]);
  const v = tf.reshape(dense(flat, w.v), [B * H, M, dh]);
  const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh))); // [B H, M, M]
  const mixed = tf.matMul(attention, v); // [B H, M, dh]
  const back = tf.matMul(weights, mixed); // [B H, N, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(back, [B, H, N, dh]), [0, 2, 1, 3]), [B * N, H * dh]) as tf.Tensor2D;
  return dense(merged, w.out);
}
