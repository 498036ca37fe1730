/**
 * WebAssembly (SIMD) backend of the fused kernel: loads the module shipped as base64
 * (generated/kernel-wasm.ts), manages a linear-memory arena and runs forward/backward for layers
 * with relu hidden activations and widths that are multiples of 4 (<= 256). Everything else uses the
 * TypeScript kernel (kernel.ts). @internal
 */
import { KERNEL_WASM_BASE64 } from './generated/kernel-wasm';
import type { KernelGrads, KernelInputs, KernelShape } from './kernel';
import { Act } from './kernel';

interface KernelExports {
  nodeTerms(F: number, H: number, npf: number, gRows: number, f: number, gT: number, Wdiff: number, Wj: number,
    A: number, B: number, lo: number, hi: number): void;
  forwardEdges(k: number, net: number, idx: number, dx: number, A: number, B: number, hasB: number, out: number,
    save: number, argmax: number, agg: number, lo: number, hi: number, scratch: number): void;
  backwardEdges(k: number, net: number, idx: number, dx: number, hasB: number, dOut: number, save: number,
    argmax: number, agg: number, grad: number, dA: number, dB: number, lo: number, hi: number, scratch: number): void;
  nodeBackward(F: number, H: number, f: number, dA: number, dB: number, Wdiff: number, Wj: number, df: number,
    dWi: number, dWj: number, lo: number, hi: number): void;
}

let enabled = true;
/** @internal Whether the wasm kernel may be used (tests switch it off to exercise the TS kernel). */
export function wasmEnabled(): boolean { return enabled; }
/** @internal */
export function setWasmEnabled(on: boolean): void { enabled = on; }

const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
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

/** Linear-memory arena with named, reusable regions. @internal */
export class WasmKernel {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  private top = 1024; // keep address 0 unused
  private readonly regions = new Map<string, { ptr: number; bytes: number }>();
  private graphKey: object | null = null;
  /** Number of forward and backward calls run (for tests and diagnostics). */
  calls = { forward: 0, backward: 0 };

  private constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } });
    this.exports = instance.exports as unknown as KernelExports;
  }

  private static instance: WasmKernel | null | undefined;

  /** The process-wide kernel, or null if WebAssembly SIMD/threads are unavailable. */
  static get(): WasmKernel | null {
    if (WasmKernel.instance === undefined) {
      try {
        WasmKernel.instance = new WasmKernel(new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64) as BufferSource));
      } catch {
        WasmKernel.instance = null;
      }
    }
    return WasmKernel.instance;
  }

  /** Whether a layer shape can run here. */
  static supports(s: KernelShape): boolean {
    return s.act === Act.Relu && s.widths.length >= 2 && s.widths.every((w) => w % 4 === 0 && w <= 256);
  }

  /** A 16-byte-aligned region of `bytes` reused under `key` (grown if too small). */
  region(key: string, bytes: number): number {
    const r = this.regions.get(key);
    if (r !== undefined && r.bytes >= bytes) return r.ptr;
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`edgeconv wasm arena: ${end} bytes exceed 1 GiB`);
      this.memory.grow(pages);
    }
    this.top = end;
    this.regions.set(key, { ptr, bytes });
    return ptr;
  }

  f32(ptr: number, len: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, len); }
  i32(ptr: number, len: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, len); }

  /** Copies the graph's indices and vectors into the arena unless they are already there. */
  private loadGraph(x: KernelInputs, n: number, k: number): { idx: number; dx: number } {
    const E = n * k;
    const idx = this.region('graph.idx', 4 * E);
    const dx = this.region('graph.dx', 12 * E);
    if (this.graphKey !== x.indices || this.regions.get('graph.idx')!.bytes < 4 * E) {
      this.i32(idx, E).set(x.indices);
      this.f32(dx, 3 * E).set(x.vectors);
      this.graphKey = x.indices;
    }
    return { idx, dx };
  }

  /** Writes the weights and the net descriptor of a layer; returns pointers. */
  private loadNet(layerKey: string, s: KernelShape, x: KernelInputs): { net: number; W: number[]; b: number[] } {
    const L = s.widths.length;
    const net = this.region(`${layerKey}.net`, 4 + 16 * L);
    const W: number[] = [], b: number[] = [];
    for (let l = 0; l < L; l++) {
      W.push(this.region(`${layerKey}.W${l}`, 4 * x.W[l]!.length));
      b.push(this.region(`${layerKey}.b${l}`, 4 * x.b[l]!.length));
      this.f32(W[l]!, x.W[l]!.length).set(x.W[l]!);
      this.f32(b[l]!, x.b[l]!.length).set(x.b[l]!);
    }
    const d = this.i32(net, 1 + 4 * L);
    d[0] = L;
    let inW = 3 + 2 * s.F + s.G;
    for (let l = 0; l < L; l++) {
      d[1 + 4 * l] = W[l]!; d[2 + 4 * l] = b[l]!; d[3 + 4 * l] = inW; d[4 + 4 * l] = s.widths[l]!;
      inW = s.widths[l]!;
    }
    return { net, W, b };
  }

  /** gT = b0 + g Wg per global row; Wdiff = Wi - Wj. Written into the arena. */
  private loadNodeConsts(layerKey: string, s: KernelShape, x: KernelInputs, W0: number): { gT: number; Wdiff: number; Wj: number } {
    const H = s.widths[0]!, F = s.F, G = s.G;
    const gT = this.region(`${layerKey}.gT`, 4 * s.gRows * H);
    const Wdiff = this.region(`${layerKey}.Wdiff`, 4 * Math.max(1, F * H));
    const w0 = x.W[0]!, b0 = x.b[0]!;
    const gv = this.f32(gT, s.gRows * H);
    const gOff = 3 + 2 * F;
    for (let r = 0; r < s.gRows; r++) {
      for (let h = 0; h < H; h++) {
        let acc = b0[h]!;
        for (let c = 0; c < G; c++) acc += x.g[r * G + c]! * w0[(gOff + c) * H + h]!;
        gv[r * H + h] = acc;
      }
    }
    const wd = this.f32(Wdiff, F * H);
    for (let c = 0; c < F; c++) for (let h = 0; h < H; h++) wd[c * H + h] = w0[(3 + c) * H + h]! - w0[(3 + F + c) * H + h]!;
    return { gT, Wdiff, Wj: W0 + 4 * (3 + F) * H };
  }

  /** Allocates (or reuses) the saved-state buffers of slot `slot`. */
  savedSlot(slot: string, s: KernelShape): WasmSaved {
    const E = s.n * s.k;
    const hidden = s.widths.slice(0, -1);
    const save = this.region(`${slot}.desc`, 4 * hidden.length);
    const ptrs = hidden.map((h, l) => this.region(`${slot}.a${l}`, 4 * E * h));
    this.i32(save, hidden.length).set(ptrs);
    const argmax = this.region(`${slot}.argmax`, 4 * s.n * s.widths[s.widths.length - 1]!);
    return { slot, save, argmax };
  }

  /** Forward pass; writes out [n * O]. */
  forward(layerKey: string, s: KernelShape, x: KernelInputs, out: Float32Array, saved: WasmSaved | null): void {
    const { n, k, F } = s;
    const H0 = s.widths[0]!;
    const O = s.widths[s.widths.length - 1]!;
    this.calls.forward++;
    // allocate everything first (growing memory invalidates nothing we hold: we keep pointers only)
    const { idx, dx } = this.loadGraph(x, n, k);
    const { net, W } = this.loadNet(layerKey, s, x);
    const { gT, Wdiff, Wj } = this.loadNodeConsts(layerKey, s, x, W[0]!);
    const fPtr = this.region('call.f', 4 * Math.max(1, n * F));
    const A = this.region('call.A', 4 * n * H0);
    const B = this.region('call.B', 4 * n * H0);
    const outPtr = this.region('call.out', 4 * n * O);
    const scratch = this.region('call.scratch', 4096);
    if (F > 0 && x.f) this.f32(fPtr, n * F).set(x.f);
    const e = this.exports;
    e.nodeTerms(F, H0, s.nodesPerFrame, s.gRows, fPtr, gT, Wdiff, Wj, A, B, 0, n);
    e.forwardEdges(k, net, idx, dx, A, B, F > 0 ? 1 : 0, outPtr, saved ? saved.save : 0, saved ? saved.argmax : 0,
      s.agg, 0, n, scratch);
    out.set(this.f32(outPtr, n * O));
  }

  /** Backward pass; overwrites grads. */
  backward(layerKey: string, s: KernelShape, x: KernelInputs, saved: WasmSaved, dOut: Float32Array, grads: KernelGrads): void {
    const { n, k, F, G } = s;
    const L = s.widths.length;
    const H0 = s.widths[0]!;
    const O = s.widths[L - 1]!;
    this.calls.backward++;
    const { idx, dx } = this.loadGraph(x, n, k);
    const { net, W } = this.loadNet(layerKey, s, x);
    const { Wdiff, Wj } = this.loadNodeConsts(layerKey, s, x, W[0]!);
    const fPtr = this.region('call.f', 4 * Math.max(1, n * F));
    const dOutPtr = this.region('call.dOut', 4 * n * O);
    const dA = this.region('call.dA', 4 * n * H0);
    const dB = this.region('call.dB', 4 * n * H0);
    const dfPtr = this.region('call.df', 4 * Math.max(1, n * F));
    const grad = this.region('call.grad', 8 * L);
    const gPtrs: number[] = [];
    for (let l = 0; l < L; l++) {
      gPtrs.push(this.region(`call.dW${l}`, 4 * grads.dW[l]!.length), this.region(`call.db${l}`, 4 * grads.db[l]!.length));
    }
    const scratch = this.region('call.scratch', 4096);
    this.i32(grad, 2 * L).set(gPtrs);
    for (let l = 0; l < L; l++) {
      this.f32(gPtrs[2 * l]!, grads.dW[l]!.length).fill(0);
      this.f32(gPtrs[2 * l + 1]!, grads.db[l]!.length).fill(0);
    }
    this.f32(dA, n * H0).fill(0);
    this.f32(dB, n * H0).fill(0);
    if (F > 0 && x.f) this.f32(fPtr, n * F).set(x.f);
    this.f32(dOutPtr, n * O).set(dOut);
    const e = this.exports;
    e.backwardEdges(k, net, idx, dx, F > 0 ? 1 : 0, dOutPtr, saved.save, saved.argmax, s.agg, grad, dA, dB, 0, n, scratch);
    const dW0 = gPtrs[0]!;
    if (F > 0) {
      e.nodeBackward(F, H0, fPtr, dA, dB, Wdiff, Wj, dfPtr, dW0 + 4 * 3 * H0, dW0 + 4 * (3 + F) * H0, 0, n);
      grads.df!.set(this.f32(dfPtr, n * F));
    }
    for (let l = 0; l < L; l++) {
      grads.dW[l]!.set(this.f32(gPtrs[2 * l]!, grads.dW[l]!.length));
      grads.db[l]!.set(this.f32(gPtrs[2 * l + 1]!, grads.db[l]!.length));
    }
    // global rows: db0 = sum_i dA_i, dWg = g^T dA_r, dg_r = dA_r Wg^T
    const dAv = this.f32(dA, n * H0);
    const dAr = new Float64Array(s.gRows * H0);
    for (let i = 0; i < n; i++) {
      const r = s.gRows === 1 ? 0 : (i / s.nodesPerFrame) | 0;
      for (let h = 0; h < H0; h++) dAr[r * H0 + h] += dAv[i * H0 + h]!;
    }
    const db0 = grads.db[0]!, dW0a = grads.dW[0]!, w0 = x.W[0]!;
    db0.fill(0);
    for (let r = 0; r < s.gRows; r++) for (let h = 0; h < H0; h++) db0[h] += dAr[r * H0 + h]!;
    const gOff = 3 + 2 * F;
    for (let c = 0; c < G; c++) {
      for (let h = 0; h < H0; h++) dW0a[(gOff + c) * H0 + h] = 0;
    }
    for (let r = 0; r < s.gRows; r++) {
      for (let c = 0; c < G; c++) {
        const gv = x.g[r * G + c]!;
        let acc = 0;
        for (let h = 0; h < H0; h++) {
          dW0a[(gOff + c) * H0 + h] += gv * dAr[r * H0 + h]!;
          acc += w0[(gOff + c) * H0 + h]! * dAr[r * H0 + h]!;
        }
        grads.dg[r * G + c] = acc;
      }
    }
  }
}
