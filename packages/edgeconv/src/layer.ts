import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@mddm/core';
import { checkInputs } from './checkInputs';
import { applyComposed } from './composed';
import type { ComposedLayer } from './composed';
import type { PbcEdgeConvConfig } from './config';
import { normalizeConfig } from './config';
import { EdgeConvError } from './errors';
import { applyFused } from './fused';
import type { FusedLayer } from './fused';
import { ensureTfjsGradients } from './gradients';
import type { EdgeGraph } from './graph';
import { ACT_CODE, AGG_CODE } from './kernelTypes';
import { fillUniform, mulberry32 } from './rng';
import { SavedPool } from './savedPool';
import { Scratch } from './scratch';
import { WasmKernel } from './wasmKernel';

let variableCounter = 0;

/**
 * The periodic EdgeConv layer (PBC-Conv) of MDDM (Ferguson, Chen, Kara 2025, arXiv:2501.17319, Eq. 1):
 *
 *   f'_i = agg_{j in kNN(i)} h([x_j - x_i]_mic || f_i || f_j - f_i || g)
 *
 * with `h` = Linear(3 + 2F + G, H_0) - act - ... - Linear(H_last, outFeatures) (no activation after
 * the last Linear) and `agg` = max (default), mean or sum over the k neighbors. For the first layer
 * (`inFeatures = 0`) `h` sees `[dx || g]` only. Translation invariant (only relative vectors enter).
 *
 * Weights (float32 `tf.Variable`s, `[kernel, bias]` per Linear, kernel `[in, out]` row-major, rows of
 * the first kernel ordered `[dx (3) | f_i (F) | f_j - f_i (F) | g (G)]`) are initialized
 * deterministically from `config.seed`: He-uniform (`U(+-sqrt(6 / fan_in))`) for Linears followed by
 * an activation, Glorot-uniform (`U(+-sqrt(6 / (fan_in + fan_out)))`) for the last, zero biases.
 */
export class PbcEdgeConv {
  /** The full configuration (defaults filled in). */
  readonly config: Required<PbcEdgeConvConfig>;
  /** `[W0, b0, W1, b1, ...]`, the trainable variables (pass them to an optimizer). */
  readonly trainableWeights: tf.Variable[];
  /** What the fused kernel path needs of this layer (widths, codes, scratch, saved-state pool). */
  private readonly fused: FusedLayer;
  /** What the composed-op path needs of this layer. */
  private readonly composed: ComposedLayer;
  private disposed = false;

  /** @param config - layer configuration; see {@link PbcEdgeConvConfig} */
  constructor(config: PbcEdgeConvConfig) {
    ensureTfjsGradients();
    const uid = ++variableCounter;
    this.config = normalizeConfig(config);
    const { inFeatures, globalFeatures, hidden, outFeatures, activation, aggregation, name } = this.config;
    const inDim = 3 + 2 * inFeatures + globalFeatures;
    const widths = [...hidden, outFeatures];
    this.trainableWeights = this.initWeights(inDim, widths);
    const layerKey = `layer${uid}`;
    this.fused = {
      name, layerKey, inFeatures, globalFeatures, inDim, widths,
      act: ACT_CODE[activation], agg: AGG_CODE[aggregation],
      weights: this.trainableWeights, scratch: new Scratch(), pool: new SavedPool(layerKey, widths),
    };
    this.composed = { inFeatures, globalFeatures, widths, activation, aggregation, weights: this.trainableWeights };
  }

  /**
   * Deterministic initialization from `config.seed`: He-uniform for Linears followed by an
   * activation, Glorot-uniform for the last (no activation follows it), zero biases.
   */
  private initWeights(inDim: number, widths: readonly number[]): tf.Variable[] {
    const rand = mulberry32(this.config.seed);
    const vid = ++variableCounter;
    const weights: tf.Variable[] = [];
    let fanIn = inDim;
    for (let l = 0; l < widths.length; l++) {
      const fanOut = widths[l]!;
      const last = l === widths.length - 1;
      const limit = last ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const w = fillUniform(new Float32Array(fanIn * fanOut), limit, rand);
      weights.push(this.makeVariable(w, [fanIn, fanOut], `${this.config.name}/kernel${l}`, vid));
      weights.push(this.makeVariable(new Float32Array(fanOut), [fanOut], `${this.config.name}/bias${l}`, vid));
      fanIn = fanOut;
    }
    return weights;
  }

  /** A variable named `name`, or `name_<vid>` when another layer already registered that name. */
  private makeVariable(values: Float32Array, shape: number[], name: string, vid: number): tf.Variable {
    const t = tf.tensor(values, shape, 'float32');
    try {
      const registered = (tf.engine() as unknown as { registeredVariables: Record<string, unknown> }).registeredVariables;
      return tf.variable(t, true, registered[name] === undefined ? name : `${name}_${vid}`);
    } finally {
      t.dispose();
    }
  }

  /**
   * Applies the layer.
   *
   * @param graph - the kNN graph (see {@link buildGraph}); `n` nodes, `k` neighbors
   * @param features - node features `[n, inFeatures]` float32, or `null` when `inFeatures = 0`
   * @param global - global features `[G]` (shared by all frames) or `[frames, G]` (per frame)
   * @returns new features `[n, outFeatures]`; differentiable w.r.t. `features`, `global` and the weights
   * @throws {@link EdgeConvError} for a malformed graph, mismatched shapes, non-float32 or NaN/Inf inputs
   */
  apply(graph: EdgeGraph, features: tf.Tensor2D | null, global: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
    if (this.disposed) throw new EdgeConvError(`${this.config.name}: apply() after dispose()`, 'EDGECONV_DISPOSED');
    const data = checkInputs(this.config, graph, features, global);
    const kernel = this.config.kernel === 'auto'
      ? (['cpu', 'wasm'].includes(tf.getBackend()) ? 'fused' : 'composed')
      : this.config.kernel;
    if (kernel === 'fused') return applyFused(this.fused, graph, features, global, data);
    return applyComposed(this.composed, graph, features, global);
  }

  /** Copies of the weights `[W0, b0, W1, b1, ...]`; the caller owns (and disposes) them. */
  getWeights(): tf.Tensor[] {
    return this.trainableWeights.map((v) => tf.clone(v));
  }

  /**
   * Sets all weights from `[W0, b0, W1, b1, ...]` (shapes as {@link getWeights}); values are copied.
   * @throws {@link EdgeConvError} if the count, a shape or a dtype differs
   */
  setWeights(weights: tf.Tensor[]): void {
    const vars = this.trainableWeights;
    if (!Array.isArray(weights) || weights.length !== vars.length) {
      throw new EdgeConvError(`${this.config.name}.setWeights: expected ${vars.length} tensors, got ${describeValue(weights)}`,
        'EDGECONV_BAD_WEIGHTS');
    }
    weights.forEach((w, i) => {
      const v = vars[i]!;
      if (!(w instanceof tf.Tensor) || w.dtype !== 'float32' || w.shape.join(',') !== v.shape.join(',')) {
        throw new EdgeConvError(`${this.config.name}.setWeights: weights[${i}] must be a float32 tensor of shape ${describeValue(v.shape)}, got ${w instanceof tf.Tensor ? `${w.dtype} ${describeValue(w.shape)}` : describeValue(w)}`,
          'EDGECONV_BAD_WEIGHTS');
      }
    });
    weights.forEach((w, i) => vars[i]!.assign(w));
  }

  /** A JSON-serializable copy of the configuration; `pbcEdgeConv(getConfig())` rebuilds the layer. */
  getConfig(): PbcEdgeConvConfig {
    return { ...this.config, hidden: [...this.config.hidden] };
  }

  /** Number of scalar parameters: sum over Linears of `in * out + out`. */
  countParams(): number {
    return this.trainableWeights.reduce((s, v) => s + v.size, 0);
  }

  /** Disposes the variables and scratch buffers. The layer cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.trainableWeights) v.dispose();
    this.fused.pool.clear();
    WasmKernel.peek()?.arena.release(`${this.fused.layerKey}.`);
  }
}

/**
 * Creates a {@link PbcEdgeConv} layer.
 *
 * @example
 * ```ts
 * const g = buildGraph(positions, 10, 32);                 // periodic kNN, box L = 10
 * const l1 = pbcEdgeConv({ inFeatures: 0, globalFeatures: 1, seed: 1 });
 * const l2 = pbcEdgeConv({ inFeatures: 32, globalFeatures: 1, seed: 2 });
 * const t = tf.tensor1d([0.5]);
 * const f2 = l2.apply(g, l1.apply(g, null, t), t);        // [N, 32]
 * ```
 */
export function pbcEdgeConv(config: PbcEdgeConvConfig): PbcEdgeConv {
  return new PbcEdgeConv(config);
}
