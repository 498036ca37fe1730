import * as tf from '@tensorflow/tfjs-core';
import { ModelError, checkNumber } from './errors';

/** Hyper-parameters of {@link Adam} (PyTorch's defaults). */
export interface AdamConfig {
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to the bias-corrected RMS (default 1e-8). */
  epsilon?: number;
}

/** Serialisable optimizer state: step count and the moment estimates of every variable. */
export interface AdamState {
  /** Number of updates applied so far. */
  step: number;
  /** First moments, one per variable (flattened). */
  m: Float32Array[];
  /** Second moments, one per variable (flattened). */
  v: Float32Array[];
}

/**
 * Adam (Kingma & Ba) with PyTorch's update `w -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)`.
 * Unlike `tf.train.adam` its complete state (step count and moments) can be saved and restored
 * exactly, which makes resumed training bit-identical, and the learning rate is an argument of every
 * step (for decay schedules). Bias corrections are computed in float64 from the step count.
 */
export class Adam {
  /** Hyper-parameters with defaults filled in. */
  readonly config: Required<AdamConfig>;
  /** Number of updates applied so far. */
  step = 0;
  private readonly vars: tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  /**
   * @param vars - the variables to optimise (their order defines the order of gradients and state)
   * @param config - see {@link AdamConfig}
   */
  constructor(vars: tf.Variable[], config: AdamConfig = {}) {
    this.config = {
      beta1: checkNumber(config.beta1 ?? 0.9, 'beta1', 0, 0.999999),
      beta2: checkNumber(config.beta2 ?? 0.999, 'beta2', 0, 0.99999999),
      epsilon: checkNumber(config.epsilon ?? 1e-8, 'epsilon', 0),
    };
    this.vars = vars;
    this.m = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /**
   * Applies one update.
   * @param grads - gradients in the order of the variables (not disposed); `null` for a variable the
   *   loss did not reach (e.g. the idle part of a `NoiseBandDenoiser`): it and its moments stay as they are
   * @param lr - learning rate of this step
   */
  apply(grads: (tf.Tensor | null)[], lr: number): void {
    if (grads.length !== this.vars.length) throw new ModelError(`Adam expects ${this.vars.length} gradients, got ${grads.length}`, 'MODEL_BAD_INPUT');
    this.step++;
    const { beta1, beta2, epsilon } = this.config;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      const b1 = tf.scalar(beta1);
      const c1 = tf.scalar(1 - beta1);
      const b2 = tf.scalar(beta2);
      const c2 = tf.scalar(1 - beta2);
      const rs = tf.scalar(1 / Math.sqrt(bc2));
      const eps = tf.scalar(epsilon);
      const step = tf.scalar(-lr / bc1);
      for (let i = 0; i < this.vars.length; i++) {
        const g = grads[i];
        if (g === null) continue;
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, c1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), c2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        this.vars[i].assign(tf.add(this.vars[i], tf.mul(step, tf.div(m, tf.add(tf.mul(tf.sqrt(v), rs), eps)))));
      }
    });
  }

  /** @returns a copy of the complete state */
  getState(): AdamState {
    return {
      step: this.step,
      m: this.m.map((x) => Float32Array.from(x.dataSync() as Float32Array)),
      v: this.v.map((x) => Float32Array.from(x.dataSync() as Float32Array)),
    };
  }

  /**
   * Restores a state from {@link Adam.getState} (same variables).
   * @throws ModelError `MODEL_CONFIG_MISMATCH` if the number or sizes of the moments differ
   */
  setState(state: AdamState): void {
    if (state.m.length !== this.vars.length || state.v.length !== this.vars.length) {
      throw new ModelError(`optimizer state has ${state.m.length} moments, expected ${this.vars.length}`, 'MODEL_CONFIG_MISMATCH');
    }
    for (let i = 0; i < this.vars.length; i++) {
      if (state.m[i].length !== this.vars[i].size || state.v[i].length !== this.vars[i].size) {
        throw new ModelError(`optimizer moment ${i} has ${state.m[i].length} values, expected ${this.vars[i].size}`, 'MODEL_CONFIG_MISMATCH');
      }
    }
    this.step = state.step;
    for (let i = 0; i < this.vars.length; i++) {
      const shape = this.vars[i].shape;
      tf.tidy(() => {
        this.m[i].assign(tf.tensor(state.m[i], shape));
        this.v[i].assign(tf.tensor(state.v[i], shape));
      });
    }
  }

  /** Frees the moment variables. */
  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
