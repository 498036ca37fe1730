#!/usr/bin/env node
import { runMddm } from './run';

// A closed stdout (e.g. `mddm rdf a.xyz | head -1`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await runMddm(process.argv.slice(2));
