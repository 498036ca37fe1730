#!/usr/bin/env node
import { runMddm } from './run';

// A closed stdout (e.g. `mddm rdf a.xyz | head -1`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
// No top-level await: the CJS build of this entry must load too.
void runMddm(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
