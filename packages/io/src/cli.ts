/**
 * @packageDocumentation
 * `@mddm/io/cli`: the `mddm-data` command as a function ({@link runDataCli}), for the `mddm-data`
 * bin and for CLIs that embed it (the `mddm data` command). A subpath, not part of the main
 * `@mddm/io` entry point.
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { MddmError } from '@mddm/core';
import { packDatasets } from './dataset/pack';
import { defaultRawDir } from './dataset/paths';
import { IoError } from './errors';
import { generateDataset } from './generate/generate';
import { PAPER_RANGES, gridPlan, lhsPlan, randomPlan, replicasPlan, shippedPlan, stateFramesPlan, trainExtensionPlan, trainExtension2Plan, trainTwinsPlan, type GenerateJob, type ParameterRanges } from './generate/plan';
import { DEFAULT_PROTOCOL, protocolSummary, resolveProtocol, type AnnealProtocol } from './lammps/protocol';
import type { ProgressStream } from './progress/progressBar';

/** Usage text of the `mddm-data` command. */
export const CLI_USAGE = `mddm-data: generate OPP conformations with LAMMPS and pack the shipped data sets

Usage:
  mddm-data generate --preset shipped|replicas|state-frames|train-extension|train-extension-2|train-twins [--out DIR] [options]
  mddm-data generate --set NAME --out DIR --k SPEC --phi SPEC --T SPEC [--replicas R] [options]   (grid)
  mddm-data generate --set NAME --out DIR --lhs N    [--k LO:HI --phi LO:HI --T LO:HI] [options] (Latin hypercube)
  mddm-data generate --set NAME --out DIR --random N [--k LO:HI --phi LO:HI --T LO:HI] [options] (uniform draws)
  mddm-data pack --data DIR [--raw DIR] [--sets a,b]
  mddm-data help

Grid SPEC: a value (7), a list (1,3,5) or lo:hi:n (n evenly spaced values, e.g. 1:15:8).
Draw ranges default to the paper's: k 1:15, phi 0:6, T 0.01:0.05.

Generate options:
  --out DIR            output directory: DIR/<set>/<id>.xyz + DIR/manifest.json
                       (--preset shipped defaults to the package's data-raw/)
  --concurrency N      LAMMPS processes at a time (default: number of cores, ${availableParallelism()} here)
  --seed S             seed of the parameter draw (--lhs/--random), default 1
  --seed-base B        LAMMPS velocity seed of the first conformation (default 1 grid, 10000 draws)
  --replicas R         independent runs per grid point (default 1)
  --steps-scale X      multiply melt/anneal/hold step counts by X (e.g. 0.01 for a smoke test)
  --melt-steps N  --anneal-steps N  --hold-steps N  --melt-temperature X  --anneal-factor X
  --timestep X  --damping-steps X  --lattice-side N  --table-points N  --rcut X
                       protocol fields (defaults: SPEC section 4: ${protocolSummary(DEFAULT_PROTOCOL)}, side 10)
  --lmp PATH           LAMMPS executable (default $MDDM_LMP or lmp; Debian: apt-get install lammps)
  --dry-run            print the plan (one line per conformation) and exit
  --quiet              no progress display

Slurm (--executor slurm: one job array, one task per conformation; run it on a login node, with
--out on a filesystem the compute nodes share; see docs/generating-data.md):
  --executor local|slurm   where LAMMPS runs (default local)
  --partition P        sbatch --partition          --time T   sbatch --time (e.g. 0:10:00)
  --cpus-per-task N    sbatch --cpus-per-task (default 1)
  --sbatch LINE        an extra #SBATCH line, e.g. --sbatch --account=proj42 (repeatable)
  --setup LINE         a shell line run before each task, e.g. --setup 'module load lammps' (repeatable)
  --launcher CMD       prefix of the lmp command in each task, e.g. srun or 'mpirun -np 4'
  --poll SECONDS       squeue poll interval (default 10)
  --retries N          resubmissions of a failed task, across reruns (default 2)
  --slurm-dir DIR      scripts, logs, task folders, state.json (default OUT/.slurm)
  --concurrency N      with slurm: at most N tasks at once (array throttle %N)

Pack options:
  --raw DIR            per-conformation files (default: the package's data-raw/)
  --data DIR           output folder: <set>.xyz.gz + manifest.json (required; the shipped data's
                       folder is packages/data/data: pnpm --filter @mddm/data pack-data)
  --sets a,b           sets to pack (default: every folder in --raw)

Exit status: 0 success, 1 some conformations failed, 2 usage error.`;

/** Standard streams used by {@link runDataCli}. */
export interface CliStreams {
  /** Normal output (anything with `write(text)`). */
  stdout: ProgressStream;
  /** Errors and progress. */
  stderr: ProgressStream;
}

class UsageError extends IoError {
  constructor(message: string) {
    super(message, 'IO_BAD_ARGUMENT');
  }
}

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got '${text}'`);
  return x;
}

function int(name: string, text: string | undefined): number | undefined {
  const x = num(name, text);
  if (x !== undefined && !Number.isSafeInteger(x)) throw new UsageError(`--${name} must be an integer, got '${text}'`);
  return x;
}

/** Parses a grid SPEC: `7`, `1,3,5` or `lo:hi:n`. @internal */
export function parseGridSpec(name: string, spec: string): number[] {
  const parts = spec.split(':');
  if (parts.length === 3) {
    const lo = num(name, parts[0])!;
    const hi = num(name, parts[1])!;
    const n = int(name, parts[2])!;
    if (n < 1) throw new UsageError(`--${name} ${spec}: the count must be >= 1`);
    if (n === 1) return [lo];
    return Array.from({ length: n }, (_, i) => +(lo + ((hi - lo) * i) / (n - 1)).toPrecision(12));
  }
  if (parts.length !== 1) throw new UsageError(`--${name} '${spec}' must be a value, a comma list or lo:hi:n`);
  return spec.split(',').map((s) => num(name, s)!);
}

function parseRange(name: 'k' | 'phi' | 'T', spec: string | undefined): readonly [number, number] {
  if (spec === undefined) return PAPER_RANGES[name];
  const parts = spec.split(':');
  if (parts.length !== 2) throw new UsageError(`--${name} '${spec}' must be a range lo:hi for --lhs/--random`);
  return [num(name, parts[0])!, num(name, parts[1])!];
}

const PROTOCOL_FLAGS: Record<string, keyof AnnealProtocol> = {
  'melt-steps': 'meltSteps',
  'anneal-steps': 'annealSteps',
  'hold-steps': 'holdSteps',
  'melt-temperature': 'meltTemperature',
  'anneal-factor': 'annealFactor',
  timestep: 'timestep',
  'damping-steps': 'dampingSteps',
  'lattice-side': 'latticeSide',
  'table-points': 'tablePoints',
  rcut: 'rCut',
};

/**
 * Runs the `mddm-data` command line (what the `mddm-data` bin does) and returns the exit status.
 *
 * @param argv - arguments after the program name, e.g. `['generate', '--preset', 'shipped']`
 * @param streams - output streams, default the process's
 * @returns 0 on success, 1 if some conformations failed, 2 on a usage error
 * @example
 * ```ts
 * await runDataCli(['generate', '--set', 'demo', '--out', 'out', '--k', '7', '--phi', '1', '--T', '0.03', '--replicas', '2']);
 * ```
 */
export async function runDataCli(argv: readonly string[], streams: CliStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const say = (s: string) => streams.stdout.write(s + '\n');
  const err = (s: string) => streams.stderr.write(s + '\n');
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      say(CLI_USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'pack') {
      const { values } = parseArgs({ args: [...rest], strict: true, options: { raw: { type: 'string' }, data: { type: 'string' }, sets: { type: 'string' } } });
      if (values.data === undefined) throw new UsageError(`pack needs --data DIR, the output folder (the shipped data: pnpm --filter @mddm/data pack-data)`);
      const m = await packDatasets({ raw: values.raw ?? defaultRawDir(), out: values.data, sets: values.sets?.split(',').filter(Boolean), log: say });
      for (const [name, s] of Object.entries(m.sets)) say(`${name}: ${s.count} conformations x ${s.atoms} atoms, box ${s.box.join(' x ')}`);
      return 0;
    }
    if (command !== 'generate') throw new UsageError(`unknown command '${command}'; expected generate, pack or help`);
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
      preset: { type: 'string' }, set: { type: 'string' }, out: { type: 'string' }, k: { type: 'string' }, phi: { type: 'string' }, T: { type: 'string' },
      replicas: { type: 'string' }, lhs: { type: 'string' }, random: { type: 'string' }, seed: { type: 'string' }, 'seed-base': { type: 'string' },
      concurrency: { type: 'string' }, 'steps-scale': { type: 'string' }, lmp: { type: 'string' }, 'dry-run': { type: 'boolean' }, quiet: { type: 'boolean' },
      executor: { type: 'string' }, partition: { type: 'string' }, time: { type: 'string' }, 'cpus-per-task': { type: 'string' }, sbatch: { type: 'string', multiple: true },
      setup: { type: 'string', multiple: true }, launcher: { type: 'string' }, poll: { type: 'string' }, retries: { type: 'string' }, 'slurm-dir': { type: 'string' },
    };
    for (const f of Object.keys(PROTOCOL_FLAGS)) options[f] = { type: 'string' };
    const { values: v } = parseArgs({ args: [...rest], strict: true, allowPositionals: false, options });
    const s = (k: string) => v[k] as string | undefined;
    const overrides: Partial<Record<keyof AnnealProtocol, number>> = {};
    for (const [flag, field] of Object.entries(PROTOCOL_FLAGS)) {
      const x = num(flag, s(flag));
      if (x !== undefined) overrides[field] = x;
    }
    const protocol = resolveProtocol(overrides, num('steps-scale', s('steps-scale')) ?? 1);
    let jobs: GenerateJob[];
    let out = s('out');
    if (s('preset') !== undefined) {
      const presets: Record<string, () => GenerateJob[]> = { shipped: shippedPlan, replicas: replicasPlan, 'state-frames': stateFramesPlan, 'train-extension': trainExtensionPlan, 'train-extension-2': trainExtension2Plan, 'train-twins': trainTwinsPlan };
      const preset = presets[s('preset')!];
      if (!preset) throw new UsageError(`unknown --preset '${s('preset')}'; expected one of: ${Object.keys(presets).join(', ')}`);
      jobs = preset();
      out ??= defaultRawDir();
    } else {
      const set = s('set');
      if (!set) throw new UsageError('--set NAME is required (or --preset shipped)');
      if (!out) throw new UsageError('--out DIR is required');
      const lhs = int('lhs', s('lhs'));
      const random = int('random', s('random'));
      const seed = int('seed', s('seed'));
      const seedBase = int('seed-base', s('seed-base'));
      if (lhs !== undefined && random !== undefined) throw new UsageError('give either --lhs or --random, not both');
      if (lhs !== undefined || random !== undefined) {
        const ranges: ParameterRanges = { k: parseRange('k', s('k')), phi: parseRange('phi', s('phi')), T: parseRange('T', s('T')) };
        jobs = lhs !== undefined ? lhsPlan(set, lhs, { seed, seedBase, ranges }) : randomPlan(set, random!, { seed, seedBase, ranges });
      } else {
        for (const p of ['k', 'phi', 'T']) if (s(p) === undefined) throw new UsageError(`--${p} SPEC is required for a grid (or use --lhs N / --random N)`);
        jobs = gridPlan(set, { k: parseGridSpec('k', s('k')!), phi: parseGridSpec('phi', s('phi')!), T: parseGridSpec('T', s('T')!), replicas: int('replicas', s('replicas')), seedBase });
      }
    }
    const executor = s('executor') ?? 'local';
    if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, got '${executor}'`);
    const slurmFlags = ['partition', 'time', 'cpus-per-task', 'sbatch', 'setup', 'launcher', 'poll', 'retries', 'slurm-dir'].filter((f) => v[f] !== undefined);
    if (executor === 'local' && slurmFlags.length) throw new UsageError(`--${slurmFlags.join(', --')} need --executor slurm`);
    const slurm = executor === 'slurm' ? {
      partition: s('partition'), time: s('time'), cpusPerTask: int('cpus-per-task', s('cpus-per-task')), sbatch: v.sbatch as string[] | undefined,
      setup: v.setup as string[] | undefined, launcher: s('launcher'), pollSeconds: num('poll', s('poll')), retries: int('retries', s('retries')), workDir: s('slurm-dir'),
    } : undefined;
    if (v['dry-run']) {
      for (const j of jobs) say(`${j.set}/${j.id} k=${j.k} phi=${j.phi} T=${j.T} seed=${j.seed}`);
      say(`${jobs.length} conformations; protocol: ${protocolSummary(protocol)}; output: ${out}`);
      return 0;
    }
    // Ctrl-C: stop scheduling, kill running LAMMPS processes (local) / stop following the array
    // (slurm: its tasks keep running), keep the manifest consistent.
    const ac = new AbortController();
    const onSigint = () => {
      err(`mddm-data: interrupted; finished conformations are kept, rerun the same command to resume${executor === 'slurm' ? ' (submitted Slurm tasks keep running and are collected then)' : ''}`);
      ac.abort();
    };
    process.once('SIGINT', onSigint);
    let summary;
    try {
      summary = await generateDataset({
        jobs,
        out: out!,
        protocol,
        concurrency: int('concurrency', s('concurrency')),
        lmp: s('lmp'),
        progress: v.quiet ? false : streams.stderr,
        signal: ac.signal,
        executor,
        slurm,
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    say(
      `${summary.done} generated, ${summary.skipped} already present, ${summary.failed.length} failed` +
        (summary.done ? `; ${summary.secondsPerConformation.toFixed(1)} s per conformation` : '') +
        (summary.pending ? `, ${summary.pending} not run (interrupted)` : '') +
        `; manifest: ${summary.manifest}`,
    );
    for (const f of summary.failed) err(`failed: ${f.job.set}/${f.job.id}: ${f.error}`);
    if (summary.pending && executor === 'slurm') err(`mddm-data: ${summary.pending} conformations not collected yet; rerun the same command to follow and collect them`);
    return summary.failed.length > 0 || summary.pending > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      err(`mddm-data: ${e.message}\nRun 'mddm-data help' for usage.`);
      return 2;
    }
    if (e instanceof MddmError) {
      err(`mddm-data: ${e.message}`);
      return e.code === 'IO_BAD_ARGUMENT' || e.code === 'LAMMPS_BAD_PROTOCOL' ? 2 : 1;
    }
    throw e;
  }
}
