import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { MODELS_INDEX, modelsIndex } from './scripts/models';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const models = `${repo}packages/pretrained/models`;
const data = `${repo}packages/data/data`;

/**
 * Copies the pretrained models' folders (`packages/pretrained/models/<name>/`) into `dist/models/`
 * with their index (`models/index.json`, empty until the weights exist), and the data sets their
 * `manifest.init` starts from (`packages/data/data/<set>.xyz.gz`) into `dist/data/`.
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
      const sets = new Set<string>();
      for (const name of index.models) {
        await cp(`${models}/${name}`, `${outDir}/models/${name}`, { recursive: true });
        const manifest = JSON.parse(await readFile(`${models}/${name}/model.json`, 'utf8')) as { init?: { sets?: string[] } };
        for (const set of manifest.init?.sets ?? []) sets.add(set);
      }
      await writeFile(`${outDir}/models/${MODELS_INDEX}`, `${JSON.stringify(index)}\n`);
      // the MD frames a model's nearest-md start draws from (manifest.init.sets of @mddm/data), fetched by the
      // worker on the first such sample
      await mkdir(`${outDir}/data`, { recursive: true });
      for (const file of ['manifest.json', ...[...sets].map((s) => `${s}.xyz.gz`)]) await copyFile(`${data}/${file}`, `${outDir}/data/${file}`);
    },
  };
}

// The page imports the packages' public entry points (`@mddm/<name>`, `@mddm/<name>/<subpath>`),
// resolved to their source entries `packages/<name>/src/index.ts` (`src/<subpath>.ts`) as in the
// tests, so it always runs the workspace's current code without a `pnpm build` of the packages; Vite
// compiles them for the browser. No Node stand-ins: the page imports `@mddm/io/browser` (no Node
// built-in in its graph), and the packages it bundles load Node built-ins only lazily (`import()`).
export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [
      { find: /^@mddm\/([a-z-]+)$/, replacement: `${repo}packages/$1/src/index.ts` },
      { find: /^@mddm\/([a-z-]+)\/([a-z-]+)$/, replacement: `${repo}packages/$1/src/$2.ts` },
    ],
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  plugins: [copyPretrainedModels()],
});
