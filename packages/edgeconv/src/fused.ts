/**
 * The fused path of a PBC-Conv layer: one `tf.customGrad` op whose forward and backward passes run
 * the typed-array kernels (wasm when the layer's shape allows and the module loaded, else
 * TypeScript), reading tensors synchronously. For the `cpu` and `wasm` backends. @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { EdgeConvError } from './errors';
import type { EdgeGraph } from './graph';
import { backward, forward } from './kernel';
import type { Act, Agg, KernelGrads, KernelInputs, KernelShape, Saved } from './kernelTypes';
import type { SavedPool, SlotState } from './savedPool';
import type { Scratch } from './scratch';
import { wasmEnabled, WasmKernel } from './wasmKernel';

/** What the fused path needs of a layer. @internal */
export interface FusedLayer {
  /** Layer name, for error messages. */
  readonly name: string;
  /** Arena key prefix of the layer's wasm regions. */
  readonly layerKey: string;
  readonly inFeatures: number;
  readonly globalFeatures: number;
  /** Rows of the first kernel, `3 + 2F + G`. */
  readonly inDim: number;
  /** Output widths of the Linears `[H0, ..., O]`. */
  readonly widths: readonly number[];
  readonly act: Act;
  readonly agg: Agg;
  /** `[W0, b0, W1, b1, ...]`. */
  readonly weights: readonly tf.Variable[];
  readonly scratch: Scratch;
  readonly pool: SavedPool;
}

/** Validated input data of one call (already read from the tensors). @internal */
export interface FusedData { f: Float32Array | null; g: Float32Array }

/** True while a gradient tape records (inside tf.grad / variableGrads / optimizer.minimize). */
function tapeRecording(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/**
 * Applies a layer with the fused kernel; inputs are already validated. Under a gradient tape the
 * forward pass takes a saved-state slot from the layer's pool, which the backward pass returns.
 * @internal
 */
export function applyFused(layer: FusedLayer, graph: EdgeGraph, features: tf.Tensor2D | null,
  global: tf.Tensor1D | tf.Tensor2D, data: FusedData): tf.Tensor2D {
  const gRows = global.rank === 1 ? 1 : global.shape[0]!;
  const shape: KernelShape = {
    n: graph.n, k: graph.k, nodesPerFrame: graph.nodesPerFrame, F: layer.inFeatures, G: layer.globalFeatures, gRows,
    widths: layer.widths, act: layer.act, agg: layer.agg,
  };
  const training = tapeRecording();
  const wasm = wasmEnabled() && WasmKernel.supports(shape) ? WasmKernel.get() : null;
  const nIn = (features ? 1 : 0) + 1;
  const op = tf.customGrad((...args: unknown[]) => {
    const tensors = args.slice(0, nIn + layer.weights.length) as tf.Tensor[];
    const x = kernelInputs(graph, tensors, nIn, features ? data.f : null, data.g);
    const saved = training ? layer.pool.take(shape, wasm) : null;
    const { out, saved: used } = runForward(layer, shape, x, saved, wasm);
    const state: SlotState = { done: false };
    const token = {};
    if (used) layer.pool.returnOnCollect(token, used, state);
    const value = tf.tensor2d(out, [graph.n, shape.widths[shape.widths.length - 1]!], 'float32');
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      void token; // keeps the slot alive while this closure (the tape) lives
      const dyT = Array.isArray(dy) ? dy[0]! : dy;
      return runBackward(layer, shape, x, used, state, wasm, dyT, tensors[nIn - 1]!.shape);
    };
    return { value, gradFunc };
  });
  const inputs: tf.Tensor[] = [...(features ? [features] : []), global, ...layer.weights];
  return op(...inputs) as tf.Tensor2D;
}

/** The kernel's view of one call: graph arrays, feature data and the weights' data. */
function kernelInputs(graph: EdgeGraph, tensors: tf.Tensor[], nIn: number, f: Float32Array | null,
  g: Float32Array): KernelInputs {
  const x: KernelInputs = { indices: graph.indices, vectors: graph.vectors, f, g, W: [], b: [] };
  for (let t = nIn; t < tensors.length; t += 2) {
    x.W.push(tensors[t]!.dataSync() as Float32Array);
    x.b.push(tensors[t + 1]!.dataSync() as Float32Array);
  }
  return x;
}

/**
 * Runs the forward pass on wasm, or on the TypeScript kernel when wasm is off or its arena cannot
 * grow (2 GiB limit: a RangeError). Returns the output and the slot actually used.
 */
function runForward(layer: FusedLayer, shape: KernelShape, x: KernelInputs, saved: Saved | null,
  wasm: WasmKernel | null): { out: Float32Array; saved: Saved | null } {
  const out = new Float32Array(shape.n * shape.widths[shape.widths.length - 1]!);
  if (wasm) {
    try {
      wasm.forward(layer.layerKey, shape, x, out, saved ? saved.wasm : null);
      return { out, saved };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      if (saved) {
        layer.pool.put(saved);
        saved = layer.pool.take(shape, null);
      }
    }
  }
  forward(shape, x, out, saved, layer.scratch);
  return { out, saved };
}

/** The backward pass: gradients for features (if any), global and every weight, as tensors. */
function runBackward(layer: FusedLayer, shape: KernelShape, x: KernelInputs, saved: Saved | null, state: SlotState,
  wasm: WasmKernel | null, dy: tf.Tensor, globalShape: number[]): tf.Tensor[] {
  if (saved === null) {
    throw new EdgeConvError(`${layer.name}: gradient requested for a forward pass run outside a gradient tape`,
      'EDGECONV_NO_TAPE');
  }
  if (state.done) {
    throw new EdgeConvError(`${layer.name}: backward pass run twice for one forward pass`, 'EDGECONV_NO_TAPE');
  }
  const grads = emptyGrads(layer, shape, x.f !== null);
  if (wasm && saved.wasm) wasm.backward(layer.layerKey, shape, x, saved.wasm, dy.dataSync() as Float32Array, grads);
  else backward(shape, x, saved, dy.dataSync() as Float32Array, grads, layer.scratch);
  state.done = true;
  layer.pool.put(saved);
  const res: tf.Tensor[] = [];
  if (grads.df) res.push(tf.tensor2d(grads.df, [shape.n, shape.F], 'float32'));
  res.push(tf.tensor(grads.dg, globalShape, 'float32'));
  let fanIn = layer.inDim;
  for (let l = 0; l < shape.widths.length; l++) {
    res.push(tf.tensor2d(grads.dW[l]!, [fanIn, shape.widths[l]!], 'float32'));
    res.push(tf.tensor1d(grads.db[l]!, 'float32'));
    fanIn = shape.widths[l]!;
  }
  return res;
}

/** Gradient arrays of one call (they become the gradient tensors, so they are fresh each call). */
function emptyGrads(layer: FusedLayer, shape: KernelShape, hasFeatures: boolean): KernelGrads {
  const grads: KernelGrads = {
    df: hasFeatures ? new Float32Array(shape.n * shape.F) : null,
    dg: new Float32Array(shape.gRows * shape.G),
    dW: [], db: [],
  };
  let fanIn = layer.inDim;
  for (const w of shape.widths) {
    grads.dW.push(new Float32Array(fanIn * w));
    grads.db.push(new Float32Array(w));
    fanIn = w;
  }
  return grads;
}
