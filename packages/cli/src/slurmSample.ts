/**
 * `mddm sample --executor slurm`: the conformations of one `mddm sample` call as a Slurm job array.
 * Task i runs `mddm sample` (same model, conditions and sampler) for its share of `--count`
 * (`--per-task` conformations, the last share smaller) with seed `--seed + i`, writing its own XYZ;
 * the submit host then concatenates the parts in task order into the one `--out`. The result is
 * therefore, frame for frame, the concatenation of local runs `mddm sample --seed S+i --count share_i`.
 * Resumable: finished parts are kept in `<out>.slurm/<request hash>/parts/`, so rerunning the same
 * command only runs what is missing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readXyz, runSlurmTasks, shellQuote, writeXyz, type Frame, type SlurmOptions, type SlurmTaskSpec } from '@mddm/io';
import { numberFlag, type FlagSpec, type ParsedArgs } from './args';
import { CliError } from './errors';
import type { CliIo } from './io';
import { resolveModel } from './models';

/** Flags of the Slurm executor of `mddm sample`. */
export const SLURM_SAMPLE_FLAGS: FlagSpec = {
  executor: { type: 'string' }, partition: { type: 'string' }, time: { type: 'string' }, 'cpus-per-task': { type: 'string' }, sbatch: { type: 'string', multiple: true },
  setup: { type: 'string', multiple: true }, poll: { type: 'string' }, retries: { type: 'string' }, 'per-task': { type: 'string' }, 'mddm-command': { type: 'string' }, 'slurm-dir': { type: 'string' },
};

/** Help lines of {@link SLURM_SAMPLE_FLAGS}. */
export const SLURM_SAMPLE_HELP = `Slurm (--executor slurm: a job array of mddm sample runs; see docs/generating-data.md):
  --executor local|slurm   where sampling runs (default local)
  --per-task M       conformations per array task (default 10); task i uses seed S + i
  --partition P  --time T  --cpus-per-task N   sbatch options (default 1 CPU per task)
  --sbatch LINE      an extra #SBATCH line (repeatable)    --setup LINE   shell line before each task (repeatable)
  --poll SECONDS     squeue poll interval (default 10)     --retries N    resubmissions of a failed task (default 2)
  --mddm-command CMD how compute nodes start mddm (default: this node and mddm program; or $MDDM_COMMAND)
  --slurm-dir DIR    scripts, logs, parts (default OUT.slurm/<hash of the request>)`;

const OWN = new Set([...Object.keys(SLURM_SAMPLE_FLAGS), 'count', 'seed', 'out', 'help']);

/** How compute nodes start `mddm`: the flag, `$MDDM_COMMAND`, or this very process's node + script. */
function mddmCommand(flag: string | undefined): string {
  const given = flag ?? process.env.MDDM_COMMAND;
  if (given) return given;
  const script = process.argv[1];
  if (script && /(^|[/\\])(mddm(\.js)?|bin\.(ts|js|mjs|cjs))$/.test(script)) {
    let prefix = '';
    if (script.endsWith('.ts') && !process.env.TSX_TSCONFIG_PATH) {
      // From the sources (pnpm mddm): tsx needs the workspace tsconfig (its paths) wherever the task runs.
      for (let d = dirname(resolve(script)); d !== dirname(d); d = dirname(d)) {
        if (existsSync(join(d, 'pnpm-workspace.yaml')) && existsSync(join(d, 'tsconfig.json'))) {
          prefix = `TSX_TSCONFIG_PATH=${shellQuote(join(d, 'tsconfig.json'))} `;
          break;
        }
      }
    }
    return prefix + [process.execPath, ...process.execArgv, resolve(script)].map(shellQuote).join(' ');
  }
  throw new CliError(`mddm sample: cannot tell how the compute nodes start mddm (this process is not the mddm program); pass --mddm-command 'mddm' or set MDDM_COMMAND`, 'CLI_USAGE');
}

/** Flags passed on to each task's `mddm sample` (every flag but the executor's, --count, --seed, --out), with --model made absolute when it is a folder. */
function forwardedArgs(values: ParsedArgs['values']): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (OWN.has(k) || v === undefined || v === false) continue;
    if (v === true) args.push(`--${k}`);
    else if (typeof v === 'string') args.push(`--${k}`, k === 'model' && existsSync(v) ? resolve(v) : v);
  }
  return args;
}

async function readFrames(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const f of readXyz(path)) frames.push(f);
  return frames;
}

/**
 * The hook of `mddm sample`: `undefined` for the local executor (after checking that no Slurm flag
 * was given), else runs the Slurm executor and returns the exit code.
 */
export async function maybeSlurmSample(values: ParsedArgs['values'], request: { out: string; count: number; seed: number; n: number; model: string }, io: CliIo): Promise<number | undefined> {
  const executor = (values.executor as string | undefined) ?? 'local';
  const given = Object.keys(SLURM_SAMPLE_FLAGS).filter((f) => f !== 'executor' && values[f] !== undefined);
  if (executor === 'local') {
    if (given.length) throw new CliError(`mddm sample: --${given.join(', --')} need --executor slurm`, 'CLI_USAGE');
    return undefined;
  }
  if (executor !== 'slurm') throw new CliError(`mddm sample: --executor must be local or slurm, got '${executor}'`, 'CLI_USAGE');
  const perTask = numberFlag('sample', values, 'per-task', { integer: true, min: 1 }) ?? 10;
  const slurm: SlurmOptions = {
    partition: values.partition as string | undefined, time: values.time as string | undefined,
    cpusPerTask: numberFlag('sample', values, 'cpus-per-task', { integer: true, min: 1 }), sbatch: values.sbatch as string[] | undefined, setup: values.setup as string[] | undefined,
    pollSeconds: numberFlag('sample', values, 'poll', { min: 0, exclusiveMin: true }), retries: numberFlag('sample', values, 'retries', { integer: true, min: 0 }), jobName: 'mddm-sample',
  };
  const command = mddmCommand(values['mddm-command'] as string | undefined);
  (await resolveModel('sample', request.model)).denoiser.dispose(); // a bad --model fails here, not in every task

  const args = forwardedArgs(values);
  const shares = Array.from({ length: Math.ceil(request.count / perTask) }, (_, i) => Math.min(perTask, request.count - i * perTask));
  const out = resolve(request.out);
  const hash = createHash('sha256').update(JSON.stringify({ args, count: request.count, seed: request.seed, perTask })).digest('hex').slice(0, 12);
  const workDir = resolve((values['slurm-dir'] as string | undefined) ?? `${out}.slurm`, hash);
  const partsDir = join(workDir, 'parts');
  await mkdir(partsDir, { recursive: true });
  const part = (i: number) => join(partsDir, `part-${String(i).padStart(5, '0')}.xyz`);

  const tasks: SlurmTaskSpec[] = [];
  shares.forEach((share, i) => {
    if (existsSync(part(i))) return; // collected by an earlier run of this command
    const seed = request.seed + i;
    const argv = ['sample', ...args, '--count', String(share), '--seed', String(seed), '--out', 'part.xyz'];
    tasks.push({
      key: `part-${i}`,
      fingerprint: JSON.stringify({ argv, command }),
      command: `${command} ${argv.map(shellQuote).join(' ')}`,
      prepare: async () => {},
      async collect(dir) {
        const frames = await readFrames(join(dir, 'part.xyz'));
        if (frames.length !== share || frames.some((f) => f.positions.length !== 3 * request.n)) {
          throw new CliError(`part.xyz holds ${frames.length} frames, expected ${share} of ${request.n} particles`, 'CLI_IO');
        }
        await rename(join(dir, 'part.xyz'), part(i)); // same filesystem: atomic
      },
    });
  });
  io.say(`slurm: ${shares.length} task${shares.length === 1 ? '' : 's'} of up to ${perTask} conformations (seeds ${request.seed}..${request.seed + shares.length - 1}), ${shares.length - tasks.length} already done; work folder ${workDir}`);

  const ac = new AbortController();
  const onSigint = () => {
    io.warn('mddm sample: interrupted; submitted Slurm tasks keep running, rerun the same command to collect them');
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  const started = performance.now();
  let result;
  try {
    result = await runSlurmTasks({ tasks, workDir, slurm, signal: ac.signal, log: (l) => io.warn(`slurm: ${l}`) });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  for (const f of failed) io.warn(`mddm sample: task ${f.key} failed: ${f.error}`);
  const pending = result.outcomes.filter((o) => o.status === 'pending').length;
  if (failed.length || pending) {
    io.warn(`mddm sample: ${failed.length} task(s) failed, ${pending} not finished; ${out} not written (finished parts are kept: rerun the same command)`);
    return 1;
  }
  // Gather: the parts in task order into one file (streamed, written atomically).
  async function* all(): AsyncGenerator<Frame> {
    for (let i = 0; i < shares.length; i++) yield* readXyz(part(i));
  }
  await writeXyz(out, all());
  const seconds = (performance.now() - started) / 1000;
  const jobs = result.jobs.length ? ` (job${result.jobs.length > 1 ? 's' : ''} ${result.jobs.join(', ')})` : '';
  io.say(`time: ${seconds.toFixed(2)} s on Slurm${jobs}`);
  io.say(`wrote ${request.out} (${request.count} conformation${request.count > 1 ? 's' : ''} from ${shares.length} task${shares.length > 1 ? 's' : ''})`);
  return 0;
}

/** @internal for tests: the command tasks would run. */
export const _mddmCommand = mddmCommand;
