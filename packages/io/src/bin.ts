#!/usr/bin/env node
// The `mddm-data` executable: see `mddm-data help` (or CLI_USAGE in ./cli).
import { runDataCli } from './cli';

// `mddm-data generate --dry-run | head` closes stdout early: stop quietly, as Unix tools do, instead
// of crashing with an unhandled EPIPE. Nothing is lost: the reader asked for no more output.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(0);
});

runDataCli(process.argv.slice(2).filter((a, i) => !(i === 1 && a === '--'))).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mddm-data: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
