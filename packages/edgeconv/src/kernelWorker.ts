/**
 * The kernel's second thread: a `worker_threads` worker (Node >= 20.16, found through
 * `process.getBuiltinModule` so that bundles for browsers never reference it) that runs half of the
 * nodes of each edge pass on the shared memory, and the process-wide thread setting. @internal
 */
import { EdgeConvError } from './errors';
import { Ctl, CTL_WORDS, WORKER_SOURCE } from './workerSource';

interface WorkerLike { unref(): void; terminate(): Promise<number>; on(ev: string, fn: (...a: unknown[]) => void): void }

let requested = 2;

/** Threads the wasm kernel may use (1 or 2), as set by `setKernelThreads`. @internal */
export function requestedThreads(): number { return requested; }

/** Records the thread setting (validated by `setKernelThreads`). @internal */
export function setRequestedThreads(threads: 1 | 2): void { requested = threads; }

/** The worker of one kernel instance, driven through a control block in the shared memory. @internal */
export class KernelWorker {
  private worker: WorkerLike | null = null;
  private broken = false;

  /**
   * @param module - the compiled kernel (the worker instantiates it again on `memory`)
   * @param memory - the kernel's shared memory
   * @param ctlPtr - byte offset of the control block ({@link CTL_WORDS} int32 words) in `memory`
   */
  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory,
    private readonly ctlPtr: number) {}

  private ctl(): Int32Array { return new Int32Array(this.memory.buffer, this.ctlPtr, CTL_WORDS); }

  /** Starts the worker thread in the background (Node >= 20.16 with worker_threads only). */
  start(): void {
    if (this.worker || this.broken) return;
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.('node:worker_threads') as
      { Worker: new (src: string, o: object) => WorkerLike } | undefined;
    if (!wt) return;
    const ctl = this.ctl();
    Atomics.store(ctl, Ctl.State, 0);
    Atomics.store(ctl, Ctl.Ready, 0);
    Atomics.store(ctl, Ctl.Error, 0);
    try {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.module, memory: this.memory, ctlPtr: this.ctlPtr } });
      w.unref(); // never keeps a process alive
      w.on('error', () => { this.broken = true; this.worker = null; Atomics.store(this.ctl(), Ctl.Ready, 0); });
      w.on('exit', () => { if (this.worker === w) this.worker = null; Atomics.store(this.ctl(), Ctl.Ready, 0); });
      this.worker = w;
    } catch {
      this.broken = true;
    }
  }

  /** Stops the worker thread (if running). */
  stop(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    Atomics.store(this.ctl(), Ctl.Ready, 0);
    void w.terminate();
  }

  /** Whether a worker thread exists (it may still be starting). */
  exists(): boolean { return this.worker !== null; }

  /** True when the worker is up and idle and two threads are requested, so a job can be split. */
  ready(): boolean {
    return this.worker !== null && requested > 1 && Atomics.load(this.ctl(), Ctl.Ready) === 1;
  }

  /** Posts a job (a {@link Job} code and its int32 arguments) for the worker. */
  post(job: number, args: number[]): void {
    const ctl = this.ctl();
    Atomics.store(ctl, Ctl.Error, 0);
    for (let i = 0; i < args.length; i++) ctl[Ctl.Args + i] = args[i]!;
    ctl[Ctl.Job] = job;
    Atomics.store(ctl, Ctl.State, 1);
    Atomics.notify(ctl, Ctl.State);
  }

  /**
   * Waits for the posted job. If the worker failed (a trap) or did not answer within 10 s, it is
   * stopped, later calls run on one thread, and this call throws: its partial results cannot be trusted.
   * @throws {@link EdgeConvError} `EDGECONV_WORKER`
   */
  join(): void {
    const ctl = this.ctl();
    const deadline = Date.now() + 10_000; // a job takes milliseconds
    while (Atomics.load(ctl, Ctl.State) === 1) {
      Atomics.wait(ctl, Ctl.State, 1, 1000);
      if (Date.now() > deadline && Atomics.load(ctl, Ctl.State) === 1) {
        this.fail();
        throw new EdgeConvError('edgeconv kernel worker thread did not answer within 10 s; it was stopped, '
          + 'further calls run on one thread (see setKernelThreads)', 'EDGECONV_WORKER');
      }
    }
    Atomics.store(ctl, Ctl.State, 0);
    if (Atomics.load(ctl, Ctl.Error) !== 0) {
      this.fail();
      throw new EdgeConvError('edgeconv kernel worker thread failed (wasm trap); it was stopped, further calls run on one thread',
        'EDGECONV_WORKER');
    }
  }

  /** Marks the worker broken (never restarted) and stops it. */
  private fail(): void {
    this.broken = true;
    this.stop();
  }
}
