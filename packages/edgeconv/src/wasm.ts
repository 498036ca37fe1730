/**
 * WebAssembly (SIMD) backend of the fused kernel: loads the module shipped as base64
 * (generated/kernel-wasm.ts), manages a linear-memory arena and runs forward/backward for layers
 * with relu hidden activations and widths that are multiples of 4 (<= 256). Everything else uses the
 * TypeScript kernel (kernel.ts). @internal
 */
import { EdgeConvError } from './errors';
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

let requestedThreads = 2;

/**
 * Number of threads the wasm kernel uses (1 or 2, default 2): with 2, a `worker_threads` worker
 * (Node >= 20.16 only; sharing the kernel's memory) takes half of the nodes of every forward and
 * backward pass. The worker is unref'd (it never keeps a process alive) and starts in the
 * background; until it is ready, calls run on one thread. Setting 1 terminates it.
 */
export function setKernelThreads(threads: number): void {
  if (threads !== 1 && threads !== 2) throw new RangeError(`setKernelThreads: threads must be 1 or 2, got ${threads}`);
  requestedThreads = threads;
  if (threads === 1) WasmKernel.peek()?.stopWorker();
  else WasmKernel.peek()?.startWorker();
}

/**
 * Resolves when the kernel's worker thread is ready (true), or false if there is none (threads = 1,
 * no `worker_threads`, WebAssembly unavailable) or it did not start within `timeoutMs`. Creates the
 * kernel if needed. Useful before benchmarks: until the worker is up, calls run on one thread.
 */
export async function waitForKernelWorker(timeoutMs = 5000): Promise<boolean> {
  const k = WasmKernel.get();
  if (!k || requestedThreads < 2) return false;
  k.startWorker();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (k.workerIsReady()) return true;
    if (!k.hasWorker()) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/** Terminates the kernel's worker thread, if any; calls then run on one thread until `setKernelThreads(2)` or `waitForKernelWorker()` starts it again. */
export function terminateKernelWorkers(): void {
  WasmKernel.peek()?.stopWorker();
}

// The worker: instantiates the kernel on the shared memory, then serves jobs posted through a control
// block of i32 words: [0] state (0 idle, 1 job, 2 done), [1] function (1 forwardEdges, 2 backwardEdges,
// 3 exit), [2] ready flag, [3] error flag, [4..] arguments.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctlPtr } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
const ctl = new Int32Array(memory.buffer, ctlPtr, 32);
Atomics.store(ctl, 2, 1);
for (;;) {
  let st;
  while ((st = Atomics.load(ctl, 0)) !== 1) Atomics.wait(ctl, 0, st);
  const fn = ctl[1];
  if (fn === 3) break;
  const a = Array.from(ctl.subarray(4, 20));
  try {
    if (fn === 1) ex.forwardEdges(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
    else if (fn === 2) ex.backwardEdges(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
  } catch (e) {
    Atomics.store(ctl, 3, 1);
  }
  Atomics.store(ctl, 0, 2);
  Atomics.notify(ctl, 0);
}
`;

interface WorkerLike { unref(): void; terminate(): Promise<number>; on(ev: string, fn: (...a: unknown[]) => void): void }

const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB (the module's declared maximum)

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
  private readonly free: { ptr: number; bytes: number }[] = [];
  private graphKey: object | null = null;
  /** Number of forward and backward calls run (for tests and diagnostics). */
  calls = { forward: 0, backward: 0, split: 0 };

  private readonly module: WebAssembly.Module;
  private readonly ctlPtr: number;
  private worker: WorkerLike | null = null;
  private workerBroken = false;

  private constructor(module: WebAssembly.Module) {
    this.module = module;
    this.memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } });
    this.exports = instance.exports as unknown as KernelExports;
    this.ctlPtr = this.region('ctl', 128);
    if (requestedThreads > 1) this.startWorker();
  }

  private static instance: WasmKernel | null | undefined;

  /** The kernel if it was already created (never creates it). */
  static peek(): WasmKernel | null { return WasmKernel.instance ?? null; }

  private ctl(): Int32Array { return new Int32Array(this.memory.buffer, this.ctlPtr, 32); }

  /** Starts the worker thread in the background (Node >= 20.16 with worker_threads only). */
  startWorker(): void {
    if (this.worker || this.workerBroken) return;
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.('node:worker_threads') as
      { Worker: new (src: string, o: object) => WorkerLike } | undefined;
    if (!wt) return;
    const ctl = this.ctl();
    Atomics.store(ctl, 0, 0);
    Atomics.store(ctl, 2, 0);
    Atomics.store(ctl, 3, 0);
    try {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.module, memory: this.memory, ctlPtr: this.ctlPtr } });
      w.unref();
      w.on('error', () => { this.workerBroken = true; this.worker = null; Atomics.store(this.ctl(), 2, 0); });
      w.on('exit', () => { if (this.worker === w) this.worker = null; Atomics.store(this.ctl(), 2, 0); });
      this.worker = w;
    } catch {
      this.workerBroken = true;
    }
  }

  /** Stops the worker thread (if running). */
  stopWorker(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    const ctl = this.ctl();
    Atomics.store(ctl, 2, 0);
    void w.terminate();
  }

  /** @internal */
  workerIsReady(): boolean { return this.workerReady(); }
  /** @internal */
  hasWorker(): boolean { return this.worker !== null; }

  /** True when the worker is up and idle, so a job can be split. */
  private workerReady(): boolean {
    return this.worker !== null && requestedThreads > 1 && Atomics.load(this.ctl(), 2) === 1;
  }

  /** Posts a job for the worker. */
  private post(fn: number, args: number[]): void {
    this.calls.split++;
    const ctl = this.ctl();
    Atomics.store(ctl, 3, 0);
    for (let i = 0; i < args.length; i++) ctl[4 + i] = args[i]!;
    ctl[1] = fn;
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  }

  /**
   * Waits for the posted job. If the worker failed (a trap) or did not answer within 10 s, it is
   * stopped, later calls run on one thread, and this call throws: its partial results cannot be trusted.
   */
  private join(): void {
    const ctl = this.ctl();
    const deadline = Date.now() + 10_000; // a job takes milliseconds
    while (Atomics.load(ctl, 0) === 1) {
      Atomics.wait(ctl, 0, 1, 1000);
      if (Date.now() > deadline && Atomics.load(ctl, 0) === 1) {
        this.workerBroken = true;
        this.stopWorker();
        throw new EdgeConvError('edgeconv kernel worker thread did not answer within 10 s; it was stopped, '
          + 'further calls run on one thread (see setKernelThreads)', 'EDGECONV_WORKER');
      }
    }
    Atomics.store(ctl, 0, 0);
    if (Atomics.load(ctl, 3) !== 0) {
      this.workerBroken = true;
      this.stopWorker();
      throw new EdgeConvError('edgeconv kernel worker thread failed (wasm trap); it was stopped, further calls run on one thread',
        'EDGECONV_WORKER');
    }
  }


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
    if (r !== undefined) this.free.push(r);
    bytes = (bytes + 15) & ~15;
    // first fit among released blocks
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.bytes >= bytes) {
        this.free.splice(i, 1);
        if (f.bytes - bytes >= 4096) this.free.push({ ptr: f.ptr + bytes, bytes: f.bytes - bytes });
        this.regions.set(key, { ptr: f.ptr, bytes });
        return f.ptr;
      }
    }
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`edgeconv wasm arena: ${end} bytes exceed ${MAX_PAGES * PAGE} bytes`);
      this.memory.grow(pages);
    }
    this.top = end;
    this.regions.set(key, { ptr, bytes });
    return ptr;
  }

  /** Releases every region whose key starts with `prefix` (e.g. a disposed layer's) for reuse. */
  release(prefix: string): void {
    for (const [key, r] of this.regions) {
      if (key.startsWith(prefix)) {
        this.regions.delete(key);
        this.free.push(r);
      }
    }
  }

  /** Bytes of the arena in use by live regions, and its high-water mark. */
  usage(): { liveBytes: number; topBytes: number } {
    let live = 0;
    for (const r of this.regions.values()) live += r.bytes;
    return { liveBytes: live, topBytes: this.top };
  }

  f32(ptr: number, len: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, len); }
  i32(ptr: number, len: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, len); }

  /**
   * Copies the graph's indices and vectors into the arena: always for a forward pass (~0.1 ms at
   * N k = 32000, and safe if a caller refilled the arrays in place), for a backward pass only if
   * another graph was loaded since.
   */
  private loadGraph(x: KernelInputs, n: number, k: number, always: boolean): { idx: number; dx: number } {
    const E = n * k;
    const idx = this.region('graph.idx', 4 * E);
    const dx = this.region('graph.dx', 12 * E);
    if (always || this.graphKey !== x.indices) {
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
    const { idx, dx } = this.loadGraph(x, n, k, true);
    const { net, W } = this.loadNet(layerKey, s, x);
    const { gT, Wdiff, Wj } = this.loadNodeConsts(layerKey, s, x, W[0]!);
    const fPtr = this.region('call.f', 4 * Math.max(1, n * F));
    const A = this.region('call.A', 4 * n * H0);
    const B = this.region('call.B', 4 * n * H0);
    const outPtr = this.region('call.out', 4 * n * O);
    const scratch = this.region('call.scratch', 4096);
    if (F > 0 && x.f) this.f32(fPtr, n * F).set(x.f);
    const scratch2 = this.region('call.scratch2', 4096);
    const e = this.exports;
    e.nodeTerms(F, H0, s.nodesPerFrame, s.gRows, fPtr, gT, Wdiff, Wj, A, B, 0, n);
    const args = [k, net, idx, dx, A, B, F > 0 ? 1 : 0, outPtr, saved ? saved.save : 0, saved ? saved.argmax : 0, s.agg];
    if (n >= 64 && this.workerReady()) {
      const mid = n >> 1;
      this.post(1, [...args, mid, n, scratch2]);
      try {
        e.forwardEdges(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!, args[9]!, args[10]!, 0, mid, scratch);
      } finally {
        this.join(); // never leave a job running
      }
    } else {
      e.forwardEdges(k, net, idx, dx, A, B, F > 0 ? 1 : 0, outPtr, saved ? saved.save : 0, saved ? saved.argmax : 0,
        s.agg, 0, n, scratch);
    }
    out.set(this.f32(outPtr, n * O));
  }

  /** Backward pass; overwrites grads. */
  backward(layerKey: string, s: KernelShape, x: KernelInputs, saved: WasmSaved, dOut: Float32Array, grads: KernelGrads): void {
    const { n, k, F, G } = s;
    const L = s.widths.length;
    const H0 = s.widths[0]!;
    const O = s.widths[L - 1]!;
    this.calls.backward++;
    const { idx, dx } = this.loadGraph(x, n, k, false);
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
    if (n >= 64 && this.workerReady()) {
      // the worker accumulates into its own weight gradients and dB (scatter targets are shared)
      const grad2 = this.region('call.grad2', 8 * L);
      const g2: number[] = [];
      for (let l = 0; l < L; l++) {
        g2.push(this.region(`call2.dW${l}`, 4 * grads.dW[l]!.length), this.region(`call2.db${l}`, 4 * grads.db[l]!.length));
      }
      const dB2 = this.region('call2.dB', 4 * n * H0);
      const scratch2 = this.region('call.scratch2', 4096);
      this.i32(grad2, 2 * L).set(g2);
      for (let l = 0; l < L; l++) {
        this.f32(g2[2 * l]!, grads.dW[l]!.length).fill(0);
        this.f32(g2[2 * l + 1]!, grads.db[l]!.length).fill(0);
      }
      this.f32(dB2, n * H0).fill(0);
      const mid = n >> 1;
      this.post(2, [k, net, idx, dx, F > 0 ? 1 : 0, dOutPtr, saved.save, saved.argmax, s.agg, grad2, dA, dB2, mid, n, scratch2]);
      try {
        e.backwardEdges(k, net, idx, dx, F > 0 ? 1 : 0, dOutPtr, saved.save, saved.argmax, s.agg, grad, dA, dB, 0, mid, scratch);
      } finally {
        this.join(); // never leave a job running
      }
      {
        for (let l = 0; l < 2 * L; l++) {
          const len = (l % 2 === 0 ? grads.dW[l >> 1]! : grads.db[l >> 1]!).length;
          const a = this.f32(gPtrs[l]!, len), b = this.f32(g2[l]!, len);
          for (let i = 0; i < len; i++) a[i]! += b[i]!;
        }
        const a = this.f32(dB, n * H0), b = this.f32(dB2, n * H0);
        for (let i = 0; i < n * H0; i++) a[i]! += b[i]!;
      }
    } else {
      e.backwardEdges(k, net, idx, dx, F > 0 ? 1 : 0, dOutPtr, saved.save, saved.argmax, s.agg, grad, dA, dB, 0, n, scratch);
    }
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
