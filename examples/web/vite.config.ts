import { cp, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { MODELS_INDEX, modelsIndex } from './scripts/models';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const models = `${repo}packages/pretrained/models`;

/**
 * Copies the pretrained models' folders (`packages/pretrained/models/<name>/`) into `dist/models/`
 * with their index (`models/index.json`, empty until the weights exist).
 */
function copyPretrainedModels(): Plugin {
  let outDir = `${here}dist`;
  return {
    name: 'mddm-copy-pretrained-models',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const index = await modelsIndex(models);
      await mkdir(`${outDir}/models`, { recursive: true });
      for (const name of index.models) await cp(`${models}/${name}`, `${outDir}/models/${name}`, { recursive: true });
      await writeFile(`${outDir}/models/${MODELS_INDEX}`, `${JSON.stringify(index)}\n`);
    },
  };
}

/**
 * `@mddm/io`'s entry imports Node built-ins statically (`node:fs`, `node:zlib`, ... in its file
 * readers and writers), so a browser bundle cannot bind them. The page uses only its pure functions
 * (`writeXyzText`, `oppEnergy`); every `node:*` module resolves to a stand-in whose functions throw
 * a clear error if called (none is: the end-to-end test fails on any console error).
 */
function nodeBuiltinsUnavailable(): Plugin {
  const PREFIX = '\0mddm-node-unavailable:';
  return {
    name: 'mddm-node-builtins-unavailable',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith('node:') ? PREFIX + id : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const mod = JSON.stringify(id.slice(PREFIX.length));
      return {
        code: `const unavailable = (name) => function () { throw new Error(${mod} + '.' + name + ' is not available in the browser (Node only)'); };
export const __node = new Proxy({}, { get: (_, name) => unavailable(String(name)) });
export default __node;`,
        syntheticNamedExports: '__node',
      };
    },
  };
}

// The page imports the packages' public entry points (`@mddm/<name>`), resolved to their source
// entries `packages/<name>/src/index.ts` as in the tests, so it always runs the workspace's current
// code without a `pnpm build` of the packages; Vite compiles them for the browser.
export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [{ find: /^@mddm\/([a-z-]+)$/, replacement: `${repo}packages/$1/src/index.ts` }],
  },
  worker: { format: 'es', plugins: () => [nodeBuiltinsUnavailable()] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  plugins: [nodeBuiltinsUnavailable(), copyPretrainedModels()],
});
