import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './command';
import type { ResolvedSlurmOptions } from './options';
import { TASK_EXIT_FILE } from './script';
import { SlurmError } from './slurmError';

/** Slurm job states of a task that has not ended yet. */
export const SLURM_ACTIVE_STATES: ReadonlySet<string> = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD',
]);

/**
 * States of the tasks of some jobs, keyed `<job>_<task>`, from `squeue -r -t all` (which still lists
 * ended tasks for the cluster's `MinJobAge`, 300 s by default) and, for tasks it no longer lists,
 * `sacct` when accounting is enabled. A task missing from the map is unknown to both.
 *
 * @param jobIds - array job ids
 * @param slurm - the client commands
 * @param useSacct - also ask `sacct` (skipped when it already failed once: no accounting)
 * @returns the states, and whether sacct answered
 * @throws {@link SlurmError} `SLURM_NOT_FOUND` / `SLURM_QUERY_FAILED` when squeue cannot be run
 */
export async function slurmTaskStates(jobIds: readonly string[], slurm: Pick<ResolvedSlurmOptions, 'squeueCommand' | 'sacctCommand'>, useSacct = true): Promise<{ states: Map<string, string>; sacct: boolean }> {
  const states = new Map<string, string>();
  if (jobIds.length === 0) return { states, sacct: useSacct };
  let r;
  try {
    r = await runCommand(slurm.squeueCommand, ['-h', '-r', '-t', 'all', '-j', jobIds.join(','), '-o', '%i|%T']);
  } catch (e) {
    throw new SlurmError(`'${slurm.squeueCommand}' could not be started (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'SLURM_NOT_FOUND', { cause: e });
  }
  // "Invalid job id specified": every listed job has left slurmctld's memory; not an error.
  if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) throw new SlurmError(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`, 'SLURM_QUERY_FAILED');
  for (const line of r.stdout.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (id && state) states.set(id, state.split(' ')[0]);
  }
  let sacct = useSacct;
  if (useSacct) {
    try {
      const a = await runCommand(slurm.sacctCommand, ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State']);
      if (a.code !== 0) sacct = false;
      else {
        for (const line of a.stdout.split('\n')) {
          const [id, state] = line.trim().split('|');
          // sacct states read e.g. "CANCELLED by 0"
          if (id && state && !states.has(id)) states.set(id, state.split(' ')[0]);
        }
      }
    } catch {
      sacct = false; // no sacct on this host
    }
  }
  return { states, sacct };
}

/** What a task's exit file says: its command's exit code and how long it ran. */
export interface TaskExit {
  /** Exit code of the task's command. */
  code: number;
  /** Seconds between the start and the end of the command. */
  seconds: number;
  /** Start of the command, epoch seconds (NaN if unknown). */
  start: number;
}

/**
 * Reads `<dir>/exit`, written by the task script when the command ends.
 * @returns the exit code and seconds, or `undefined` when the task has not written it (yet)
 */
export async function readTaskExit(dir: string): Promise<TaskExit | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, TASK_EXIT_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const [code, start, end] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(code)) return undefined;
  const seconds = Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : NaN;
  return { code, seconds, start: Number.isFinite(start) ? start : NaN };
}
