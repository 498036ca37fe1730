/**
 * Source of the kernel's worker thread and the layout of the control block it shares with the main
 * thread. The worker instantiates the kernel module on the shared memory, then serves one job at a
 * time. Jobs are posted and joined with `Atomics` on the control block, not with messages: the
 * kernel runs synchronously inside a tfjs op, so the main thread must block until the worker's half
 * is done, and `Atomics.wait` needs no event-loop turn. @internal
 */

/** Control block words (int32). @internal */
export const Ctl = {
  /** 0 idle, 1 job posted, 2 job done. */
  State: 0,
  /** Which export to run (see {@link Job}). */
  Job: 1,
  /** 1 once the worker is ready to take jobs. */
  Ready: 2,
  /** 1 if the last job trapped. */
  Error: 3,
  /** First of the job's arguments. */
  Args: 4,
} as const;

/** Words of the control block. @internal */
export const CTL_WORDS = 32;

/** Job codes. @internal */
export const Job = { ForwardEdges: 1, BackwardEdges: 2, Exit: 3 } as const;

/** Source of the worker (CommonJS, run with `new Worker(source, { eval: true })`). @internal */
export const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctlPtr } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('wasm abort'); } } }).exports;
const ctl = new Int32Array(memory.buffer, ctlPtr, ${CTL_WORDS});
Atomics.store(ctl, ${Ctl.Ready}, 1);
for (;;) {
  let st;
  while ((st = Atomics.load(ctl, ${Ctl.State})) !== 1) Atomics.wait(ctl, ${Ctl.State}, st);
  const fn = ctl[${Ctl.Job}];
  if (fn === ${Job.Exit}) break;
  const a = Array.from(ctl.subarray(${Ctl.Args}, ${Ctl.Args + 16}));
  try {
    if (fn === ${Job.ForwardEdges}) ex.forwardEdges(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
    else if (fn === ${Job.BackwardEdges}) ex.backwardEdges(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
  } catch (e) {
    Atomics.store(ctl, ${Ctl.Error}, 1);
  }
  Atomics.store(ctl, ${Ctl.State}, 2);
  Atomics.notify(ctl, ${Ctl.State});
}
`;
