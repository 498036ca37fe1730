/**
 * The data model shared by the two fused kernels (TypeScript `kernel.ts`, WebAssembly
 * `wasmKernel.ts`): numeric activation/aggregation codes, the static shape of one layer call, its
 * inputs, its gradients and the state a forward pass saves for its backward pass. It lives apart so
 * that neither kernel imports the other. @internal
 */
import type { Activation } from './activation';
import type { Aggregation } from './aggregation';

/** Activation codes (the numbers the wasm module understands). @internal */
export const Act = { Relu: 0, Silu: 1, Tanh: 2 } as const;
/** Activation code type. @internal */
export type Act = (typeof Act)[keyof typeof Act];
/** Aggregation codes (the numbers the wasm module understands). @internal */
export const Agg = { Max: 0, Mean: 1, Sum: 2 } as const;
/** Aggregation code type. @internal */
export type Agg = (typeof Agg)[keyof typeof Agg];

/** Code of each {@link Activation}. @internal */
export const ACT_CODE: Readonly<Record<Activation, Act>> = { relu: Act.Relu, silu: Act.Silu, tanh: Act.Tanh };
/** Code of each {@link Aggregation}. @internal */
export const AGG_CODE: Readonly<Record<Aggregation, Agg>> = { max: Agg.Max, mean: Agg.Mean, sum: Agg.Sum };

/** Static description of one layer call. @internal */
export interface KernelShape {
  n: number; k: number; nodesPerFrame: number;
  F: number; G: number; gRows: number;
  /** Output widths of each Linear: [H0, H1, ..., O]. */
  widths: readonly number[];
  act: Act; agg: Agg;
}

/** Inputs of one call. @internal */
export interface KernelInputs {
  indices: Int32Array; vectors: Float32Array;
  f: Float32Array | null; g: Float32Array;
  W: Float32Array[]; b: Float32Array[];
}

/** Gradients of one call, same shapes as the inputs. @internal */
export interface KernelGrads {
  df: Float32Array | null; dg: Float32Array;
  dW: Float32Array[]; db: Float32Array[];
}

/** Saved forward state of one wasm call: pointers into the arena. @internal */
export interface WasmSaved {
  /** Arena key prefix of this slot. */
  slot: string;
  /** Descriptor of per-hidden-layer activation buffers. */
  save: number;
  /** argmax [n, O] i32. */
  argmax: number;
}

/** Buffers one forward pass saves for its backward pass. @internal */
export interface Saved {
  /** Post-activation hidden values per edge, one array per hidden layer: [E * H_l]. */
  a: Float32Array[];
  /** Pre-activation values (only for silu): [E * H_l]. */
  z: Float32Array[];
  /** Max aggregation: winning neighbor slot per (node, channel), [n * O]. */
  argmax: Int32Array;
  /** Pool key (shape and implementation). */
  key: string;
  /** For the wasm kernel: arena slot holding the saved state (then a, z, argmax are unused). */
  wasm: WasmSaved | null;
}
