import { describeValue } from '@mddm/core';
import type { Activation } from './activation';
import { ACTIVATIONS } from './activation';
import type { Aggregation } from './aggregation';
import { AGGREGATIONS } from './aggregation';
import { EdgeConvError } from './errors';

/**
 * Implementation: `fused` (typed-array forward/backward kernel registered via `tf.customGrad`; reads
 * tensors synchronously, meant for the `cpu` and `wasm` backends), `composed` (standard tfjs ops:
 * matMul, gather, relu, max; works on every backend incl. webgl/GPU), or `auto` (fused on `cpu`/`wasm`,
 * composed elsewhere).
 */
export type EdgeConvKernel = 'auto' | 'fused' | 'composed';

const KERNELS: readonly EdgeConvKernel[] = ['auto', 'fused', 'composed'];

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
  activation?: Activation;
  /** Aggregation over neighbors (default `max`). */
  aggregation?: Aggregation;
  /** Implementation choice (default `auto`). */
  kernel?: EdgeConvKernel;
  /** Seed of the weight initialization (default: 1 + a process-wide layer counter). */
  seed?: number;
  /** Layer name, used in variable names (default `pbc_edge_conv_<counter>`). */
  name?: string;
}

let layerCounter = 0;

/** `'a', 'b' or 'c'` for error messages. */
function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `'${c}'`);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * Validates a layer config and fills in the defaults (each call counts one layer, for default seeds
 * and names). @internal
 * @throws {@link EdgeConvError} `EDGECONV_BAD_CONFIG` naming the first bad field
 */
export function normalizeConfig(config: PbcEdgeConvConfig): Required<PbcEdgeConvConfig> {
  const bad = (msg: string): never => {
    throw new EdgeConvError(`pbcEdgeConv: ${msg}`, 'EDGECONV_BAD_CONFIG');
  };
  if (config == null || typeof config !== 'object') bad(`config must be an object, got ${describeValue(config)}`);
  const { inFeatures, globalFeatures } = config;
  if (!Number.isInteger(inFeatures) || inFeatures < 0) bad(`inFeatures must be an integer >= 0, got ${describeValue(inFeatures)}`);
  if (!Number.isInteger(globalFeatures) || globalFeatures < 0) {
    bad(`globalFeatures must be an integer >= 0, got ${describeValue(globalFeatures)}`);
  }
  const hidden = config.hidden ?? [32, 32];
  if (!Array.isArray(hidden) || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    bad(`hidden must be an array of integers >= 1, got ${describeValue(hidden)}`);
  }
  const outFeatures = config.outFeatures ?? 32;
  if (!Number.isInteger(outFeatures) || outFeatures < 1) bad(`outFeatures must be an integer >= 1, got ${describeValue(outFeatures)}`);
  const activation = config.activation ?? 'relu';
  if (!ACTIVATIONS.includes(activation)) bad(`activation must be ${listChoices(ACTIVATIONS)}, got ${describeValue(activation)}`);
  const aggregation = config.aggregation ?? 'max';
  if (!AGGREGATIONS.includes(aggregation)) bad(`aggregation must be ${listChoices(AGGREGATIONS)}, got ${describeValue(aggregation)}`);
  const kernel = config.kernel ?? 'auto';
  if (!KERNELS.includes(kernel)) bad(`kernel must be ${listChoices(KERNELS)}, got ${describeValue(kernel)}`);
  const id = ++layerCounter;
  const seed = config.seed ?? id;
  if (!Number.isInteger(seed)) bad(`seed must be an integer, got ${describeValue(seed)}`);
  const name = config.name ?? `pbc_edge_conv_${id}`;
  if (typeof name !== 'string' || name.length === 0) bad(`name must be a non-empty string, got ${describeValue(name)}`);
  return { inFeatures, globalFeatures, hidden: [...hidden], outFeatures, activation, aggregation, kernel, seed, name };
}
