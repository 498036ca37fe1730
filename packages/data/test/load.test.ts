import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MddmError } from '@mddm/core';
import { IoError, packDatasets, trainExtension2Plan, trainExtensionPlan, trainTwinsPlan, writeXyz } from '@mddm/io';
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, DataError, defaultDataDir, loadDataManifest, loadDataset, type DatasetName } from '../src/index';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('shipped data sets', () => {
  it('opp-unconditional: one 1000-particle conformation at k = 7, phi = 1, T = 0.03 in a 10^3 box', async () => {
    const frames = await loadDataset('opp-unconditional');
    expect(frames).toHaveLength(1);
    const [f] = frames;
    expect(f.positions.length).toBe(3000);
    expect(f.box).toEqual([10, 10, 10]);
    expect([f.info.k, f.info.phi, f.info.T]).toEqual([7, 1, 0.03]);
    expect(f.positions.every((x) => x >= 0 && x < 10)).toBe(true);
    expect(f.info.set).toBe('opp-unconditional');
  });

  it('opp-replicas: 4 independent replicas at the same parameters, distinct seeds', async () => {
    const frames = await loadDataset('opp-replicas');
    expect(frames).toHaveLength(4);
    expect(new Set(frames.map((f) => f.info.seed)).size).toBe(4);
    for (const f of frames) expect([f.info.k, f.info.phi, f.info.T, f.positions.length]).toEqual([7, 1, 0.03, 3000]);
  });

  it('opp-train-ext, packed as it grows, is exactly the first n draws of trainExtensionPlan (ids, parameters, seeds), disjoint from opp-train', async () => {
    const ext = await loadDataset('opp-train-ext');
    expect(ext.length).toBeGreaterThan(0);
    const plan = trainExtensionPlan().slice(0, ext.length);
    expect(ext.map((f) => [f.info.id, f.info.k, f.info.phi, f.info.T, f.info.seed])).toEqual(plan.map((j) => [j.id, j.k, j.phi, j.T, j.seed]));
    const trainSeeds = new Set((await loadDataset('opp-train')).map((f) => f.info.seed));
    for (const f of ext) expect(trainSeeds.has(f.info.seed)).toBe(false);
  });

  it('opp-train-ext2, packed as it grows, is exactly the first n draws of trainExtension2Plan', async () => {
    const manifest = await loadDataManifest();
    expect(manifest.sets['opp-train-ext2']).toBeDefined();
    const ext2 = await loadDataset('opp-train-ext2');
    expect(ext2.length).toBe(manifest.sets['opp-train-ext2'].count);
    const plan = trainExtension2Plan().slice(0, ext2.length);
    expect(ext2.map((f) => [f.info.id, f.info.k, f.info.phi, f.info.T, f.info.seed])).toEqual(plan.map((j) => [j.id, j.k, j.phi, j.T, j.seed]));
  });

  it('opp-train-twins is exactly the first n jobs of trainTwinsPlan: a second run at opp-train sets 0025 on, same parameters, new seeds', async () => {
    const twins = await loadDataset('opp-train-twins');
    expect(twins.length).toBeGreaterThan(0);
    const plan = trainTwinsPlan().slice(0, twins.length);
    expect(twins.map((f) => [f.info.id, f.info.k, f.info.phi, f.info.T, f.info.seed])).toEqual(plan.map((j) => [j.id, j.k, j.phi, j.T, j.seed]));
    const train = new Map((await loadDataset('opp-train')).map((f) => [String(f.info.id), f]));
    for (const f of twins) {
      const original = train.get(String(f.info.id).replace(/_s\d+$/, ''))!;
      expect([f.info.k, f.info.phi, f.info.T]).toEqual([original.info.k, original.info.phi, original.info.T]);
      expect(Number(String(original.info.id).slice(0, 4))).toBeGreaterThanOrEqual(25);
      expect(f.info.seed).not.toBe(original.info.seed);
      // An independent run, not a copy: the positions differ.
      expect(f.positions.some((x, i) => x !== original.positions[i])).toBe(true);
    }
  });

  it('every packed set matches its manifest (count, atoms, parameters, ranges); the four first sets are packed', async () => {
    const manifest = await loadDataManifest();
    for (const name of ['opp-unconditional', 'opp-replicas', 'opp-train', 'opp-test']) expect(manifest.sets[name], name).toBeDefined();
    for (const name of DATASET_NAMES) {
      const entry = manifest.sets[name];
      if (!entry) continue; // not packed yet (the replica sets while LAMMPS generates them)
      const frames = await loadDataset(name);
      expect(frames.length).toBe(entry.count);
      frames.forEach((f, i) => {
        expect(f.positions.length).toBe(3 * entry.atoms);
        expect(f.info.id).toBe(entry.conformations[i].id);
        expect(f.info.k).toBe(entry.conformations[i].k);
        expect(f.info.k).toBeGreaterThanOrEqual(1);
        expect(f.info.k).toBeLessThanOrEqual(15);
        expect(f.info.phi).toBeGreaterThanOrEqual(0);
        expect(f.info.phi).toBeLessThanOrEqual(6);
        expect(f.info.T).toBeGreaterThanOrEqual(0.01);
        expect(f.info.T).toBeLessThanOrEqual(0.05);
      });
    }
  });

  it('shipped conformations are self-assembled MD structures: no overlaps, a sharp first g(r) peak', async () => {
    // Brute-force minimum-image pair distances (independent of @mddm/pbc and @mddm/rdf).
    const check = (p: Float64Array, L: number) => {
      const n = p.length / 3;
      const dr = 0.05;
      const bins = new Float64Array(60);
      let minD = Infinity;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let s2 = 0;
          for (let d = 0; d < 3; d++) {
            let x = p[3 * j + d] - p[3 * i + d];
            x -= L * Math.round(x / L);
            s2 += x * x;
          }
          const r = Math.sqrt(s2);
          if (r < minD) minD = r;
          if (r < 3) bins[Math.floor(r / dr)] += 2;
        }
      }
      let gMax = 0;
      for (let b = 0; b < 60; b++) gMax = Math.max(gMax, bins[b] / (((n * (n - 1)) / L ** 3) * ((4 / 3) * Math.PI * (((b + 1) * dr) ** 3 - (b * dr) ** 3))));
      return { minD, gMax };
    };
    const manifest = await loadDataManifest();
    for (const name of DATASET_NAMES) {
      if (!manifest.sets[name]) continue;
      for (const f of (await loadDataset(name)).slice(0, 5)) {
        const { minD, gMax } = check(f.positions, f.box[0]);
        expect(minD).toBeGreaterThan(0.85); // r^-15 core: no overlaps
        expect(gMax).toBeGreaterThan(3); // uniform random positions give ~1
      }
    }
  });

  it('the data folder is the package\'s own data/ (or $MDDM_DATA_DIR)', () => {
    expect(defaultDataDir()).toBe(join(pkgDir, 'data'));
    const before = process.env.MDDM_DATA_DIR;
    process.env.MDDM_DATA_DIR = '/somewhere/else';
    try {
      expect(defaultDataDir()).toBe('/somewhere/else');
    } finally {
      if (before === undefined) delete process.env.MDDM_DATA_DIR;
      else process.env.MDDM_DATA_DIR = before;
    }
  });

  it('rejects unknown names and bad options, and reports unpacked sets clearly (typed DataError)', async () => {
    await expect(loadDataset('opp-nope' as DatasetName)).rejects.toThrow(/unknown data set "opp-nope"; expected one of 'opp-unconditional'.*'opp-train-replicas', 'opp-state-frames', 'opp-train-ext', 'opp-train-twins', 'opp-train-ext2'/);
    await expect(loadDataset('opp-nope' as DatasetName)).rejects.toMatchObject({ code: 'DATA_BAD_ARGUMENT' });
    await expect(loadDataset('opp-test', { dataDir: '/x', baseUrl: 'http://127.0.0.1:1/' })).rejects.toThrow(/dataDir or baseUrl, not both/);
    const empty = await mkdtemp(join(tmpdir(), 'mddm-data-empty-'));
    try {
      const e = await loadDataset('opp-train', { dataDir: empty }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DataError);
      expect(e).toBeInstanceOf(MddmError);
      expect(e).toMatchObject({ code: 'DATA_NOT_FOUND', source: join(empty, 'opp-train.xyz.gz') });
      expect((e as Error).message).toMatch(/data set 'opp-train' is not packed there: no such file.*pnpm --filter @mddm\/data pack-data/);
      await expect(loadDataManifest({ dataDir: empty })).rejects.toMatchObject({ code: 'DATA_NOT_FOUND' });
      await writeFile(join(empty, 'manifest.json'), '{"format":"something-else","sets":{}}');
      await expect(loadDataManifest({ dataDir: empty })).rejects.toThrow(/not a data manifest/);
      // a malformed data file is the XYZ parser's IoError, naming the file and line
      const { gzipSync } = await import('node:zlib');
      await writeFile(join(empty, 'opp-test.xyz.gz'), gzipSync('2\nLattice="8 0 0 0 8 0 0 0 8"\nX 1 2 3\n'));
      await expect(loadDataset('opp-test', { dataDir: empty })).rejects.toBeInstanceOf(IoError);
      await expect(loadDataset('opp-test', { dataDir: empty })).rejects.toThrow(/opp-test\.xyz\.gz:3: truncated frame/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('loads a set packed by packDatasets of @mddm/io from any folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mddm-data-pack-'));
    try {
      await mkdir(join(root, 'raw', 'opp-test'), { recursive: true });
      for (const [id, k] of [['0001_b', 3], ['0000_a', 2]] as const) {
        await writeXyz(join(root, 'raw', 'opp-test', `${id}.xyz`), [{ positions: new Float64Array([1, 2, 3, 4, 5, 6]), box: [8, 8, 8], info: { k, phi: 1, T: 0.02, seed: 9 } }]);
      }
      await packDatasets({ raw: join(root, 'raw'), out: join(root, 'data') });
      const frames = await loadDataset('opp-test', { dataDir: join(root, 'data') });
      expect(frames.map((f) => [f.info.id, f.info.k])).toEqual([['0000_a', 2], ['0001_b', 3]]);
      expect(Array.from(frames[1].positions)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await loadDataManifest({ dataDir: join(root, 'data') })).sets['opp-test'].count).toBe(2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
