import { ProgressBar } from '@mddm/io';

/** Where the CLI writes: results to stdout, warnings and progress to stderr (both replaceable in tests). */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** Output helpers of one CLI run. */
export interface CliIo {
  /** A result line on stdout. */
  say(line: string): void;
  /** A warning line on stderr. */
  warn(line: string): void;
  /** A progress bar with ETA on stderr. */
  progress(total: number, label: string): { tick(n?: number, extra?: string): void; done(): void };
}

/** @returns {@link CliIo} over the streams */
export function cliIo(streams: CliStreams): CliIo {
  return {
    say: (line) => void streams.stdout.write(line + '\n'),
    warn: (line) => void streams.stderr.write(line + '\n'),
    progress: (total, label) => {
      const bar = new ProgressBar(Math.max(1, total), { label, stream: streams.stderr });
      return { tick: (n = 1, extra?: string) => bar.tick(n, extra), done: () => bar.done() };
    },
  };
}
