/**
 * Public thread control of the wasm kernel: how many threads it uses, waiting for its worker, and
 * stopping it.
 */
import { describeValue } from '@mddm/core';
import { EdgeConvError } from './errors';
import { requestedThreads, setRequestedThreads } from './kernelWorker';
import { WasmKernel } from './wasmKernel';

/**
 * Number of threads the wasm kernel uses (1 or 2, default 2): with 2, a `worker_threads` worker
 * (Node >= 20.16 only; sharing the kernel's memory) takes half of the nodes of every forward and
 * backward pass. The worker is unref'd (it never keeps a process alive) and starts in the
 * background; until it is ready, calls run on one thread. Setting 1 terminates it.
 *
 * @param threads - 1 or 2
 * @throws {@link EdgeConvError} `EDGECONV_BAD_THREADS` for any other value
 */
export function setKernelThreads(threads: number): void {
  if (threads !== 1 && threads !== 2) {
    throw new EdgeConvError(`setKernelThreads: threads must be 1 or 2, got ${describeValue(threads)}`, 'EDGECONV_BAD_THREADS');
  }
  setRequestedThreads(threads);
  if (threads === 1) WasmKernel.peek()?.worker.stop();
  else WasmKernel.peek()?.worker.start();
}

/**
 * Resolves when the kernel's worker thread is ready (true), or false if there is none (threads = 1,
 * no `worker_threads`, WebAssembly unavailable) or it did not start within `timeoutMs`. Creates the
 * kernel if needed. Useful before benchmarks: until the worker is up, calls run on one thread.
 *
 * @param timeoutMs - how long to wait (default 5000)
 */
export async function waitForKernelWorker(timeoutMs = 5000): Promise<boolean> {
  const k = WasmKernel.get();
  if (!k || requestedThreads() < 2) return false;
  k.worker.start();
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (k.worker.ready()) return true;
    if (!k.worker.exists()) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/**
 * Terminates the kernel's worker thread, if any; calls then run on one thread until
 * `setKernelThreads(2)` or `waitForKernelWorker()` starts it again.
 */
export function terminateKernelWorkers(): void {
  WasmKernel.peek()?.worker.stop();
}
