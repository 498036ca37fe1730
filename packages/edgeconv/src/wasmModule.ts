/**
 * The compiled WebAssembly SIMD kernel (`assembly/kernel.ts`, shipped as base64 in
 * `generated/kernel-wasm.ts`) and the signatures of its exports. Instantiated on a shared memory by
 * the main thread and by the worker thread alike. @internal
 */
import { KERNEL_WASM_BASE64 } from './generated/kernel-wasm';

/** Exports of the kernel module; all pointers are byte offsets into the shared memory. @internal */
export interface KernelExports {
  nodeTerms(F: number, H: number, npf: number, gRows: number, f: number, gT: number, Wdiff: number, Wj: number,
    A: number, B: number, lo: number, hi: number): void;
  forwardEdges(k: number, net: number, idx: number, dx: number, A: number, B: number, hasB: number, out: number,
    save: number, argmax: number, agg: number, lo: number, hi: number, scratch: number): void;
  backwardEdges(k: number, net: number, idx: number, dx: number, hasB: number, dOut: number, save: number,
    argmax: number, agg: number, grad: number, dA: number, dB: number, lo: number, hi: number, scratch: number): void;
  nodeBackward(F: number, H: number, f: number, dA: number, dB: number, Wdiff: number, Wj: number, df: number,
    dWi: number, dWj: number, lo: number, hi: number): void;
}

/** Bytes per WebAssembly page. @internal */
export const PAGE_BYTES = 65536;
/** The module's declared maximum memory: 32768 pages = 2 GiB. @internal */
export const MAX_PAGES = 32768;

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Compiles the kernel module synchronously (7 KB; browsers refuse synchronous compiles above 4 KB on
 * the main thread, which then throws and the caller falls back to the TypeScript kernel). @internal
 */
export function compileKernelModule(): WebAssembly.Module {
  return new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64) as BufferSource);
}

/** A fresh shared memory for the kernel (SharedArrayBuffer, so a worker thread can use it). @internal */
export function createKernelMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
}

/** Instantiates the kernel on `memory`. @internal */
export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('wasm abort'); } } });
  return instance.exports as unknown as KernelExports;
}
