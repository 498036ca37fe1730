import * as tf from '@tensorflow/tfjs-core';

/**
 * Activation of the hidden layers of an MLP: `relu`, `silu` (`x * sigmoid(x)`) or `tanh`. Shared by
 * the PBC-Conv layers here and by `@mddm/model`'s output head, so one name means one function.
 */
export type Activation = 'relu' | 'silu' | 'tanh';

/** Every {@link Activation}, in the order error messages list them. */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'silu', 'tanh'];

/**
 * Applies an {@link Activation} with standard tfjs ops (differentiable, runs on every backend).
 *
 * @param x - any tensor
 * @param activation - which function
 * @returns a new tensor of the shape of `x`
 */
export function activate<T extends tf.Tensor>(x: T, activation: Activation): T {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'tanh') return tf.tanh(x);
  return tf.mul(x, tf.sigmoid(x));
}
