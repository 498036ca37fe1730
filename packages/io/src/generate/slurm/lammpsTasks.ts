import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnnealProtocol } from '../../lammps/protocol';
import { LAMMPS_RUN_ARGS, readLammpsRunResult, writeLammpsRunFiles, type LammpsRunResult } from '../../lammps/runLammps';
import type { GenerateJob } from '../plan';
import { shellQuote } from './command';
import type { SlurmTaskSpec } from './executor';

/** What {@link lammpsSlurmTasks} needs besides the jobs. @internal */
export interface LammpsTaskContext {
  /** Protocol of every run. */
  protocol: AnnealProtocol;
  /** Its summary (part of each task's fingerprint). */
  summary: string;
  /** LAMMPS executable as the compute nodes see it. */
  lmp: string;
  /** Optional launcher prefix (`srun`, `mpirun -np 4`). */
  launcher?: string;
  /** Stores a finished conformation (the same writer as the local executor); throwing fails the attempt. */
  store(job: GenerateJob, result: LammpsRunResult, where: { job: string; log: string }): Promise<void>;
}

/**
 * One Slurm task per conformation: the task folder gets the same `opp.table` and `in.opp` as a
 * local run ({@link writeLammpsRunFiles}), the task runs `[launcher] lmp -in in.opp -log log.lammps
 * -screen none -nocite` with `OMP_NUM_THREADS=1` there, and collecting reads `final.dump` with the
 * local reader ({@link readLammpsRunResult}). @internal
 */
export function lammpsSlurmTasks(jobs: readonly GenerateJob[], ctx: LammpsTaskContext): SlurmTaskSpec[] {
  const command = `export OMP_NUM_THREADS=1; ${ctx.launcher ? `${ctx.launcher} ` : ''}${shellQuote(ctx.lmp)} ${LAMMPS_RUN_ARGS.join(' ')}`;
  return jobs.map((job) => ({
    key: `${job.set}/${job.id}`,
    fingerprint: JSON.stringify({ k: job.k, phi: job.phi, T: job.T, seed: job.seed, protocol: ctx.summary, command }),
    command,
    prepare: (dir) => writeLammpsRunFiles(dir, { k: job.k, phi: job.phi, T: job.T, seed: job.seed }, ctx.protocol),
    async collect(dir, exit, where) {
      const r = await readLammpsRunResult(dir, ctx.protocol);
      await ctx.store(job, { positions: r.positions, box: r.box, seconds: exit.seconds }, where);
    },
    async failureDetail(dir) {
      try {
        return (await readFile(join(dir, 'log.lammps'), 'utf8')).trimEnd().split('\n').slice(-6).join('\n');
      } catch {
        return '';
      }
    },
  }));
}
