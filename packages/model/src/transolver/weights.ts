import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@mddm/schedules';
import type { ResolvedTransolverConfig } from './config';

/** A linear map `x W + b` (`W` is `[in, out]`; `b` absent for the bias-free q/k/v maps). */
export interface Linear {
  W: tf.Variable;
  b: tf.Variable | null;
}

/** LayerNorm scale and shift, `[hidden]` each. */
export interface Norm {
  gamma: tf.Variable;
  beta: tf.Variable;
}

/** Weights of one Physics-Attention layer (Wu et al. 2024, `Physics_Attention_Irregular_Mesh`). */
export interface AttentionWeights {
  /** Projection of the tokens that choose the slices, `[hidden, heads * dh]`. */
  inX: Linear;
  /** Projection of the tokens that are aggregated into slice tokens, `[hidden, heads * dh]`. */
  inFx: Linear;
  /** Slice logits per head, `[dh, slices]` (shared by the heads). */
  slice: Linear;
  /** Softmax temperature per head `[heads]` (initial 0.5). */
  temperature: tf.Variable;
  /** Attention among the slice tokens: `[dh, dh]` each, no bias. */
  q: Linear;
  k: Linear;
  v: Linear;
  /** Output projection `[heads * dh, hidden]`. */
  out: Linear;
}

/** Weights of one Transolver block: `x += Attn(LN(x)); x += MLP(LN(x))`. */
export interface BlockWeights {
  norm1: Norm;
  attention: AttentionWeights;
  norm2: Norm;
  mlp1: Linear;
  mlp2: Linear;
}

/** All weights of a Transolver, in creation (= checkpoint) order. */
export interface TransolverWeights {
  /** Input MLP `(3 + G) -> 2 hidden -> hidden`. */
  pre1: Linear;
  pre2: Linear;
  /** Learned vector added to every token after the input MLP (Transolver's `placeholder`). */
  placeholder: tf.Variable;
  blocks: BlockWeights[];
  /** Final LayerNorm and the linear map to the 3 noise components. */
  normOut: Norm;
  head: Linear;
  /** Every variable, in order. */
  all: tf.Variable[];
}

let uid = 0;

/**
 * Creates the weights of a Transolver from a seed: linear maps `U(-1/sqrt(in), 1/sqrt(in))` (the
 * PyTorch default bound) with zero biases, LayerNorms `(1, 0)`, temperatures 0.5, placeholder
 * `U(-1/sqrt(hidden), 1/sqrt(hidden))`.
 *
 * @param c - resolved configuration
 * @param inFeatures - input width `3 + G` (coordinates and the global input)
 */
export function createTransolverWeights(c: ResolvedTransolverConfig, inFeatures: number): TransolverWeights {
  const rng = createRng(c.seed);
  const id = uid++;
  const all: tf.Variable[] = [];
  const h = c.hidden;
  const dh = h / c.heads;
  const inner = c.heads * dh;
  const variable = (name: string, shape: number[], fill: (a: Float32Array) => void): tf.Variable => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(data);
    const v = tf.tidy(() => tf.variable(tf.tensor(data, shape), true, `transolver_${id}/${name}`));
    all.push(v);
    return v;
  };
  const uniform = (bound: number) => (a: Float32Array) => fillUniform(rng, a, bound);
  const constant = (value: number) => (a: Float32Array) => a.fill(value);
  const linear = (name: string, fanIn: number, fanOut: number, bias = true): Linear => ({
    W: variable(`${name}/kernel`, [fanIn, fanOut], uniform(1 / Math.sqrt(fanIn))),
    b: bias ? variable(`${name}/bias`, [fanOut], constant(0)) : null,
  });
  const norm = (name: string): Norm => ({ gamma: variable(`${name}/gamma`, [h], constant(1)), beta: variable(`${name}/beta`, [h], constant(0)) });
  const pre1 = linear('pre1', inFeatures, 2 * h);
  const pre2 = linear('pre2', 2 * h, h);
  const placeholder = variable('placeholder', [h], uniform(1 / Math.sqrt(h)));
  const blocks: BlockWeights[] = [];
  for (let l = 0; l < c.layers; l++) {
    const p = `block${l}`;
    const norm1 = norm(`${p}/ln1`);
    const attention: AttentionWeights = {
      inX: linear(`${p}/attn/in_x`, h, inner),
      inFx: linear(`${p}/attn/in_fx`, h, inner),
      slice: linear(`${p}/attn/slice`, dh, c.slices),
      temperature: variable(`${p}/attn/temperature`, [c.heads], constant(0.5)),
      q: linear(`${p}/attn/q`, dh, dh, false),
      k: linear(`${p}/attn/k`, dh, dh, false),
      v: linear(`${p}/attn/v`, dh, dh, false),
      out: linear(`${p}/attn/out`, inner, h),
    };
    const norm2 = norm(`${p}/ln2`);
    const mlp1 = linear(`${p}/mlp1`, h, h * c.mlpRatio);
    const mlp2 = linear(`${p}/mlp2`, h * c.mlpRatio, h);
    blocks.push({ norm1, attention, norm2, mlp1, mlp2 });
  }
  const normOut = norm('ln_out');
  const head = linear('head', h, 3);
  return { pre1, pre2, placeholder, blocks, normOut, head, all };
}

function fillUniform(rng: Rng, a: Float32Array, bound: number): void {
  for (let i = 0; i < a.length; i++) a[i] = (2 * rng.uniform() - 1) * bound;
}
