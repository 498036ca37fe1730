/**
 * Validation of a layer call's inputs at the entry point (`PbcEdgeConv.apply`): the graph (once per
 * graph object), the node features and the global features. Their data is read once here and handed
 * to the fused kernel, so validating costs no second read. @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@mddm/core';
import { EdgeConvError } from './errors';
import type { EdgeGraph } from './graph';
import { validateGraph } from './graph';

/** Graph objects already validated (a graph is built once and shared by every layer of a step). */
const checkedGraphs = new WeakSet<EdgeGraph>();

/** Widths a call is checked against. @internal */
export interface InputWidths {
  /** Layer name, for messages. */
  readonly name: string;
  /** Node feature width F (0: no features). */
  readonly inFeatures: number;
  /** Global feature width G. */
  readonly globalFeatures: number;
}

/**
 * Checks the inputs of one call; returns their data (features `null` when F = 0). @internal
 * @throws {@link EdgeConvError} `EDGECONV_BAD_GRAPH`, `_BAD_FEATURES` or `_BAD_GLOBAL`
 */
export function checkInputs(layer: InputWidths, graph: EdgeGraph, features: tf.Tensor2D | null,
  global: tf.Tensor1D | tf.Tensor2D): { f: Float32Array | null; g: Float32Array } {
  const where = `${layer.name}.apply`;
  if (!checkedGraphs.has(graph)) {
    validateGraph(graph, where);
    checkedGraphs.add(graph);
  }
  return { f: checkFeatures(where, layer.inFeatures, graph, features), g: checkGlobal(where, layer.globalFeatures, graph, global) };
}

/** Node features: `null` for a first layer, else a finite float32 `[n, F]` tensor. */
function checkFeatures(where: string, F: number, graph: EdgeGraph, features: tf.Tensor2D | null): Float32Array | null {
  const fail = (msg: string): never => { throw new EdgeConvError(`${where}: ${msg}`, 'EDGECONV_BAD_FEATURES'); };
  if (F === 0) {
    if (features != null) fail(`features must be null for a first layer (inFeatures = 0), got a tensor of shape ${describeValue(features.shape)}`);
    return null;
  }
  if (!(features instanceof tf.Tensor)) fail(`features must be a tf.Tensor2D [n, ${F}], got ${describeValue(features)}`);
  const t = features as tf.Tensor2D;
  if (t.rank !== 2 || t.shape[0] !== graph.n || t.shape[1] !== F) {
    fail(`features must have shape [n, inFeatures] = [${graph.n}, ${F}], got ${describeValue(t.shape)}`);
  }
  if (t.dtype !== 'float32') fail(`features must be float32, got ${t.dtype}`);
  return finiteData(t, `${where}: features`, 'EDGECONV_BAD_FEATURES');
}

/** Global features: a finite float32 `[G]` (shared) or `[frames, G]` / `[1, G]` tensor. */
function checkGlobal(where: string, G: number, graph: EdgeGraph, global: tf.Tensor1D | tf.Tensor2D): Float32Array {
  const fail = (msg: string): never => { throw new EdgeConvError(`${where}: ${msg}`, 'EDGECONV_BAD_GLOBAL'); };
  if (!(global instanceof tf.Tensor)) fail(`global must be a tf.Tensor [${G}] or [frames, ${G}], got ${describeValue(global)}`);
  const okShape = (global.rank === 1 && global.shape[0] === G)
    || (global.rank === 2 && global.shape[1] === G && (global.shape[0] === graph.frames || global.shape[0] === 1));
  if (!okShape) {
    fail(`global must have shape [${G}] or [frames, ${G}] = [${graph.frames}, ${G}], got ${describeValue(global.shape)}`);
  }
  if (global.dtype !== 'float32') fail(`global must be float32, got ${global.dtype}`);
  return finiteData(global, `${where}: global`, 'EDGECONV_BAD_GLOBAL');
}

/** Reads a float32 tensor synchronously and checks every value is finite; returns the data. */
function finiteData(t: tf.Tensor, what: string, code: string): Float32Array {
  const d = t.dataSync() as Float32Array;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) throw new EdgeConvError(`${what}[${i}] (flat) = ${v} must be finite`, code);
  }
  return d;
}
