import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against the TypeScript sources (no build step needed): `@mddm/<name>` resolves to
// `packages/<name>/src/index.ts` (`@mddm/<name>/<entry>` to `src/<entry>.ts`). Published packages resolve to their built `dist/` instead.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@mddm\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      // subpath entry points, e.g. `@mddm/io/cli` -> packages/io/src/cli.ts
      { find: /^@mddm\/([a-z-]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'examples/web/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
