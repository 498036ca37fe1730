#!/usr/bin/env node
// The `mddm-data` executable: see `mddm-data help` (or CLI_USAGE in ./cli).
import { runCli } from './cli';

runCli(process.argv.slice(2).filter((a, i) => !(i === 1 && a === '--'))).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mddm-data: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
