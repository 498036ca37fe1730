import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { IoError } from '../errors';
import { atomicWrite } from '../format/files';
import type { Frame } from '../frame';
import { DEFAULT_PROTOCOL, protocolSummary, validateProtocol, type AnnealProtocol } from '../lammps/protocol';
import { checkLammps, defaultLmp, runOppLammps, type LammpsRunResult, type OppRunParameters, type RunLammpsOptions } from '../lammps/runLammps';
import { ProgressBar, type ProgressStream } from '../progress/progressBar';
import { readXyz } from '../xyz/read';
import { writeXyz } from '../xyz/write';
import type { GenerateJob } from './plan';
import { runSlurmTasks } from './slurm/executor';
import { lammpsSlurmTasks } from './slurm/lammpsTasks';
import { resolveSlurmOptions, type SlurmOptions } from './slurm/options';

/** Runs one conformation; {@link runOppLammps} by default (replaceable, e.g. in tests). */
export type ConformationRunner = (run: OppRunParameters, options: RunLammpsOptions) => Promise<LammpsRunResult>;

/** Options of {@link generateDataset}. */
export interface GenerateOptions {
  /** Conformations to produce (see {@link gridPlan}, {@link lhsPlan}, {@link randomPlan}, {@link shippedPlan}). */
  jobs: readonly GenerateJob[];
  /** Output directory: files go to `<out>/<set>/<id>.xyz`, the manifest to `<out>/manifest.json`. */
  out: string;
  /** LAMMPS processes at a time, default the number of cores (`os.availableParallelism()`). */
  concurrency?: number;
  /** Annealing protocol, default {@link DEFAULT_PROTOCOL} (see {@link resolveProtocol} for overrides / step scaling). */
  protocol?: AnnealProtocol;
  /** LAMMPS executable, default `$MDDM_LMP` or `lmp`. */
  lmp?: string;
  /**
   * Progress display: `true` (default) draws a {@link ProgressBar} on stderr (redrawn on a TTY,
   * one line per conformation otherwise), `false` none, or a stream to draw on.
   */
  progress?: boolean | ProgressStream;
  /** Stops scheduling new conformations and kills running LAMMPS processes. */
  signal?: AbortSignal;
  /** Called after every conformation (done, skipped or failed). */
  onJob?: (result: JobResult) => void;
  /** @internal Replaces the LAMMPS runner (tests; local executor only). */
  runner?: ConformationRunner;
  /**
   * Where the LAMMPS runs happen: `'local'` (default: child processes of this one, `concurrency` at
   * a time) or `'slurm'` (one Slurm job array, one task per conformation; see {@link slurm}).
   */
  executor?: 'local' | 'slurm';
  /**
   * Options of the Slurm executor: partition, time limit, CPUs per task, extra `#SBATCH` lines,
   * setup lines (module loads), a launcher for lmp (`srun`, `mpirun -np 4`), poll interval, retries,
   * and `workDir` (scripts, logs, task folders, `state.json`; default `<out>/.slurm`, which must be on
   * a filesystem the compute nodes share). `concurrency`, when given, throttles the array (`%N`).
   */
  slurm?: SlurmOptions & { workDir?: string };
}

/** Outcome of one job. */
export interface JobResult {
  /** The job. */
  job: GenerateJob;
  /** `done` (run now), `skipped` (file already there with the same protocol), `failed`, `pending` (not run: aborted). */
  status: 'done' | 'skipped' | 'failed' | 'pending';
  /** Output file. */
  file: string;
  /** LAMMPS wall-clock seconds (done, or recorded in a skipped file's header). */
  seconds?: number;
  /** Error message (failed). */
  error?: string;
  /** Slurm executor: the task id, its log and the attempts made (done or failed runs). */
  slurm?: SlurmRunInfo;
}

/** Where a conformation ran under the Slurm executor. */
export interface SlurmRunInfo {
  /** Slurm task id `<job>_<index>` of the last attempt. */
  job: string;
  /** Its log (stdout + stderr of the task). */
  log: string;
  /** Attempts made. */
  attempts: number;
}

/** Summary returned by {@link generateDataset}. */
export interface GenerateSummary {
  /** Jobs requested. */
  total: number;
  /** Run now. */
  done: number;
  /** Already complete (resumed). */
  skipped: number;
  /** Failed jobs with their errors (the others still ran). */
  failed: JobResult[];
  /** Not run because of an abort. */
  pending: number;
  /** Wall-clock seconds of this call. */
  seconds: number;
  /** Mean LAMMPS seconds per conformation run now (NaN if none). */
  secondsPerConformation: number;
  /** Path of the manifest. */
  manifest: string;
  /** All results in job order. */
  results: JobResult[];
}

/** One entry of the generator manifest. */
export interface ManifestEntry extends GenerateJob {
  /** File relative to the output directory. */
  file: string;
  /** Status after the last generator run. */
  status: JobResult['status'];
  /** LAMMPS seconds, if known. */
  seconds?: number;
  /** Error of the last failed attempt. */
  error?: string;
  /** Protocol summary the file was made with. */
  protocol: string;
  /** Slurm executor: task id, log and attempts of the last run. */
  slurm?: SlurmRunInfo;
}

/** Contents of `<out>/manifest.json` written by {@link generateDataset}. */
export interface GeneratorManifest {
  /** Format tag. */
  format: 'mddm-io-generator';
  /** Format version. */
  version: 1;
  /** Full protocol of the last run. */
  protocol: AnnealProtocol;
  /** Its summary (the `protocol` header value). */
  protocolSummary: string;
  /** LAMMPS version banner of the last run, if LAMMPS was used. */
  lammps?: string;
  /** Entries keyed `<set>/<id>`, kept across runs with different plans. */
  conformations: Record<string, ManifestEntry>;
}

function checkJobs(jobs: readonly GenerateJob[]): void {
  if (!Array.isArray(jobs)) throw new IoError(`generateDataset: jobs must be an array of { set, id, k, phi, T, seed }`, 'IO_BAD_ARGUMENT');
  const seen = new Set<string>();
  const name = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
  jobs.forEach((j, i) => {
    const bad = (what: string, v: unknown, exp: string) => new IoError(`generateDataset: jobs[${i}].${what} must be ${exp}, got ${JSON.stringify(v)}`, 'IO_BAD_ARGUMENT');
    if (typeof j.set !== 'string' || !name.test(j.set)) throw bad('set', j.set, 'a file-name-safe string');
    if (typeof j.id !== 'string' || !name.test(j.id)) throw bad('id', j.id, 'a file-name-safe string');
    if (!Number.isFinite(j.k)) throw bad('k', j.k, 'a finite number');
    if (!Number.isFinite(j.phi)) throw bad('phi', j.phi, 'a finite number');
    if (!(Number.isFinite(j.T) && j.T > 0)) throw bad('T', j.T, 'a positive number');
    if (!(Number.isInteger(j.seed) && j.seed >= 1 && j.seed < 2 ** 31)) throw bad('seed', j.seed, 'an integer in [1, 2^31 - 1]');
    const key = `${j.set}/${j.id}`;
    if (seen.has(key)) throw new IoError(`generateDataset: duplicate job ${key}`, 'IO_BAD_ARGUMENT');
    seen.add(key);
  });
}

/** Reads an existing output file; returns its seconds if it is a complete conformation made with `summary`. */
async function existingResult(file: string, job: GenerateJob, summary: string, atoms: number): Promise<{ ok: true; seconds?: number } | { ok: false; error: string }> {
  const frames: Frame[] = [];
  try {
    for await (const f of readXyz(file)) frames.push(f);
  } catch (e) {
    return { ok: false, error: `existing file is unreadable (${(e as Error).message}); delete it to regenerate` };
  }
  if (frames.length !== 1) return { ok: false, error: `existing file ${file} holds ${frames.length} frames, expected 1; delete it to regenerate` };
  const f = frames[0];
  if (f.info.protocol !== summary) {
    return { ok: false, error: `existing file ${file} was made with protocol "${String(f.info.protocol)}", not "${summary}"; use another output directory or delete it` };
  }
  if (f.positions.length !== 3 * atoms || f.info.k !== job.k || f.info.phi !== job.phi || f.info.T !== job.T || f.info.seed !== job.seed) {
    return { ok: false, error: `existing file ${file} does not match the job (k, phi, T, seed or atom count differ); delete it to regenerate` };
  }
  return { ok: true, seconds: typeof f.info.seconds === 'number' ? f.info.seconds : undefined };
}

/**
 * Writes one generated conformation to `file` (atomically): positions, box and the header
 * `k phi T seed engine=LAMMPS potential=OPP protocol="<summary>" seconds set id`. Both executors
 * use it, so their files differ only in `seconds`. @internal
 */
export async function writeConformation(file: string, job: GenerateJob, res: LammpsRunResult, summary: string): Promise<void> {
  const frame: Frame = {
    positions: res.positions,
    box: res.box,
    info: { k: job.k, phi: job.phi, T: job.T, seed: job.seed, engine: 'LAMMPS', potential: 'OPP', protocol: summary, seconds: Math.round(res.seconds * 10) / 10, set: job.set, id: job.id },
  };
  await mkdir(dirname(file), { recursive: true });
  await writeXyz(file, [frame]);
}

/**
 * Generates OPP conformations with LAMMPS, one process per conformation, `concurrency` at a time.
 *
 * - Output: `<out>/<set>/<id>.xyz`, extended XYZ with `k phi T seed engine=LAMMPS potential=OPP
 *   protocol="<summary>" seconds set id` in the header (written atomically), plus
 *   `<out>/manifest.json` (every job's parameters and status, the full protocol), rewritten after
 *   each conformation.
 * - Resumable: a job whose file exists and matches (same protocol summary, parameters, atom
 *   count) is skipped; a mismatching file is reported as a failure, never overwritten.
 * - A failing run is reported (progress line + summary + manifest) and the others continue.
 * - LAMMPS is checked once up front: a missing `lmp` throws {@link LammpsError} `LAMMPS_NOT_FOUND`
 *   with install instructions.
 *
 * Time: about 36 s of one core per 1000-particle conformation with the default protocol on this
 * project's 2-core machine (see docs/generating-data.md).
 *
 * @param options - jobs, output directory, concurrency, protocol, progress
 * @returns counts, failures and timing
 * @throws {@link IoError} on invalid jobs/options; {@link LammpsError} when LAMMPS cannot run at all
 */
export async function generateDataset(options: GenerateOptions): Promise<GenerateSummary> {
  const t0 = performance.now();
  checkJobs(options.jobs);
  const protocol = validateProtocol(options.protocol ?? DEFAULT_PROTOCOL);
  const summary = protocolSummary(protocol);
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new IoError(`generateDataset: concurrency must be a positive integer, got ${concurrency}`, 'IO_BAD_ARGUMENT');
  if (typeof options.out !== 'string' || options.out.length === 0) throw new IoError(`generateDataset: out must be a directory path, got ${JSON.stringify(options.out)}`, 'IO_BAD_ARGUMENT');
  const out = resolve(options.out);
  const atoms = protocol.latticeSide ** 3;
  const lmp = options.lmp ?? defaultLmp();
  const runner = options.runner ?? runOppLammps;
  const executor = options.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new IoError(`generateDataset: executor must be 'local' or 'slurm', got ${JSON.stringify(executor)}`, 'IO_BAD_ARGUMENT');
  if (executor === 'slurm' && options.runner) throw new IoError(`generateDataset: runner replaces local LAMMPS runs; it cannot be combined with executor 'slurm'`, 'IO_BAD_ARGUMENT');
  if (executor === 'slurm') resolveSlurmOptions(options.slurm ?? {}); // bad options fail before anything is written

  // Resume: classify existing files.
  const results: JobResult[] = [];
  for (const job of options.jobs) {
    const file = join(out, job.set, `${job.id}.xyz`);
    if (!existsSync(file)) {
      results.push({ job, status: 'pending', file });
      continue;
    }
    const r = await existingResult(file, job, summary, atoms);
    results.push(r.ok ? { job, status: 'skipped', file, seconds: r.seconds } : { job, status: 'failed', file, error: r.error });
  }
  const todo = results.filter((r) => r.status === 'pending');
  let lammps: string | undefined;
  if (todo.length > 0 && !options.runner) {
    if (executor === 'local') lammps = await checkLammps(lmp);
    // Under Slurm, lmp may exist only on the compute nodes (module load); record the banner when this host has it.
    else lammps = await checkLammps(lmp).catch(() => undefined);
  }

  await mkdir(out, { recursive: true });
  const manifestPath = join(out, 'manifest.json');
  let manifest: GeneratorManifest = { format: 'mddm-io-generator', version: 1, protocol, protocolSummary: summary, lammps, conformations: {} };
  if (existsSync(manifestPath)) {
    try {
      const old = JSON.parse(await readFile(manifestPath, 'utf8')) as GeneratorManifest;
      if (old && old.format === 'mddm-io-generator') manifest.conformations = old.conformations ?? {};
    } catch {
      /* rewritten below */
    }
  }
  const record = (r: JobResult) => {
    const e: ManifestEntry = { ...r.job, file: `${r.job.set}/${r.job.id}.xyz`, status: r.status, protocol: summary };
    if (r.seconds !== undefined) e.seconds = r.seconds;
    if (r.error !== undefined) e.error = r.error;
    if (r.slurm !== undefined) e.slurm = r.slurm;
    manifest.conformations[`${r.job.set}/${r.job.id}`] = e;
  };
  results.forEach(record);
  let manifestWrite = Promise.resolve();
  const saveManifest = () => {
    const text = JSON.stringify(manifest, null, 1) + '\n';
    manifestWrite = manifestWrite.then(() => atomicWrite(manifestPath, (w) => w(text)));
    return manifestWrite;
  };
  await saveManifest();

  const stream: ProgressStream | undefined = options.progress === false ? undefined : options.progress === true || options.progress === undefined ? process.stderr : options.progress;
  const bar = stream ? new ProgressBar(todo.length, { label: 'mddm-data', stream, plainIntervalMs: 0 }) : undefined;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const preFailed = results.filter((r) => r.status === 'failed');
  if (bar) {
    const how = executor === 'slurm' ? 'as a Slurm job array' : `${Math.min(concurrency, Math.max(todo.length, 1))} at a time`;
    bar.log(`${results.length} conformations: ${skipped} already done, ${preFailed.length} blocked, ${todo.length} to run, ${how} (${summary})`);
    for (const r of preFailed) bar.log(`FAILED ${r.job.set}/${r.job.id}: ${r.error}`);
  }
  for (const r of results) if (r.status !== 'pending') options.onJob?.(r);

  const store = async (r: JobResult, res: LammpsRunResult) => {
    await writeConformation(r.file, r.job, res, summary);
    r.status = 'done';
    r.seconds = res.seconds;
    r.error = undefined;
    bar?.tick(1, `${r.job.set}/${r.job.id} ${res.seconds.toFixed(1)} s`);
  };
  const finished = async (r: JobResult) => {
    record(r);
    await saveManifest();
    options.onJob?.(r);
  };

  if (executor === 'slurm' && todo.length > 0) {
    const { workDir, ...slurm } = options.slurm ?? {};
    if (options.concurrency !== undefined && slurm.maxRunning === undefined) slurm.maxRunning = concurrency;
    const byKey = new Map(todo.map((r) => [`${r.job.set}/${r.job.id}`, r]));
    const tasks = lammpsSlurmTasks(
      todo.map((r) => r.job),
      { protocol, summary, lmp, launcher: slurm.launcher, store: (job, res) => store(byKey.get(`${job.set}/${job.id}`)!, res) },
    );
    // The launcher is part of each task's command (lammpsSlurmTasks), not of the script.
    const { outcomes } = await runSlurmTasks({
      tasks,
      workDir: resolve(workDir ?? join(out, '.slurm')),
      slurm: { ...slurm, jobName: slurm.jobName ?? `mddm-${todo[0].job.set}`.slice(0, 64), launcher: undefined },
      signal: options.signal,
      log: (line) => (bar ? bar.log(line) : undefined),
      onTask: async (o) => {
        const r = byKey.get(o.key)!;
        if (o.job && o.log) r.slurm = { job: o.job, log: o.log, attempts: o.attempts };
        if (o.status === 'failed') {
          r.status = 'failed';
          r.error = o.error;
          bar?.log(`FAILED ${o.key}: ${r.error}`);
          bar?.tick(1, `${o.key} failed`);
        }
        if (o.status !== 'pending') await finished(r);
      },
    });
    for (const o of outcomes) if (o.status === 'pending') byKey.get(o.key)!.status = 'pending';
  } else {
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !options.signal?.aborted) {
        const r = todo[next++];
        const { job } = r;
        try {
          await store(r, await runner({ k: job.k, phi: job.phi, T: job.T, seed: job.seed }, { lmp, protocol, signal: options.signal }));
        } catch (e) {
          if (options.signal?.aborted) {
            r.status = 'pending';
            break;
          }
          r.status = 'failed';
          r.error = (e as Error).message;
          bar?.log(`FAILED ${job.set}/${job.id}: ${r.error}`);
          bar?.tick(1, `${job.set}/${job.id} failed`);
        }
        await finished(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  }
  await manifestWrite;
  const failed = results.filter((r) => r.status === 'failed');
  const doneRuns = results.filter((r) => r.status === 'done');
  bar?.done(`${doneRuns.length} done, ${skipped} skipped, ${failed.length} failed`);
  return {
    total: results.length,
    done: doneRuns.length,
    skipped,
    failed,
    pending: results.filter((r) => r.status === 'pending').length,
    seconds: (performance.now() - t0) / 1000,
    secondsPerConformation: doneRuns.length ? doneRuns.reduce((s, r) => s + (r.seconds ?? 0), 0) / doneRuns.length : NaN,
    manifest: manifestPath,
    results,
  };
}
