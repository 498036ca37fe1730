import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Build, pack, install the tarballs (pbc and its one dependency, @mddm/core) in a scratch project and
// import pbc both ways (ESM + CJS).
const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(pkgDir, '../..');
const coreDir = resolve(pkgDir, '../core');
const tmp = mkdtempSync(join(tmpdir(), 'mddm-pbc-pack-'));
// npm/pnpm pass their config to children through npm_config_* variables; keep the child clean
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

const SCRIPT_BODY = `
const x = Float64Array.of(-1, 11, 25, 0.5, 0.5, 0.5, 9.5, 9.5, 9.5, 5, 5, 5);
const w = Array.from(pbc.wrap(x, 10));
const knn = pbc.periodicKnn(x, 10, 1);
let typed = false;
try { pbc.toBox(-1); } catch (e) { typed = e instanceof pbc.PbcError && e instanceof pbc.MddmError && e.code === 'PBC_BAD_BOX'; }
console.log(JSON.stringify({ w, idx: Array.from(knn.indices), d1: knn.distances[1], typed }));
`;

describe('npm pack installs and imports in a scratch project', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('ESM import and CJS require both work and compute a wrap and a kNN', () => {
    run('pnpm', ['--filter', '@mddm/core', '--filter', '@mddm/pbc', 'build'], repoRoot);
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) expect(existsSync(join(pkgDir, 'dist', f))).toBe(true);
    // `pnpm pack` turns the `workspace:^` range into the published one (^0.x.y)
    for (const dir of [coreDir, pkgDir]) run('pnpm', ['pack', '--pack-destination', tmp], dir);
    const tgz = (name: string) => join(tmp, readdirSync(tmp).find((f) => f.startsWith(`mddm-${name}-`) && f.endsWith('.tgz'))!);
    const proj = join(tmp, 'scratch');
    run('mkdir', ['-p', proj], tmp);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
    // no third-party runtime dependencies: the install works offline
    run('npm', ['install', tgz('core'), tgz('pbc'), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], proj);
    expect(existsSync(join(proj, 'node_modules/@mddm/pbc/dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(proj, 'node_modules/@mddm/pbc/src'))).toBe(false); // only dist + README ship
    writeFileSync(join(proj, 'esm.mjs'), `const pbc = await import('@mddm/pbc');\n${SCRIPT_BODY}`);
    writeFileSync(join(proj, 'cjs.cjs'), `const pbc = require('@mddm/pbc');\n${SCRIPT_BODY}`);
    const expected = { w: [9, 1, 5, 0.5, 0.5, 0.5, 9.5, 9.5, 9.5, 5, 5, 5], idx: [1, 2, 1, 0] /* row 0: points 1 and 2 tie at sqrt(22.75); the lower index wins */, d1: Math.sqrt(3), typed: true };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const out = JSON.parse(run('node', [file], proj).trim());
      expect(out.w).toEqual(expected.w);
      expect(out.idx).toEqual(expected.idx);
      expect(out.d1).toBeCloseTo(expected.d1, 12);
      expect(out.typed).toBe(true);
    }
  });
});
