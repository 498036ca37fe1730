import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against the TypeScript sources (no build step needed): `@mddm/<name>` resolves to
// `packages/<name>/src/index.ts`. Published packages resolve to their built `dist/` instead.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@mddm\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` }],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
