import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// @mddm/data bundles for a browser: Node built-ins only behind dynamic import() (reached only
// without a baseUrl), none imported statically anywhere in its graph (it uses @mddm/io/browser).
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The part of esbuild's API used here (esbuild is tsup's dependency, not ours: no types to import). */
interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as EsbuildApi;

describe('@mddm/data in a browser bundle', () => {
  it('has no static Node built-in import', async () => {
    const result = await esbuild.build({
      entryPoints: [resolve(repoRoot, 'packages/data/src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['node:*'],
      tsconfig: resolve(repoRoot, 'tsconfig.json'),
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    expect(code).toMatch(/DecompressionStream/);
    expect([...code.matchAll(/^\s*import\b[^;]*?["']node:[^"']+["']/gm)].map((m) => m[0])).toEqual([]);
    expect(code).toMatch(/import\(["']node:fs\/promises["']\)/); // the Node path, loaded lazily
  });
});
