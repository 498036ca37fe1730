import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/browser';
import * as main from '../src/index';

// `@mddm/io/browser` must bundle for a browser: no Node built-in may be imported statically
// anywhere in its import graph (a browser bundler cannot bind `import { x } from 'node:fs'`).
// esbuild (tsup's) bundles it for the browser platform with `node:*` left external, so a static
// Node import would stay in the output as a top-level `import ... from "node:..."`.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The part of esbuild's API used here (esbuild is tsup's dependency, not ours: no types to import). */
interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as EsbuildApi;

async function browserBundle(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [resolve(repoRoot, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    external: ['node:*'],
    tsconfig: resolve(repoRoot, 'tsconfig.json'),
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const staticNodeImports = (code: string) => [...code.matchAll(/^\s*import\b[^;]*?["']node:[^"']+["']/gm)].map((m) => m[0].trim());

describe('@mddm/io/browser', () => {
  it('bundles for the browser without a static Node built-in import, and the bundle runs', async () => {
    const code = await browserBundle('packages/io/src/browser.ts');
    expect(staticNodeImports(code)).toEqual([]);
    // the check can fail: the main entry point (LAMMPS runner, generator) does import Node statically
    expect(staticNodeImports(await browserBundle('packages/io/src/index.ts')).length).toBeGreaterThan(0);
    // self-contained: write -> read through the bundled text functions
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as typeof browser;
    const text = mod.writeXyzText([{ positions: Float64Array.of(0.5, 1.5, 2.5), box: [10, 10, 10], info: { k: 7 } }]);
    const [frame] = mod.readXyzText(text);
    expect(Array.from(frame.positions)).toEqual([0.5, 1.5, 2.5]);
    expect(frame.info.k).toBe(7);
    expect(mod.oppEnergy(1.25, { k: 7, phi: 1 })).toBeCloseTo(main.oppEnergy(1.25, { k: 7, phi: 1 }), 14);
  });

  it('exports the same functions as the main entry point', () => {
    const names = Object.keys(browser);
    expect(names).toEqual(expect.arrayContaining(['readXyzText', 'writeXyzText', 'oppEnergy', 'oppForce', 'IoError']));
    for (const name of names) expect((main as Record<string, unknown>)[name], name).toBe((browser as Record<string, unknown>)[name]);
  });
});
