import { spawn } from 'node:child_process';

/** Output of one finished command. @internal */
export interface CommandResult {
  /** Exit code (null: killed by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a Slurm client command (`sbatch`, `squeue`, `sacct`, `scancel`) and collects its output.
 * Rejects only when the command cannot be started (e.g. `ENOENT`); a non-zero exit resolves.
 * @internal
 */
export function runCommand(command: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 16384) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Quotes a string for a POSIX shell (single quotes). @internal */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
