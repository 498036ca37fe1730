import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Build, pack, install the tarballs (data and its dependencies io, pbc, core) offline in a scratch
// project, and load a data set from the installed package's own folder, by ESM import and CJS require.
const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(pkgDir, '../..');
const PACKAGES = ['core', 'pbc', 'io', 'data'];
const tmp = mkdtempSync(join(tmpdir(), 'mddm-data-pack-'));
// npm/pnpm pass their config to children through npm_config_* variables; keep the child clean
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|MDDM_DATA_DIR$)/i.test(key)));

// asynchronous, so that the test worker keeps answering vitest while the builds run
async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return (await promisify(execFile)(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 })).stdout;
}

// pbc from its tarball (the base packages' packaging is checked here too: one test builds and packs,
// so no two test files rebuild the same dist/ folders at the same time)
const PBC_BODY = `
const x = Float64Array.of(-1, 11, 25, 0.5, 0.5, 0.5, 9.5, 9.5, 9.5, 5, 5, 5);
const w = Array.from(pbc.wrap(x, 10));
const knn = pbc.periodicKnn(x, 10, 1);
let typed = false;
try { pbc.toBox(-1); } catch (e) { typed = e instanceof pbc.PbcError && e instanceof pbc.MddmError && e.code === 'PBC_BAD_BOX'; }
console.log(JSON.stringify({ w, idx: Array.from(knn.indices), d1: knn.distances[1], typed }));
`;

const SCRIPT_BODY = `
const [f] = await data.loadDataset('opp-unconditional');
const manifest = await data.loadDataManifest();
let typed = false;
try { await data.loadDataset('nope'); } catch (e) { typed = e instanceof data.DataError && e.code === 'DATA_BAD_ARGUMENT'; }
console.log(JSON.stringify({ n: f.positions.length / 3, k: f.info.k, first: f.positions[0], dir: data.defaultDataDir(), count: manifest.sets['opp-train'].count, typed }));
`;

describe('core, pbc, io and data installed from their tarballs', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads a data set from the installed package (ESM and CJS); the io tarball ships no data', { timeout: 480_000 }, async () => {
    await run('pnpm', PACKAGES.flatMap((p) => ['--filter', `@mddm/${p}`]).concat('build'), repoRoot);
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) expect(existsSync(join(pkgDir, 'dist', f))).toBe(true);
    for (const p of PACKAGES) await run('pnpm', ['pack', '--pack-destination', tmp], resolve(repoRoot, 'packages', p));
    const tgz = (name: string) => join(tmp, readdirSync(tmp).find((f) => f.startsWith(`mddm-${name}-`) && f.endsWith('.tgz'))!);
    const listing = async (name: string) => (await run('tar', ['-tzf', tgz(name)], tmp)).split('\n');
    expect(await listing('data')).toEqual(expect.arrayContaining(['package/data/manifest.json', 'package/data/opp-train.xyz.gz']));
    expect((await listing('io')).filter((f) => /\.xyz(\.gz)?$|manifest\.json$/.test(f))).toEqual([]);
    const proj = join(tmp, 'scratch');
    await run('mkdir', ['-p', proj], tmp);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
    // no third-party runtime dependencies: the install works offline
    await run('npm', ['install', ...PACKAGES.map(tgz), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], proj);
    expect(existsSync(join(proj, 'node_modules/@mddm/data/src'))).toBe(false); // only dist + data + README ship
    writeFileSync(join(proj, 'esm.mjs'), `const data = await import('@mddm/data');\n${SCRIPT_BODY}`);
    writeFileSync(join(proj, 'cjs.cjs'), `const data = require('@mddm/data');\n(async () => {${SCRIPT_BODY}})();`);
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const out = JSON.parse((await run('node', [file], proj)).trim());
      expect(out, file).toMatchObject({ n: 1000, k: 7, dir: join(proj, 'node_modules/@mddm/data/data'), count: 200, typed: true });
      expect(out.first).toBeGreaterThanOrEqual(0);
    }
    expect(existsSync(join(proj, 'node_modules/@mddm/pbc/dist/index.d.ts'))).toBe(true);
    writeFileSync(join(proj, 'pbc-esm.mjs'), `const pbc = await import('@mddm/pbc');\n${PBC_BODY}`);
    writeFileSync(join(proj, 'pbc-cjs.cjs'), `const pbc = require('@mddm/pbc');\n${PBC_BODY}`);
    for (const file of ['pbc-esm.mjs', 'pbc-cjs.cjs']) {
      const out = JSON.parse((await run('node', [file], proj)).trim());
      expect(out.w, file).toEqual([9, 1, 5, 0.5, 0.5, 0.5, 9.5, 9.5, 9.5, 5, 5, 5]);
      expect(out.idx).toEqual([1, 2, 1, 0]); // row 0: points 1 and 2 tie at sqrt(22.75); the lower index wins
      expect(out.d1).toBeCloseTo(Math.sqrt(3), 12);
      expect(out.typed).toBe(true);
    }
  });
});
