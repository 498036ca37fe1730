import { SlurmError } from './slurmError';

/** How array tasks are submitted to Slurm (`#SBATCH` lines, launcher, polling, retries). */
export interface SlurmOptions {
  /** `--partition`; default: the cluster's default partition. */
  partition?: string;
  /** `--time` limit per task, Slurm syntax (`10`, `1:00:00`, `1-0`); default: the partition's. */
  time?: string;
  /** `--cpus-per-task`, default 1 (LAMMPS runs one process per conformation, like the local executor). */
  cpusPerTask?: number;
  /** Extra `#SBATCH` lines, e.g. `['--account=proj42', '--mem=2G', '--qos=short']` (the `#SBATCH ` prefix is added when missing). */
  sbatch?: readonly string[];
  /** Shell lines run before each task, e.g. `['module load lammps/2023']` (module loads, `source` of an env). */
  setup?: readonly string[];
  /** Prefix of the LAMMPS command, e.g. `'srun'` or `'mpirun -np 4'` (a shell fragment, used as written); default none. */
  launcher?: string;
  /** Seconds between two `squeue` polls, default 10. */
  pollSeconds?: number;
  /** Resubmissions of a failed task (across runs of the same command), default 2: at most 3 attempts. */
  retries?: number;
  /** Array throttle: at most this many tasks of one array at once (`--array=0-N%max`); default no limit. */
  maxRunning?: number;
  /** Job name, default `mddm`. */
  jobName?: string;
  /** `sbatch` executable, default `sbatch` (`squeue`, `sacct` likewise). */
  sbatchCommand?: string;
  /** `squeue` executable, default `squeue`. */
  squeueCommand?: string;
  /** `sacct` executable, default `sacct` (optional: without accounting the executor reads `squeue` and its own exit files). */
  sacctCommand?: string;
}

/** {@link SlurmOptions} with defaults filled in. @internal */
export type ResolvedSlurmOptions = Required<Pick<SlurmOptions, 'cpusPerTask' | 'sbatch' | 'setup' | 'pollSeconds' | 'retries' | 'jobName' | 'sbatchCommand' | 'squeueCommand' | 'sacctCommand'>> &
  Pick<SlurmOptions, 'partition' | 'time' | 'launcher' | 'maxRunning'>;

const SAFE = /^[A-Za-z0-9_.,:@%+=/-]+$/;

/**
 * Checks and completes {@link SlurmOptions}.
 * @throws {@link SlurmError} `SLURM_BAD_OPTION` naming the option and value
 * @internal
 */
export function resolveSlurmOptions(o: SlurmOptions = {}): ResolvedSlurmOptions {
  const bad = (name: string, v: unknown, exp: string) => new SlurmError(`slurm.${name} must be ${exp}, got ${JSON.stringify(v)}`, 'SLURM_BAD_OPTION');
  if (o === null || typeof o !== 'object') throw bad('options', o, 'an object');
  const word = (name: keyof SlurmOptions) => {
    const v = o[name];
    if (v !== undefined && (typeof v !== 'string' || !SAFE.test(v))) throw bad(name, v, 'a word of letters, digits and _.,:@%+=/-');
  };
  word('partition');
  word('time');
  word('jobName');
  const int = (name: keyof SlurmOptions, v: unknown, min: number) => {
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) >= min)) throw bad(name, v, `an integer >= ${min}`);
  };
  int('cpusPerTask', o.cpusPerTask, 1);
  int('retries', o.retries, 0);
  int('maxRunning', o.maxRunning, 1);
  if (o.pollSeconds !== undefined && !(Number.isFinite(o.pollSeconds) && o.pollSeconds > 0)) throw bad('pollSeconds', o.pollSeconds, 'a positive number of seconds');
  const lines = (name: 'sbatch' | 'setup') => {
    const v = o[name];
    if (v !== undefined && (!Array.isArray(v) || v.some((l) => typeof l !== 'string' || /[\r\n]/.test(l)))) throw bad(name, v, 'an array of one-line strings');
  };
  lines('sbatch');
  lines('setup');
  if (o.launcher !== undefined && (typeof o.launcher !== 'string' || /[\r\n]/.test(o.launcher))) throw bad('launcher', o.launcher, 'a one-line command prefix such as "srun" or "mpirun -np 4"');
  return {
    partition: o.partition,
    time: o.time,
    cpusPerTask: o.cpusPerTask ?? 1,
    sbatch: o.sbatch ?? [],
    setup: o.setup ?? [],
    launcher: o.launcher?.trim() || undefined,
    pollSeconds: o.pollSeconds ?? 10,
    retries: o.retries ?? 2,
    maxRunning: o.maxRunning,
    jobName: o.jobName ?? 'mddm',
    sbatchCommand: o.sbatchCommand ?? 'sbatch',
    squeueCommand: o.squeueCommand ?? 'squeue',
    sacctCommand: o.sacctCommand ?? 'sacct',
  };
}
