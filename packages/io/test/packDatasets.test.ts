import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoError, packDatasets, readXyz, writeXyz, type DataManifest, type PackOptions } from '../src/index';

async function readAll(path: string) {
  const frames = [];
  for await (const f of readXyz(path)) frames.push(f);
  return frames;
}

describe('packDatasets', () => {
  it('packs raw per-conformation files into one gzipped file per set + manifest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mddm-io-pack-'));
    try {
      const raw = join(root, 'raw');
      const out = join(root, 'data');
      await mkdir(join(raw, 'opp-test'), { recursive: true });
      for (const [id, k] of [['0001_b', 3], ['0000_a', 2]] as const) {
        await writeXyz(join(raw, 'opp-test', `${id}.xyz`), [{ positions: new Float64Array([1, 2, 3, 4, 5, 6]), box: [8, 8, 8], info: { k, phi: 1, T: 0.02, seed: 9, protocol: 'p' } }]);
      }
      await writeFile(join(raw, 'opp-test', 'notes.txt'), 'ignored');
      const m = await packDatasets({ raw, out });
      expect(m.sets['opp-test'].count).toBe(2);
      expect(m.sets['opp-test'].conformations.map((c) => [c.id, c.k])).toEqual([['0000_a', 2], ['0001_b', 3]]);
      expect(m.sets['opp-test'].protocols).toEqual(['p']);
      const frames = await readAll(join(out, 'opp-test.xyz.gz'));
      expect(frames.map((f) => [f.info.id, f.info.set])).toEqual([['0000_a', 'opp-test'], ['0001_b', 'opp-test']]);
      expect((JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as DataManifest).sets['opp-test'].count).toBe(2);
      // malformed raw file -> IoError naming it
      await writeFile(join(raw, 'opp-test', '0002_c.xyz'), '2\nLattice="8 0 0 0 8 0 0 0 8"\nX 1 2 3\n');
      await expect(packDatasets({ raw, out })).rejects.toBeInstanceOf(IoError);
      await expect(packDatasets({ raw, out })).rejects.toThrow(/0002_c\.xyz:3: truncated frame/);
      // the previous packed file is intact (atomic write)
      expect(await readAll(join(out, 'opp-test.xyz.gz'))).toHaveLength(2);
      expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('needs an explicit output folder (the shipped data lives in @mddm/data)', async () => {
    await expect(packDatasets({ raw: tmpdir() } as PackOptions)).rejects.toThrow(/packDatasets: out must be the output directory, got undefined/);
    await expect(packDatasets({ raw: tmpdir(), out: '' })).rejects.toMatchObject({ code: 'IO_BAD_ARGUMENT' });
  });
});
