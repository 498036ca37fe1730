import { join } from 'node:path';
import { resolveSlurmOptions, type SlurmOptions } from './options';
import { shellQuote } from './command';

/** One array task: the folder it runs in and the shell command it runs there. */
export interface SlurmArrayTask {
  /** Absolute folder of the task (on the shared filesystem): inputs, outputs and the exit file. */
  readonly dir: string;
  /** Shell command run in `dir`, e.g. `lmp -in in.opp -log log.lammps`. */
  readonly command: string;
}

/** Name of the file a task writes into its folder when its command ends: `<exit code> <start> <end>` (epoch seconds). */
export const TASK_EXIT_FILE = 'exit';

/** The Slurm log (stdout + stderr) of array task `index` of job `jobId` in `logDir`. */
export function slurmTaskLog(logDir: string, jobId: string, index: number): string {
  return join(logDir, `${jobId}_${index}.out`);
}

/**
 * The batch script of one job array: one task per entry of `tasks`, task `i` runs `tasks[i].command`
 * in `tasks[i].dir` after the `setup` lines (module loads) and records its exit code and start/end
 * times in `<dir>/exit` (written atomically, so a half-written file is never read). Logs go to
 * `<logDir>/<job>_<task>.out`. `#SBATCH` lines: job name, array range (with the `%maxRunning`
 * throttle), output, one task with `cpusPerTask` CPUs, partition and time when given, then the
 * extra lines.
 *
 * @param tasks - the tasks, in array index order (at least one)
 * @param logDir - absolute folder for the Slurm logs
 * @param options - executor options (partition, time, CPUs, extra lines, setup lines, throttle, job name)
 * @returns the script text
 */
export function slurmArrayScript(tasks: readonly SlurmArrayTask[], logDir: string, options: SlurmOptions = {}): string {
  const slurm = resolveSlurmOptions(options);
  const sb = (s: string) => `#SBATCH ${s}`;
  const lines = [
    '#!/bin/bash',
    `# mddm job array: ${tasks.length} task${tasks.length === 1 ? '' : 's'}, written by @mddm/io (one task = one folder on the shared filesystem)`,
    sb(`--job-name=${slurm.jobName}`),
    sb(`--array=0-${tasks.length - 1}${slurm.maxRunning ? `%${slurm.maxRunning}` : ''}`),
    sb(`--output=${join(logDir, '%A_%a.out')}`),
    sb('--ntasks=1'),
    sb(`--cpus-per-task=${slurm.cpusPerTask}`),
  ];
  if (slurm.partition) lines.push(sb(`--partition=${slurm.partition}`));
  if (slurm.time) lines.push(sb(`--time=${slurm.time}`));
  for (const l of slurm.sbatch) lines.push(l.trim().startsWith('#SBATCH') ? l.trim() : sb(l.trim()));
  lines.push('', 'case "${SLURM_ARRAY_TASK_ID:?this script is a Slurm job array: submit it with sbatch}" in');
  tasks.forEach((t, i) => lines.push(`  ${i}) dir=${shellQuote(t.dir)}; run() { ${t.command}; } ;;`));
  lines.push(`  *) echo "mddm: no task $SLURM_ARRAY_TASK_ID in this array" >&2; exit 97 ;;`, 'esac');
  lines.push('cd "$dir" || exit 98', `rm -f ${TASK_EXIT_FILE} ${TASK_EXIT_FILE}.tmp`);
  if (slurm.setup.length) lines.push('# setup (module loads, environment)', ...slurm.setup);
  lines.push(
    'echo "mddm task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) in $dir"',
    'start=$(date +%s.%N)',
    'run',
    'code=$?',
    'end=$(date +%s.%N)',
    `printf '%s %s %s\\n' "$code" "$start" "$end" > ${TASK_EXIT_FILE}.tmp && mv -f ${TASK_EXIT_FILE}.tmp ${TASK_EXIT_FILE}`,
    'echo "mddm task exit code $code"',
    'exit "$code"',
    '',
  );
  return lines.join('\n');
}
