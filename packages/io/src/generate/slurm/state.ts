import { existsSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { atomicWrite } from '../../format/files';
import { SlurmError } from './slurmError';

/** One submission of a task. */
export interface SlurmAttempt {
  /** Folder of this attempt (inputs, outputs, exit file). */
  dir: string;
  /** Slurm task id `<job>_<index>` (absent only if the submitting process died inside sbatch). */
  job?: string;
  /** Slurm log of the task. */
  log?: string;
  /** ISO time of the submission. */
  submitted: string;
  /** Outcome once known: `done`, `failed` or `lost` (never submitted; not counted as a failure). */
  outcome?: 'done' | 'failed' | 'lost';
  /** Why it failed. */
  error?: string;
}

/** Every attempt of one task, and the fingerprint of what the task computes. */
export interface SlurmTaskRecord {
  /** A task whose fingerprint changed (e.g. another protocol) starts over. */
  fingerprint: string;
  /** Attempts, oldest first. */
  attempts: SlurmAttempt[];
}

/** `<workDir>/state.json`: what was submitted, so a rerun follows running tasks instead of resubmitting them. */
export interface SlurmState {
  format: 'mddm-slurm-state';
  version: 1;
  /** Job arrays submitted so far (ids, oldest first). */
  jobs: string[];
  /** Task records by key. */
  tasks: Record<string, SlurmTaskRecord>;
}

/** Path of the state file in a work folder. @internal */
export const stateFile = (workDir: string) => join(workDir, 'state.json');

/**
 * Reads `<workDir>/state.json` (a fresh state when there is none).
 * @throws {@link SlurmError} `SLURM_BAD_STATE` when the file exists but is not a state file (it is never overwritten then)
 * @internal
 */
export async function loadSlurmState(workDir: string): Promise<SlurmState> {
  const path = stateFile(workDir);
  if (!existsSync(path)) return { format: 'mddm-slurm-state', version: 1, jobs: [], tasks: {} };
  let s: SlurmState;
  try {
    s = JSON.parse(await readFile(path, 'utf8')) as SlurmState;
  } catch (e) {
    throw new SlurmError(`${path} is not readable JSON (${(e as Error).message}); it records submitted Slurm jobs: move it away to start over`, 'SLURM_BAD_STATE', { cause: e });
  }
  if (!s || s.format !== 'mddm-slurm-state' || typeof s.tasks !== 'object') {
    throw new SlurmError(`${path} is not an mddm Slurm state file; move it away or use another output folder`, 'SLURM_BAD_STATE');
  }
  s.jobs ??= [];
  return s;
}

/** Writes the state atomically. @internal */
export async function saveSlurmState(workDir: string, state: SlurmState): Promise<void> {
  const text = JSON.stringify(state, null, 1) + '\n';
  await atomicWrite(stateFile(workDir), (w) => w(text));
}

/**
 * Takes `<workDir>/lock` (pid and host of this process) so that two runs of the same command do not
 * submit the same tasks twice; a lock left by a process that is gone (same host) is taken over.
 * @returns a function releasing it
 * @throws {@link SlurmError} `SLURM_BUSY` when another live process holds it
 * @internal
 */
export async function lockWorkDir(workDir: string): Promise<() => Promise<void>> {
  const path = join(workDir, 'lock');
  const me = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, me + '\n', { flag: 'wx' });
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => '')).trim() === me) await unlink(path).catch(() => {});
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
    const [pid, host] = holder.split('@');
    let alive = host !== hostname(); // another host: cannot tell, assume alive
    if (!alive) {
      try {
        process.kill(Number(pid), 0);
        alive = true;
      } catch (e) {
        alive = (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (alive) throw new SlurmError(`${workDir} is in use by process ${holder} (another run of this command); wait for it, or delete ${path} if that process is gone`, 'SLURM_BUSY');
    await unlink(path).catch(() => {});
  }
  throw new SlurmError(`could not take ${path}`, 'SLURM_BUSY');
}
