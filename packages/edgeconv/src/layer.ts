import * as tf from '@tensorflow/tfjs-core';
import { EdgeConvError, show } from './errors';
import { ensureTfjsGradients } from './gradients';
import type { EdgeGraph } from './graph';
import { validateGraph } from './graph';
import { Act, Agg, backward, forward, Scratch } from './kernel';
import type { KernelGrads, KernelInputs, KernelShape, Saved } from './kernel';
import { fillUniform, mulberry32 } from './rng';
import { wasmEnabled, WasmKernel } from './wasm';

/** Activation of the hidden layers of `h`: `relu`, `silu` (x * sigmoid(x)) or `tanh`. */
export type EdgeConvActivation = 'relu' | 'silu' | 'tanh';
/** Aggregation over the k neighbors: `max` (the paper), `mean` or `sum`. */
export type EdgeConvAggregation = 'max' | 'mean' | 'sum';
/**
 * Implementation: `fused` (typed-array forward/backward kernel registered via `tf.customGrad`; reads
 * tensors synchronously, meant for the `cpu` and `wasm` backends), `composed` (standard tfjs ops:
 * matMul, gather, relu, max; works on every backend incl. webgl/GPU), or `auto` (fused on `cpu`/`wasm`,
 * composed elsewhere).
 */
export type EdgeConvKernel = 'auto' | 'fused' | 'composed';

/** Configuration of a {@link PbcEdgeConv} layer (serializable: plain JSON). */
export interface PbcEdgeConvConfig {
  /** Node feature width F; 0 for the first layer (then `h` sees `[dx || g]` only). */
  inFeatures: number;
  /** Global feature width G (e.g. 1 for `t/T`). May be 0. */
  globalFeatures: number;
  /** Hidden widths of `h` (default `[32, 32]`). */
  hidden?: number[];
  /** Output feature width (default 32). */
  outFeatures?: number;
  /** Hidden activation (default `relu`); none after the last Linear. */
  activation?: EdgeConvActivation;
  /** Aggregation over neighbors (default `max`). */
  aggregation?: EdgeConvAggregation;
  /** Implementation choice (default `auto`). */
  kernel?: EdgeConvKernel;
  /** Seed of the weight initialization (default: 1 + a process-wide layer counter). */
  seed?: number;
  /** Layer name, used in variable names (default `pbc_edge_conv_<counter>`). */
  name?: string;
}

let layerCounter = 0;
/** Graph objects already validated (a graph is built once and shared by every layer of a step). */
const checkedGraphs = new WeakSet<EdgeGraph>();
let variableCounter = 0;

function normalizeConfig(config: PbcEdgeConvConfig): Required<PbcEdgeConvConfig> {
  const bad = (msg: string): never => {
    throw new EdgeConvError(`pbcEdgeConv: ${msg}`, 'EDGECONV_BAD_CONFIG');
  };
  if (config == null || typeof config !== 'object') bad(`config must be an object, got ${show(config)}`);
  const { inFeatures, globalFeatures } = config;
  if (!Number.isInteger(inFeatures) || inFeatures < 0) bad(`inFeatures must be an integer >= 0, got ${show(inFeatures)}`);
  if (!Number.isInteger(globalFeatures) || globalFeatures < 0) {
    bad(`globalFeatures must be an integer >= 0, got ${show(globalFeatures)}`);
  }
  const hidden = config.hidden ?? [32, 32];
  if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    bad(`hidden must be an array of positive integers, got ${show(hidden)}`);
  }
  const outFeatures = config.outFeatures ?? 32;
  if (!Number.isInteger(outFeatures) || outFeatures < 1) bad(`outFeatures must be a positive integer, got ${show(outFeatures)}`);
  const activation = config.activation ?? 'relu';
  if (!['relu', 'silu', 'tanh'].includes(activation)) bad(`activation must be 'relu', 'silu' or 'tanh', got ${show(activation)}`);
  const aggregation = config.aggregation ?? 'max';
  if (!['max', 'mean', 'sum'].includes(aggregation)) bad(`aggregation must be 'max', 'mean' or 'sum', got ${show(aggregation)}`);
  const kernel = config.kernel ?? 'auto';
  if (!['auto', 'fused', 'composed'].includes(kernel)) bad(`kernel must be 'auto', 'fused' or 'composed', got ${show(kernel)}`);
  const id = ++layerCounter;
  const seed = config.seed ?? id;
  if (!Number.isInteger(seed)) bad(`seed must be an integer, got ${show(seed)}`);
  const name = config.name ?? `pbc_edge_conv_${id}`;
  if (typeof name !== 'string' || name.length === 0) bad(`name must be a non-empty string, got ${show(name)}`);
  return { inFeatures, globalFeatures, hidden: [...hidden], outFeatures, activation, aggregation, kernel, seed, name };
}

const ACT: Record<EdgeConvActivation, Act> = { relu: Act.Relu, silu: Act.Silu, tanh: Act.Tanh };
const AGG: Record<EdgeConvAggregation, Agg> = { max: Agg.Max, mean: Agg.Mean, sum: Agg.Sum };

/**
 * Returns saved-state slots to their layer's pool when a forward pass's gradient closure is garbage
 * collected without its backward pass having run (e.g. a tape whose loss did not use the output).
 */
const slotReaper = new FinalizationRegistry<{ pool: Saved[]; saved: Saved; state: { done: boolean } }>((held) => {
  if (!held.state.done) held.pool.push(held.saved);
});

/** True while a gradient tape records (inside tf.grad / variableGrads / optimizer.minimize). */
function tapeRecording(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

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
  private readonly widths: number[];
  private readonly inDim: number;
  private readonly scratch = new Scratch();
  private readonly savedPool: Saved[] = [];
  private readonly uid = ++variableCounter;
  private savedSlots = 0;
  private disposed = false;

  /** @param config - layer configuration; see {@link PbcEdgeConvConfig} */
  constructor(config: PbcEdgeConvConfig) {
    ensureTfjsGradients();
    this.config = normalizeConfig(config);
    const { inFeatures: F, globalFeatures: G, hidden, outFeatures } = this.config;
    this.inDim = 3 + 2 * F + G;
    this.widths = [...hidden, outFeatures];
    const rand = mulberry32(this.config.seed);
    this.trainableWeights = [];
    let fanIn = this.inDim;
    const vid = ++variableCounter;
    for (let l = 0; l < this.widths.length; l++) {
      const fanOut = this.widths[l]!;
      const last = l === this.widths.length - 1;
      const limit = last ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      const w = fillUniform(new Float32Array(fanIn * fanOut), limit, rand);
      this.trainableWeights.push(this.makeVariable(w, [fanIn, fanOut], `${this.config.name}/kernel${l}`, vid));
      this.trainableWeights.push(this.makeVariable(new Float32Array(fanOut), [fanOut], `${this.config.name}/bias${l}`, vid));
      fanIn = fanOut;
    }
  }

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
    const data = this.checkInputs(graph, features, global);
    const kernel = this.config.kernel === 'auto'
      ? (['cpu', 'wasm'].includes(tf.getBackend()) ? 'fused' : 'composed')
      : this.config.kernel;
    return kernel === 'fused' ? this.applyFused(graph, features, global, data) : this.applyComposed(graph, features, global);
  }

  /** Validates the inputs; returns their (already read) data. */
  private checkInputs(graph: EdgeGraph, features: tf.Tensor2D | null, global: tf.Tensor1D | tf.Tensor2D):
    { f: Float32Array | null; g: Float32Array } {
    let fData: Float32Array | null = null;
    const name = this.config.name;
    if (!checkedGraphs.has(graph)) {
      validateGraph(graph, `${name}.apply`);
      checkedGraphs.add(graph);
    }
    const F = this.config.inFeatures, G = this.config.globalFeatures;
    if (F === 0) {
      if (features != null) {
        throw new EdgeConvError(`${name}.apply: features must be null for a first layer (inFeatures = 0), got a tensor of shape ${show(features.shape)}`,
          'EDGECONV_BAD_FEATURES');
      }
    } else {
      if (!(features instanceof tf.Tensor)) {
        throw new EdgeConvError(`${name}.apply: features must be a tf.Tensor2D [n, ${F}], got ${show(features)}`, 'EDGECONV_BAD_FEATURES');
      }
      if (features.rank !== 2 || features.shape[0] !== graph.n || features.shape[1] !== F) {
        throw new EdgeConvError(`${name}.apply: features must have shape [n, inFeatures] = [${graph.n}, ${F}], got ${show(features.shape)}`,
          'EDGECONV_BAD_FEATURES');
      }
      if (features.dtype !== 'float32') {
        throw new EdgeConvError(`${name}.apply: features must be float32, got ${features.dtype}`, 'EDGECONV_BAD_FEATURES');
      }
      fData = checkFinite(features, `${name}.apply: features`, 'EDGECONV_BAD_FEATURES');
    }
    if (!(global instanceof tf.Tensor)) {
      throw new EdgeConvError(`${name}.apply: global must be a tf.Tensor [${G}] or [frames, ${G}], got ${show(global)}`, 'EDGECONV_BAD_GLOBAL');
    }
    const okShape = (global.rank === 1 && global.shape[0] === G)
      || (global.rank === 2 && global.shape[1] === G && (global.shape[0] === graph.frames || global.shape[0] === 1));
    if (!okShape) {
      throw new EdgeConvError(`${name}.apply: global must have shape [${G}] or [frames, ${G}] = [${graph.frames}, ${G}], got ${show(global.shape)}`,
        'EDGECONV_BAD_GLOBAL');
    }
    if (global.dtype !== 'float32') {
      throw new EdgeConvError(`${name}.apply: global must be float32, got ${global.dtype}`, 'EDGECONV_BAD_GLOBAL');
    }
    const gData = checkFinite(global, `${name}.apply: global`, 'EDGECONV_BAD_GLOBAL');
    return { f: fData, g: gData };
  }

  /** Composed standard tfjs ops (differentiable through tfjs's registered gradients). */
  private applyComposed(graph: EdgeGraph, features: tf.Tensor2D | null, global: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
    const { inFeatures: F, globalFeatures: G, aggregation, activation } = this.config;
    const { n, k, frames, nodesPerFrame } = graph;
    const H0 = this.widths[0]!;
    const w = this.trainableWeights;
    const act = (x: tf.Tensor): tf.Tensor => (activation === 'relu' ? tf.relu(x) : activation === 'tanh' ? tf.tanh(x)
      : tf.mul(x, tf.sigmoid(x)));
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
      for (let l = 1; l < this.widths.length; l++) {
        a = tf.add(tf.matMul(act(a) as tf.Tensor2D, w[2 * l] as tf.Tensor2D), w[2 * l + 1]!);
      }
      const O = this.widths[this.widths.length - 1]!;
      const z = tf.reshape(a, [n, k, O]);
      const out = aggregation === 'max' ? maxOverNeighbors(z) : aggregation === 'mean' ? tf.mean(z, 1) : tf.sum(z, 1);
      return out as tf.Tensor2D;
    });
  }

  /** Fused typed-array kernel with a custom gradient. */
  private applyFused(graph: EdgeGraph, features: tf.Tensor2D | null, global: tf.Tensor1D | tf.Tensor2D,
    data: { f: Float32Array | null; g: Float32Array }): tf.Tensor2D {
    const { inFeatures: F, globalFeatures: G } = this.config;
    const widths = this.widths;
    const L = widths.length;
    const O = widths[L - 1]!;
    const gRows = global.rank === 1 ? 1 : global.shape[0]!;
    const shape: KernelShape = {
      n: graph.n, k: graph.k, nodesPerFrame: graph.nodesPerFrame, F, G, gRows, widths,
      act: ACT[this.config.activation], agg: AGG[this.config.aggregation],
    };
    const training = tapeRecording();
    const vars = this.trainableWeights;
    const wasm = wasmEnabled() && WasmKernel.supports(shape) ? WasmKernel.get() : null;
    const layerKey = `layer${this.uid}`;
    const nIn = (features ? 1 : 0) + 1;
    const op = tf.customGrad((...args: unknown[]) => {
      const tensors = args.slice(0, nIn + vars.length) as tf.Tensor[];
      const fT = features ? tensors[0]! : null;
      const gT = tensors[nIn - 1]!;
      const x: KernelInputs = {
        indices: graph.indices, vectors: graph.vectors,
        f: fT ? data.f : null,
        g: data.g,
        W: [], b: [],
      };
      for (let l = 0; l < L; l++) {
        x.W.push(tensors[nIn + 2 * l]!.dataSync() as Float32Array);
        x.b.push(tensors[nIn + 2 * l + 1]!.dataSync() as Float32Array);
      }
      let saved = training ? this.takeSaved(shape, wasm) : null;
      const out = new Float32Array(graph.n * O);
      let ran = false;
      if (wasm) {
        try {
          wasm.forward(layerKey, shape, x, out, saved ? saved.wasm : null);
          ran = true;
        } catch (e) {
          // the arena could not grow (2 GiB limit): run this call on the TypeScript kernel instead
          if (!(e instanceof RangeError)) throw e;
          if (saved) {
            this.savedPool.push(saved);
            saved = this.takeSaved(shape, null);
          }
        }
      }
      if (!ran) forward(shape, x, out, saved, this.scratch);
      const slotState = { done: false };
      const token = {};
      if (saved) slotReaper.register(token, { pool: this.savedPool, saved, state: slotState });
      const value = tf.tensor2d(out, [graph.n, O], 'float32');
      const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
        if (saved === null) {
          throw new EdgeConvError(`${this.config.name}: gradient requested for a forward pass run outside a gradient tape`,
            'EDGECONV_NO_TAPE');
        }
        void token; // keeps the slot alive while this closure (the tape) lives
        if (slotState.done) {
          throw new EdgeConvError(`${this.config.name}: backward pass run twice for one forward pass`, 'EDGECONV_NO_TAPE');
        }
        const dyT = Array.isArray(dy) ? dy[0]! : dy;
        const grads: KernelGrads = {
          df: fT ? new Float32Array(graph.n * F) : null,
          dg: new Float32Array(gRows * G),
          dW: [], db: [],
        };
        let fanIn = this.inDim;
        for (let l = 0; l < L; l++) {
          grads.dW.push(new Float32Array(fanIn * widths[l]!));
          grads.db.push(new Float32Array(widths[l]!));
          fanIn = widths[l]!;
        }
        if (wasm && saved.wasm) wasm.backward(layerKey, shape, x, saved.wasm, dyT.dataSync() as Float32Array, grads);
        else backward(shape, x, saved, dyT.dataSync() as Float32Array, grads, this.scratch);
        slotState.done = true;
        this.savedPool.push(saved);
        const res: tf.Tensor[] = [];
        if (fT && grads.df) res.push(tf.tensor2d(grads.df, [graph.n, F], 'float32'));
        res.push(tf.tensor(grads.dg, gT.shape, 'float32'));
        fanIn = this.inDim;
        for (let l = 0; l < L; l++) {
          res.push(tf.tensor2d(grads.dW[l]!, [fanIn, widths[l]!], 'float32'));
          res.push(tf.tensor1d(grads.db[l]!, 'float32'));
          fanIn = widths[l]!;
        }
        return res;
      };
      return { value, gradFunc };
    });
    const inputs: tf.Tensor[] = [...(features ? [features] : []), global, ...vars];
    return op(...inputs) as tf.Tensor2D;
  }

  private takeSaved(s: KernelShape, wasm: WasmKernel | null): Saved {
    const key = `${s.n}:${s.k}:${s.act}:${wasm ? 'wasm' : 'ts'}`;
    const E = s.n * s.k;
    for (let p = 0; p < this.savedPool.length; p++) {
      if (this.savedPool[p]!.key === key) return this.savedPool.splice(p, 1)[0]!;
    }
    const hidden = this.widths.slice(0, -1);
    if (wasm) {
      return { key, a: [], z: [], argmax: new Int32Array(0), wasm: wasm.savedSlot(`layer${this.uid}.saved${this.savedSlots++}`, s) };
    }
    return {
      key,
      wasm: null,
      a: hidden.map((h) => new Float32Array(E * h)),
      z: s.act === Act.Silu ? hidden.map((h) => new Float32Array(E * h)) : [],
      argmax: new Int32Array(s.n * this.widths[this.widths.length - 1]!),
    };
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
      throw new EdgeConvError(`${this.config.name}.setWeights: expected ${vars.length} tensors, got ${show(weights)}`,
        'EDGECONV_BAD_WEIGHTS');
    }
    weights.forEach((w, i) => {
      const v = vars[i]!;
      if (!(w instanceof tf.Tensor) || w.dtype !== 'float32' || w.shape.join(',') !== v.shape.join(',')) {
        throw new EdgeConvError(`${this.config.name}.setWeights: weights[${i}] must be a float32 tensor of shape ${show(v.shape)}, got ${w instanceof tf.Tensor ? `${w.dtype} ${show(w.shape)}` : show(w)}`,
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
    this.savedPool.length = 0;
    WasmKernel.peek()?.release(`layer${this.uid}.`);
  }
}

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
 * gradient is `unsortedSegmentSum`, which is missing on wasm and quadratic on cpu.
 */
function gatherNeighbors(x: tf.Tensor, idx: tf.Tensor, graph: EdgeGraph): tf.Tensor {
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
 * so it runs on every backend.
 */
const maxOverNeighbors = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
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

/** Reads a float32 tensor synchronously and checks every value is finite; returns the data. */
function checkFinite(t: tf.Tensor, what: string, code: string): Float32Array {
  const d = t.dataSync() as Float32Array;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) throw new EdgeConvError(`${what}[${i}] (flat) = ${v} must be finite`, code);
  }
  return d;
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
