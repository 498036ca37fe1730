import * as tf from '@tensorflow/tfjs-core';
import type { DenoiserLike } from './denoiserLike';
import { ModelError } from './errors';

/**
 * Exponential moving average of a denoiser's weights (Polyak averaging; the averaged weights of
 * DDPM and EDM, which sample better than the last iterate because they average out the optimizer's
 * step-to-step noise). After every optimizer step `s` (counted from the start of training):
 *
 *   `w_ema <- d_s w_ema + (1 - d_s) w`,   `d_s = min(decay, (1 + s) / (10 + s))`,
 *
 * the warm-up `(1 + s) / (10 + s)` (TensorFlow's `ExponentialMovingAverage` with `num_updates`)
 * keeps short runs from being dominated by the random initial weights. Weights are kept in the
 * order of `getWeights()` (all of them: frozen ones simply stay equal to the model's).
 */
export class WeightAverage {
  /** The decay (time constant `1 / (1 - decay)` steps). */
  readonly decay: number;
  private readonly avg: tf.Variable[];

  /**
   * @param denoiser - the model being trained
   * @param decay - in `(0, 1)`
   * @param initial - averaged weights to continue from (`getWeights()` order, e.g. from a checkpoint);
   *   default: the model's current weights
   * @throws ModelError `MODEL_CONFIG_MISMATCH` if `initial` does not match the model's weights
   */
  constructor(denoiser: DenoiserLike, decay: number, initial?: Float32Array[]) {
    this.decay = decay;
    const current = denoiser.getWeights();
    try {
      if (initial && (initial.length !== current.length || initial.some((w, i) => w.length !== current[i].size))) {
        throw new ModelError(`averaged weights of the checkpoint (${initial.length} tensors) do not match the model (${current.length})`, 'MODEL_CONFIG_MISMATCH');
      }
      this.avg = current.map((w, i) => tf.variable(initial ? tf.tensor(initial[i], w.shape) : w, false));
    } finally {
      tf.dispose(current);
    }
  }

  /** Folds in the model's weights after optimizer step `step` (1-based). */
  update(denoiser: DenoiserLike, step: number): void {
    const d = Math.min(this.decay, (1 + step) / (10 + step));
    tf.tidy(() => {
      const w = denoiser.getWeights();
      const a = tf.scalar(d);
      const b = tf.scalar(1 - d);
      this.avg.forEach((v, i) => v.assign(tf.add(tf.mul(v, a), tf.mul(w[i], b))));
    });
  }

  /** The averaged weights as flat float32 arrays (`getWeights()` order), e.g. for a checkpoint. */
  read(): Float32Array[] {
    return this.avg.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** Writes the averaged weights into the model. */
  copyTo(denoiser: DenoiserLike): void {
    denoiser.setWeights(this.avg);
  }

  /** Frees the averaged weights. */
  dispose(): void {
    tf.dispose(this.avg);
  }
}
