import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveSlurmOptions, type ResolvedSlurmOptions, type SlurmOptions } from './options';
import { readTaskExit, slurmTaskStates, SLURM_ACTIVE_STATES, type TaskExit } from './poll';
import { slurmArrayScript, slurmTaskLog } from './script';
import { loadSlurmState, lockWorkDir, saveSlurmState, type SlurmAttempt, type SlurmState, type SlurmTaskRecord } from './state';
import { submitSlurmScript } from './submit';

/** One unit of work run as a Slurm array task. */
export interface SlurmTaskSpec {
  /** Unique key, also its folder below `<workDir>/tasks/` (`/` allowed, e.g. `set/id`). */
  readonly key: string;
  /** What the task computes (e.g. parameters + protocol); recorded attempts with another fingerprint are discarded. */
  readonly fingerprint: string;
  /** Shell command the task runs in its attempt folder (after the setup lines). */
  readonly command: string;
  /** Writes the task's inputs into a fresh attempt folder (on the submit host, before sbatch). */
  prepare(dir: string): Promise<void>;
  /**
   * Takes the result of a task whose command exited 0 (on the submit host): reads its outputs and
   * stores them durably; throwing marks the attempt failed (and it is retried). The attempt folder is
   * deleted afterwards.
   */
  collect(dir: string, exit: TaskExit, where: { job: string; log: string }): Promise<void>;
  /** Extra text for a failure report (e.g. the tail of the LAMMPS log). */
  failureDetail?(dir: string): Promise<string>;
}

/** Final outcome of one task in {@link runSlurmTasks}. */
export interface SlurmTaskOutcome {
  /** The task's key. */
  key: string;
  /** `done` (collected), `failed` (retry limit reached) or `pending` (still queued/running in Slurm, or not submitted: aborted). */
  status: 'done' | 'failed' | 'pending';
  /** Attempts so far that failed, plus the last one. */
  attempts: number;
  /** Slurm task id `<job>_<index>` of the last attempt. */
  job?: string;
  /** Slurm log of the last attempt. */
  log?: string;
  /** Folder of the last attempt (kept when it failed). */
  dir?: string;
  /** Seconds the command ran (done). */
  seconds?: number;
  /** Seconds between submission and the command's start (done): the scheduling overhead. */
  queuedSeconds?: number;
  /** Why it failed. */
  error?: string;
}

/** Options of {@link runSlurmTasks}. */
export interface SlurmRunOptions {
  /** The tasks (their keys unique). */
  tasks: readonly SlurmTaskSpec[];
  /** Folder on the shared filesystem for scripts, logs, task folders and `state.json`. */
  workDir: string;
  /** Executor options. */
  slurm?: SlurmOptions;
  /** Stops following (the submitted tasks keep running in Slurm; a rerun collects them). */
  signal?: AbortSignal;
  /** Progress lines (submissions, retries, failures). */
  log?: (line: string) => void;
  /** Called once per task when it is done or finally failed. */
  onTask?: (outcome: SlurmTaskOutcome) => void | Promise<void>;
  /** Called after each `sbatch`: job id and the keys of its tasks in array order. */
  onSubmit?: (jobId: string, keys: readonly string[]) => void;
}

/** Result of {@link runSlurmTasks}. */
export interface SlurmRunResult {
  /** One outcome per task, in task order. */
  outcomes: SlurmTaskOutcome[];
  /** Job arrays submitted by this call. */
  jobs: string[];
}

interface Open {
  spec: SlurmTaskSpec;
  rec: SlurmTaskRecord;
  attempt: SlurmAttempt;
  submittedAt: number;
  missingSince?: number;
}

const failures = (rec: SlurmTaskRecord) => rec.attempts.filter((a) => a.outcome === 'failed').length;

async function tail(path: string | undefined, lines: number): Promise<string> {
  if (!path) return '';
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs tasks as Slurm job arrays and follows them to the end: writes each task's inputs into its
 * own folder below `<workDir>/tasks/<key>/`, submits one array with `sbatch --parsable`, polls
 * `squeue` (and `sacct` when accounting is on) every `pollSeconds`, collects every task that
 * finished with exit code 0 (`spec.collect`), and resubmits failed tasks in a new array until each
 * has failed `1 + retries` times. Failures are reported with the Slurm task id and the log path.
 *
 * Idempotent and resumable: `<workDir>/state.json` records every submission before and after
 * `sbatch`, so a rerun after an interruption (Ctrl-C, a killed process, a reboot of the submit
 * host) follows the tasks that are still queued or running instead of submitting them again,
 * collects those that finished meanwhile, and counts earlier failures against the retry limit.
 * On abort, submitted tasks keep running in Slurm (their results wait in their folders).
 *
 * @param options - tasks, work folder, executor options, abort signal, callbacks
 * @returns each task's outcome and the job ids submitted
 * @throws {@link SlurmError} when sbatch/squeue cannot run or sbatch refuses the array, `SLURM_BUSY` when
 *   another process follows the same work folder
 */
export async function runSlurmTasks(options: SlurmRunOptions): Promise<SlurmRunResult> {
  const slurm: ResolvedSlurmOptions = resolveSlurmOptions(options.slurm);
  await mkdir(join(options.workDir, 'logs'), { recursive: true });
  const unlock = await lockWorkDir(options.workDir);
  try {
    return await follow(options, slurm);
  } finally {
    await unlock();
  }
}

async function follow(options: SlurmRunOptions, slurm: ResolvedSlurmOptions): Promise<SlurmRunResult> {
  const { workDir, signal } = options;
  const log = options.log ?? (() => {});
  const maxAttempts = 1 + slurm.retries;
  const graceMs = Math.max(30, 3 * slurm.pollSeconds) * 1000;
  const state: SlurmState = await loadSlurmState(workDir);
  let saving = Promise.resolve();
  const save = () => (saving = saving.then(() => saveSlurmState(workDir, state)));

  const outcomes = new Map<string, SlurmTaskOutcome>();
  const open = new Map<string, Open>();
  let toSubmit: SlurmTaskSpec[] = [];
  const submittedNow: string[] = [];
  const finish = async (o: SlurmTaskOutcome) => {
    outcomes.set(o.key, o);
    await options.onTask?.(o);
  };

  for (const spec of options.tasks) {
    let rec = state.tasks[spec.key];
    if (!rec || rec.fingerprint !== spec.fingerprint) state.tasks[spec.key] = rec = { fingerprint: spec.fingerprint, attempts: [] };
    const last = rec.attempts.at(-1);
    if (last && !last.outcome) open.set(spec.key, { spec, rec, attempt: last, submittedAt: Date.parse(last.submitted) || Date.now() });
    else if (failures(rec) >= maxAttempts) {
      await finish({
        key: spec.key, status: 'failed', attempts: rec.attempts.length, job: last?.job, log: last?.log, dir: last?.dir,
        error: `gave up after ${failures(rec)} failed attempts (retries ${slurm.retries}); last: ${last?.error ?? 'unknown'} (raise the retry limit to try again)`,
      });
    } else toSubmit.push(spec);
  }
  if (open.size) log(`following ${open.size} task(s) submitted earlier (job${new Set([...open.values()].map((o) => o.attempt.job?.split('_')[0])).size > 1 ? 's' : ''} ${[...new Set([...open.values()].map((o) => o.attempt.job?.split('_')[0] ?? '?'))].join(', ')})`);

  const submit = async (specs: SlurmTaskSpec[]) => {
    const n = state.jobs.length + 1;
    const attempts: SlurmAttempt[] = [];
    const tasks = [];
    for (const spec of specs) {
      const rec = state.tasks[spec.key];
      const dir = join(workDir, 'tasks', spec.key, `attempt-${rec.attempts.length + 1}`);
      await rm(dir, { recursive: true, force: true }); // a leftover of a submission that never happened
      await mkdir(dir, { recursive: true });
      await spec.prepare(dir);
      const attempt: SlurmAttempt = { dir, submitted: new Date().toISOString() };
      rec.attempts.push(attempt);
      attempts.push(attempt);
      tasks.push({ dir, command: spec.command });
    }
    const script = join(workDir, `array-${n}.sh`);
    await writeFile(script, slurmArrayScript(tasks, join(workDir, 'logs'), slurm));
    await save();
    let jobId: string;
    try {
      jobId = await submitSlurmScript(script, slurm);
    } catch (e) {
      for (const spec of specs) state.tasks[spec.key].attempts.pop();
      await save();
      throw e;
    }
    state.jobs.push(jobId);
    submittedNow.push(jobId);
    const now = Date.now();
    specs.forEach((spec, i) => {
      const a = attempts[i];
      a.job = `${jobId}_${i}`;
      a.log = slurmTaskLog(join(workDir, 'logs'), jobId, i);
      open.set(spec.key, { spec, rec: state.tasks[spec.key], attempt: a, submittedAt: now });
    });
    await save();
    log(`submitted job array ${jobId} (${specs.length} task${specs.length === 1 ? '' : 's'}): ${script}`);
    options.onSubmit?.(jobId, specs.map((s) => s.key));
  };

  const fail = async (o: Open, error: string) => {
    o.attempt.outcome = 'failed';
    const detail = (await o.spec.failureDetail?.(o.attempt.dir)) || (await tail(o.attempt.log, 8));
    o.attempt.error = error;
    open.delete(o.spec.key);
    const n = failures(o.rec);
    const where = `Slurm task ${o.attempt.job}, log ${o.attempt.log}`;
    if (n < maxAttempts) {
      log(`task ${o.spec.key} failed (${where}): ${error}; resubmitting (attempt ${n + 1} of ${maxAttempts})`);
      toSubmit.push(o.spec);
    } else {
      await finish({
        key: o.spec.key, status: 'failed', attempts: o.rec.attempts.length, job: o.attempt.job, log: o.attempt.log, dir: o.attempt.dir,
        error: `${where}: ${error}${n > 1 ? ` (failed ${n} times, retry limit ${slurm.retries})` : ''}${detail ? `\n${detail}` : ''}`,
      });
    }
  };

  let useSacct = true;
  const check = async () => {
    const waiting: Open[] = [];
    for (const o of [...open.values()]) {
      const exit = await readTaskExit(o.attempt.dir);
      if (!exit) {
        waiting.push(o);
        continue;
      }
      if (exit.code !== 0) {
        await fail(o, `exit code ${exit.code}`);
        continue;
      }
      try {
        await o.spec.collect(o.attempt.dir, exit, { job: o.attempt.job ?? '?', log: o.attempt.log ?? '?' });
      } catch (e) {
        await fail(o, `finished but its output is unusable: ${(e as Error).message}`);
        continue;
      }
      o.attempt.outcome = 'done';
      open.delete(o.spec.key);
      const started = Date.parse(o.attempt.submitted);
      await rm(o.attempt.dir, { recursive: true, force: true });
      await finish({
        key: o.spec.key, status: 'done', attempts: o.rec.attempts.length, job: o.attempt.job, log: o.attempt.log, seconds: exit.seconds,
        queuedSeconds: Number.isFinite(exit.start) && started ? Math.max(0, exit.start - started / 1000) : undefined,
      });
    }
    const ids = [...new Set(waiting.map((o) => o.attempt.job?.split('_')[0]).filter((x): x is string => !!x))];
    const { states, sacct } = await slurmTaskStates(ids, slurm, useSacct);
    useSacct = sacct;
    for (const o of waiting) {
      if (!o.attempt.job) {
        // The submitting process died inside sbatch: the task never ran (or cannot be followed).
        o.attempt.outcome = 'lost';
        open.delete(o.spec.key);
        toSubmit.push(o.spec);
        continue;
      }
      const st = states.get(o.attempt.job);
      if (st && SLURM_ACTIVE_STATES.has(st)) {
        o.missingSince = undefined;
        continue;
      }
      if (st && st !== 'COMPLETED') {
        // The exit file was read before the state was queried: a task that wrote it and then ended
        // (FAILED for a non-zero exit) in between is still reported by its own exit code, next check.
        if (await readTaskExit(o.attempt.dir)) continue;
        // TIMEOUT, CANCELLED, OUT_OF_MEMORY, NODE_FAIL, FAILED, PREEMPTED, ... before the exit file was written
        await fail(o, `Slurm state ${st} (the task ended before its command did)`);
        continue;
      }
      // COMPLETED without an exit file yet, or unknown to squeue/sacct: allow the shared filesystem to catch up.
      o.missingSince ??= Date.now();
      if (Date.now() - o.missingSince > graceMs) {
        await fail(o, st ? `Slurm state ${st} but no exit file in ${o.attempt.dir} after ${graceMs / 1000} s (is the folder on a filesystem shared with this host?)` : `no longer known to squeue${sacct ? '/sacct' : ' (no accounting)'} and no exit file in ${o.attempt.dir}`);
      }
    }
    await save();
  };

  while (!signal?.aborted) {
    if (open.size) await check();
    if (signal?.aborted) break;
    if (toSubmit.length) {
      const batch = toSubmit;
      toSubmit = [];
      await submit(batch);
      continue;
    }
    if (!open.size) break;
    await abortableSleep(slurm.pollSeconds * 1000, signal);
  }
  await saving;

  if (open.size || toSubmit.length) {
    const jobs = [...new Set([...open.values()].map((o) => o.attempt.job?.split('_')[0]).filter(Boolean))];
    if (jobs.length) log(`stopped following: ${open.size} task(s) still in Slurm job(s) ${jobs.join(', ')} keep running; rerun the same command to collect them (or scancel ${jobs.join(' ')})`);
  }
  for (const o of open.values()) outcomes.set(o.spec.key, { key: o.spec.key, status: 'pending', attempts: o.rec.attempts.length, job: o.attempt.job, log: o.attempt.log, dir: o.attempt.dir });
  for (const spec of toSubmit) outcomes.set(spec.key, { key: spec.key, status: 'pending', attempts: state.tasks[spec.key].attempts.length });
  return { outcomes: options.tasks.map((t) => outcomes.get(t.key)!), jobs: submittedNow };
}
