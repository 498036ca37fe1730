import { runCommand } from './command';
import type { ResolvedSlurmOptions } from './options';
import { SlurmError } from './slurmError';

/**
 * Submits a batch script with `sbatch --parsable` and returns the job id (`12345`; an array's tasks
 * are `12345_0`, `12345_1`, ...).
 *
 * @param script - path of the batch script (on the shared filesystem)
 * @param slurm - resolved executor options (the `sbatch` executable)
 * @returns the job id
 * @throws {@link SlurmError} `SLURM_NOT_FOUND` when `sbatch` cannot be started, `SLURM_SUBMIT_FAILED` with sbatch's message
 */
export async function submitSlurmScript(script: string, slurm: Pick<ResolvedSlurmOptions, 'sbatchCommand'>): Promise<string> {
  let r;
  try {
    r = await runCommand(slurm.sbatchCommand, ['--parsable', script]);
  } catch (e) {
    throw new SlurmError(
      `'${slurm.sbatchCommand}' could not be started (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the slurm executor runs on a host with Slurm's client commands (a login node; 'module load slurm' on some clusters)`,
      'SLURM_NOT_FOUND',
      { cause: e },
    );
  }
  const id = r.stdout.trim().split(';')[0];
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    throw new SlurmError(`sbatch refused ${script} (exit ${r.code}): ${(r.stderr || r.stdout).trim() || 'no message'}`, 'SLURM_SUBMIT_FAILED');
  }
  return id;
}
