import * as tf from '@tensorflow/tfjs-core';
import { createRng, describeValue } from '@mddm/core';
import { ACTIVATIONS, activate, type Activation } from '@mddm/edgeconv';
import { ModelError, checkInt } from './errors';

// One activation vocabulary for the whole denoiser: the head takes the same names as the PBC-Conv
// layers. Re-exported so that users of @mddm/model need not import @mddm/edgeconv for the type.
export type { Activation } from '@mddm/edgeconv';

/** Configuration of an {@link MlpHead}: a per-node multilayer perceptron. */
export interface MlpHeadConfig {
  /** Input features per node. */
  inFeatures: number;
  /** Hidden layer widths (default `[128, 128]`, the paper's output MLP). */
  hidden?: number[];
  /** Output features per node (default 3: the predicted noise vector). */
  outFeatures?: number;
  /** Activation after every hidden layer (default `'relu'`); the output layer is linear. */
  activation?: Activation;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Prefix of the variable names (default `'head'`; a unique suffix is always appended). */
  name?: string;
}

let uid = 0;

/**
 * A per-node MLP `in -> hidden... -> out` (linear output), the denoiser's output head. Weights are
 * initialised like PyTorch's `nn.Linear` (uniform in `+-1/sqrt(fanIn)`) from a seeded
 * {@link createRng}, so the same seed gives the same weights on every backend.
 */
export class MlpHead {
  /** The configuration with every default filled in. */
  readonly config: Required<MlpHeadConfig>;
  /** Trainable variables in order `[W0, b0, W1, b1, ...]`; `W` is `[in, out]`. */
  readonly trainableWeights: tf.Variable[];

  /** @param config - see {@link MlpHeadConfig} */
  constructor(config: MlpHeadConfig) {
    const hidden = config.hidden ?? [128, 128];
    if (!Array.isArray(hidden)) throw new ModelError(`head.hidden must be an array of widths, got ${describeValue(hidden)}`, 'MODEL_BAD_CONFIG');
    hidden.forEach((h, i) => checkInt(h, `head.hidden[${i}]`, 1));
    const activation = config.activation ?? 'relu';
    if (!ACTIVATIONS.includes(activation)) {
      throw new ModelError(`head.activation must be ${ACTIVATIONS.map((a) => `'${a}'`).join(' | ')}, got ${describeValue(activation)}`,
        'MODEL_BAD_CONFIG');
    }
    this.config = {
      inFeatures: checkInt(config.inFeatures, 'head.inFeatures', 1),
      hidden: [...hidden],
      outFeatures: checkInt(config.outFeatures ?? 3, 'head.outFeatures', 1),
      activation,
      seed: checkInt(config.seed ?? 0, 'head.seed', 0, 2 ** 32 - 1),
      name: config.name ?? 'head',
    };
    const sizes = [this.config.inFeatures, ...this.config.hidden, this.config.outFeatures];
    const rng = createRng(this.config.seed);
    const id = uid++;
    this.trainableWeights = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      const fanOut = sizes[l + 1];
      const bound = 1 / Math.sqrt(fanIn);
      const w = new Float32Array(fanIn * fanOut);
      const b = new Float32Array(fanOut);
      rng.fillUniform(w, -bound, bound);
      rng.fillUniform(b, -bound, bound);
      const name = `${this.config.name}_${id}/dense${l}`;
      this.trainableWeights.push(
        tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true, `${name}/kernel`)),
        tf.tidy(() => tf.variable(tf.tensor1d(b), true, `${name}/bias`)),
      );
    }
  }

  /**
   * Forward pass.
   * @param x - node features `[n, inFeatures]`
   * @returns `[n, outFeatures]`
   */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      const layers = this.trainableWeights.length / 2;
      for (let l = 0; l < layers; l++) {
        h = tf.add(tf.matMul(h, this.trainableWeights[2 * l] as tf.Tensor2D), this.trainableWeights[2 * l + 1]) as tf.Tensor2D;
        if (l + 1 < layers) h = activate(h, this.config.activation);
      }
      return h;
    });
  }

  /** @returns copies of the weights, in the order of {@link MlpHead.trainableWeights} (caller disposes) */
  getWeights(): tf.Tensor[] {
    return this.trainableWeights.map((v) => tf.clone(v));
  }

  /**
   * Overwrites the weights (shapes must match {@link MlpHead.trainableWeights}).
   * @throws ModelError `MODEL_CONFIG_MISMATCH` on a count or shape mismatch
   */
  setWeights(weights: tf.Tensor[]): void {
    if (weights.length !== this.trainableWeights.length) {
      throw new ModelError(`head expects ${this.trainableWeights.length} weight tensors, got ${weights.length}`, 'MODEL_CONFIG_MISMATCH');
    }
    weights.forEach((w, i) => {
      const v = this.trainableWeights[i];
      if (w.shape.join(',') !== v.shape.join(',')) {
        throw new ModelError(`head weight ${i} must have shape [${v.shape}], got [${w.shape}]`, 'MODEL_CONFIG_MISMATCH');
      }
    });
    weights.forEach((w, i) => this.trainableWeights[i].assign(w));
  }

  /** @returns a copy of the configuration (JSON-serialisable) */
  getConfig(): Required<MlpHeadConfig> {
    return { ...this.config, hidden: [...this.config.hidden] };
  }

  /** @returns the number of trainable scalars */
  countParams(): number {
    return this.trainableWeights.reduce((s, v) => s + v.size, 0);
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.trainableWeights) v.dispose();
  }
}

/**
 * Creates an {@link MlpHead}.
 * @param config - see {@link MlpHeadConfig}
 */
export function mlpHead(config: MlpHeadConfig): MlpHead {
  return new MlpHead(config);
}
