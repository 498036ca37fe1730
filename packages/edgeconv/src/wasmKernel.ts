/**
 * Driver of the WebAssembly SIMD kernel: copies a layer call's graph, weights and features into the
 * arena, runs the module's node and edge passes (splitting the edge pass with the worker thread when
 * it is ready) and copies the results out. Used for layers with relu hidden activations and widths
 * that are multiples of 4 (<= 256); everything else runs the TypeScript kernel (`kernel.ts`). @internal
 */
import { featureWeightDiff, globalRowBackward, globalRowTerms } from './firstLinear';
import { KernelWorker, requestedThreads } from './kernelWorker';
import { Act } from './kernelTypes';
import type { KernelGrads, KernelInputs, KernelShape, WasmSaved } from './kernelTypes';
import { WasmArena } from './wasmArena';
import { compileKernelModule, createKernelMemory, instantiateKernel } from './wasmModule';
import type { KernelExports } from './wasmModule';
import { CTL_WORDS, Job } from './workerSource';

let enabled = true;
/** @internal Whether the wasm kernel may be used (tests switch it off to exercise the TS kernel). */
export function wasmEnabled(): boolean { return enabled; }
/** @internal */
export function setWasmEnabled(on: boolean): void { enabled = on; }

/** Below this many nodes a call is not split: the worker round trip would cost more than it saves. */
const MIN_SPLIT_NODES = 64;

/** Pointers of a loaded layer: net descriptor, weights, biases. */
interface NetPtrs { net: number; W: number[]; b: number[] }

/** The process-wide wasm kernel: module instance, arena, worker. @internal */
export class WasmKernel {
  /** The linear-memory allocator over the kernel's shared memory. */
  readonly arena: WasmArena;
  /** Number of forward, backward and split (worker) calls run, for tests and diagnostics. */
  calls = { forward: 0, backward: 0, split: 0 };
  /** The worker thread (start/stop it through `setKernelThreads`). */
  readonly worker: KernelWorker;
  private readonly exports: KernelExports;
  private graphKey: object | null = null;
  private dAr = new Float64Array(0);

  private constructor(module: WebAssembly.Module) {
    const memory = createKernelMemory();
    this.arena = new WasmArena(memory);
    this.exports = instantiateKernel(module, memory);
    this.worker = new KernelWorker(module, memory, this.arena.region('ctl', 4 * CTL_WORDS));
    if (requestedThreads() > 1) this.worker.start();
  }

  private static instance: WasmKernel | null | undefined;

  /** The kernel if it was already created (never creates it). */
  static peek(): WasmKernel | null { return WasmKernel.instance ?? null; }

  /** The process-wide kernel, or null if WebAssembly SIMD/threads are unavailable. */
  static get(): WasmKernel | null {
    if (WasmKernel.instance === undefined) {
      try {
        WasmKernel.instance = new WasmKernel(compileKernelModule());
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

  /** Allocates (or reuses) the saved-state buffers of slot `slot`. */
  savedSlot(slot: string, s: KernelShape): WasmSaved {
    const E = s.n * s.k;
    const hidden = s.widths.slice(0, -1);
    const save = this.arena.region(`${slot}.desc`, 4 * hidden.length);
    const ptrs = hidden.map((h, l) => this.arena.region(`${slot}.a${l}`, 4 * E * h));
    this.arena.i32(save, hidden.length).set(ptrs);
    const argmax = this.arena.region(`${slot}.argmax`, 4 * s.n * s.widths[s.widths.length - 1]!);
    return { slot, save, argmax };
  }

  /** Forward pass; writes out [n * O]. */
  forward(layerKey: string, s: KernelShape, x: KernelInputs, out: Float32Array, saved: WasmSaved | null): void {
    const { n, k, F } = s;
    const H0 = s.widths[0]!;
    const O = s.widths[s.widths.length - 1]!;
    const a = this.arena;
    this.calls.forward++;
    // allocate everything first (growing memory invalidates nothing we hold: we keep pointers only)
    const { idx, dx } = this.loadGraph(x, n, k, true);
    const { net, W } = this.loadNet(layerKey, s, x);
    const { gT, Wdiff, Wj } = this.loadNodeConsts(layerKey, s, x, W[0]!);
    const fPtr = a.region('call.f', 4 * Math.max(1, n * F));
    const A = a.region('call.A', 4 * n * H0);
    const B = a.region('call.B', 4 * n * H0);
    const outPtr = a.region('call.out', 4 * n * O);
    const scratch = a.region('call.scratch', 4096);
    if (F > 0 && x.f) a.f32(fPtr, n * F).set(x.f);
    const scratch2 = a.region('call.scratch2', 4096);
    this.exports.nodeTerms(F, H0, s.nodesPerFrame, s.gRows, fPtr, gT, Wdiff, Wj, A, B, 0, n);
    const args = [k, net, idx, dx, A, B, F > 0 ? 1 : 0, outPtr, saved ? saved.save : 0, saved ? saved.argmax : 0, s.agg];
    const run = (lo: number, hi: number, scr: number): void => {
      this.exports.forwardEdges(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args[6]!, args[7]!, args[8]!,
        args[9]!, args[10]!, lo, hi, scr);
    };
    if (n >= MIN_SPLIT_NODES && this.worker.ready()) this.split(Job.ForwardEdges, args, n, scratch, scratch2, run);
    else run(0, n, scratch);
    out.set(a.f32(outPtr, n * O));
  }

  /** Backward pass; overwrites grads. */
  backward(layerKey: string, s: KernelShape, x: KernelInputs, saved: WasmSaved, dOut: Float32Array, grads: KernelGrads): void {
    const { n, k, F } = s;
    const L = s.widths.length;
    const H0 = s.widths[0]!;
    const O = s.widths[L - 1]!;
    const a = this.arena;
    this.calls.backward++;
    const { idx, dx } = this.loadGraph(x, n, k, false);
    const { net, W } = this.loadNet(layerKey, s, x);
    const { Wdiff, Wj } = this.loadNodeConsts(layerKey, s, x, W[0]!);
    const fPtr = a.region('call.f', 4 * Math.max(1, n * F));
    const dOutPtr = a.region('call.dOut', 4 * n * O);
    const dA = a.region('call.dA', 4 * n * H0);
    const dB = a.region('call.dB', 4 * n * H0);
    const dfPtr = a.region('call.df', 4 * Math.max(1, n * F));
    const grad = this.gradBuffers('call', grads);
    const scratch = a.region('call.scratch', 4096);
    a.f32(dA, n * H0).fill(0);
    a.f32(dB, n * H0).fill(0);
    if (F > 0 && x.f) a.f32(fPtr, n * F).set(x.f);
    a.f32(dOutPtr, n * O).set(dOut);
    const common = [k, net, idx, dx, F > 0 ? 1 : 0, dOutPtr, saved.save, saved.argmax, s.agg];
    const run = (g: number, dBPtr: number, lo: number, hi: number, scr: number): void => {
      this.exports.backwardEdges(common[0]!, common[1]!, common[2]!, common[3]!, common[4]!, common[5]!, common[6]!,
        common[7]!, common[8]!, g, dA, dBPtr, lo, hi, scr);
    };
    if (n >= MIN_SPLIT_NODES && this.worker.ready()) {
      // the worker accumulates into its own weight gradients and dB; dA rows are disjoint per thread
      const grad2 = this.gradBuffers('call2', grads);
      const dB2 = a.region('call2.dB', 4 * n * H0);
      const scratch2 = a.region('call.scratch2', 4096);
      a.f32(dB2, n * H0).fill(0);
      this.split(Job.BackwardEdges, [...common, grad2.desc, dA, dB2], n, scratch, scratch2,
        (lo, hi, scr) => run(grad.desc, dB, lo, hi, scr));
      this.addGrads(grad.ptrs, grad2.ptrs, grads);
      this.addInto(dB, dB2, n * H0);
    } else {
      run(grad.desc, dB, 0, n, scratch);
    }
    const dW0 = grad.ptrs[0]!;
    if (F > 0) {
      this.exports.nodeBackward(F, H0, fPtr, dA, dB, Wdiff, Wj, dfPtr, dW0 + 4 * 3 * H0, dW0 + 4 * (3 + F) * H0, 0, n);
      grads.df!.set(a.f32(dfPtr, n * F));
    }
    this.readGrads(grad.ptrs, grads);
    globalRowBackward(s, x, a.f32(dA, n * H0), grads, this.dArBuffer(s.gRows * H0));
  }

  /**
   * Runs an edge pass on two threads: the worker takes nodes `[n/2, n)` (job `job` with `args`, its
   * range and scratch appended), this thread `[0, n/2)` through `runHere`.
   */
  private split(job: number, args: number[], n: number, scratch: number, scratch2: number,
    runHere: (lo: number, hi: number, scratch: number) => void): void {
    const mid = n >> 1;
    this.calls.split++;
    this.worker.post(job, [...args, mid, n, scratch2]);
    try {
      runHere(0, mid, scratch);
    } finally {
      this.worker.join(); // never leave a job running
    }
  }

  /** Zeroed weight-gradient regions under `prefix` and their descriptor `[dW0, db0, dW1, ...]`. */
  private gradBuffers(prefix: string, grads: KernelGrads): { desc: number; ptrs: number[] } {
    const L = grads.dW.length;
    const a = this.arena;
    const desc = a.region(`${prefix}.grad`, 8 * L);
    const ptrs: number[] = [];
    for (let l = 0; l < L; l++) {
      ptrs.push(a.region(`${prefix}.dW${l}`, 4 * grads.dW[l]!.length), a.region(`${prefix}.db${l}`, 4 * grads.db[l]!.length));
    }
    a.i32(desc, 2 * L).set(ptrs);
    for (let l = 0; l < 2 * L; l++) a.f32(ptrs[l]!, this.gradLength(grads, l)).fill(0);
    return { desc, ptrs };
  }

  /** Length of the l-th entry of `[dW0, db0, dW1, db1, ...]`. */
  private gradLength(grads: KernelGrads, l: number): number {
    return (l % 2 === 0 ? grads.dW[l >> 1]! : grads.db[l >> 1]!).length;
  }

  /** Copies the weight gradients `[dW0, db0, dW1, ...]` out of the arena into `grads`. */
  private readGrads(ptrs: number[], grads: KernelGrads): void {
    for (let l = 0; l < ptrs.length; l++) {
      const dst = l % 2 === 0 ? grads.dW[l >> 1]! : grads.db[l >> 1]!;
      dst.set(this.arena.f32(ptrs[l]!, dst.length));
    }
  }

  /** Adds the worker's weight gradients into this thread's. */
  private addGrads(mine: number[], theirs: number[], grads: KernelGrads): void {
    for (let l = 0; l < mine.length; l++) this.addInto(mine[l]!, theirs[l]!, this.gradLength(grads, l));
  }

  /** `dst[i] += src[i]` over `len` float32 values of the arena. */
  private addInto(dst: number, src: number, len: number): void {
    const a = this.arena.f32(dst, len), b = this.arena.f32(src, len);
    for (let i = 0; i < len; i++) a[i]! += b[i]!;
  }

  /** A reused float64 buffer of `len` for the per-global-row sums of the backward pass. */
  private dArBuffer(len: number): Float64Array {
    if (this.dAr.length < len) this.dAr = new Float64Array(len);
    return this.dAr.length === len ? this.dAr : this.dAr.subarray(0, len);
  }

  /**
   * Copies the graph's indices and vectors into the arena: always for a forward pass (~0.1 ms at
   * N k = 32000, and safe if a caller refilled the arrays in place), for a backward pass only if
   * another graph was loaded since.
   */
  private loadGraph(x: KernelInputs, n: number, k: number, always: boolean): { idx: number; dx: number } {
    const E = n * k;
    const idx = this.arena.region('graph.idx', 4 * E);
    const dx = this.arena.region('graph.dx', 12 * E);
    if (always || this.graphKey !== x.indices) {
      this.arena.i32(idx, E).set(x.indices);
      this.arena.f32(dx, 3 * E).set(x.vectors);
      this.graphKey = x.indices;
    }
    return { idx, dx };
  }

  /** Writes the weights and the net descriptor of a layer; returns pointers. */
  private loadNet(layerKey: string, s: KernelShape, x: KernelInputs): NetPtrs {
    const L = s.widths.length;
    const a = this.arena;
    const net = a.region(`${layerKey}.net`, 4 + 16 * L);
    const W: number[] = [], b: number[] = [];
    for (let l = 0; l < L; l++) {
      W.push(a.region(`${layerKey}.W${l}`, 4 * x.W[l]!.length));
      b.push(a.region(`${layerKey}.b${l}`, 4 * x.b[l]!.length));
      a.f32(W[l]!, x.W[l]!.length).set(x.W[l]!);
      a.f32(b[l]!, x.b[l]!.length).set(x.b[l]!);
    }
    const d = a.i32(net, 1 + 4 * L);
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
    const H = s.widths[0]!, F = s.F;
    const gT = this.arena.region(`${layerKey}.gT`, 4 * s.gRows * H);
    const Wdiff = this.arena.region(`${layerKey}.Wdiff`, 4 * Math.max(1, F * H));
    globalRowTerms(s, x, this.arena.f32(gT, s.gRows * H));
    featureWeightDiff(s, x, this.arena.f32(Wdiff, F * H));
    return { gT, Wdiff, Wj: W0 + 4 * (3 + F) * H };
  }
}
