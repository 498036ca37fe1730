import * as tf from '@tensorflow/tfjs-core';
import type { Linear, Norm } from './weights';

/** `x W + b` for `x` `[rows, in]`. */
export function dense(x: tf.Tensor2D, l: Linear): tf.Tensor2D {
  const y = tf.matMul(x, l.W as tf.Tensor2D) as tf.Tensor2D;
  return l.b ? (tf.add(y, l.b) as tf.Tensor2D) : y;
}

/** LayerNorm over the last axis (eps 1e-5, as PyTorch's `nn.LayerNorm`). */
export function layerNorm(x: tf.Tensor2D, n: Norm): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add<tf.Tensor2D>(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.gamma), n.beta);
}

/**
 * GELU, tanh approximation `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (differentiable tfjs ops).
 * The cube is `x * x^2`, not `tf.pow(x, 3)`: the wasm backend's Pow is a generic kernel ~8x slower
 * than two multiplications, and it was 10% of a Transolver training step.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  const inner = tf.mul(tf.mul(x, tf.add(tf.mul(tf.square(x), 0.044715), 1)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}
