#!/usr/bin/env node
// Launcher of the `mddm-data` command. It is committed rather than built so that `pnpm install` can
// link the bin in a fresh clone before `pnpm build` has produced dist/ (pnpm warns about, and skips,
// a bin whose target does not exist yet).
import('../dist/bin.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('bin.js')) {
    process.stderr.write(
      'mddm-data: @mddm/io is not built yet. Run `pnpm build`, or `pnpm mddm-data ...` at the root of the mddm repository (runs the TypeScript sources).\n',
    );
    process.exit(1);
  }
  throw e;
});
