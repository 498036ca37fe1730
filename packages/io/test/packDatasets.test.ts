import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync, inflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoError, packDatasets, readXyz, readXyzText, writeXyz, writeXyzText, type DataManifest, type PackOptions } from '../src/index';
import { DEFLATE_FINAL_BLOCK } from '../src/dataset/framedGzip';

/** Runs `body` in a fresh temporary folder, removed afterwards whatever happens. */
async function inTempDir(body: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'mddm-io-pack-'));
  try {
    await body(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function readAll(path: string) {
  const frames = [];
  for await (const f of readXyz(path)) frames.push(f);
  return frames;
}

describe('packDatasets', () => {
  it('packs raw per-conformation files into one gzipped file per set + manifest', () => inTempDir(async (root) => {
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
}));

  it('needs an explicit output folder (the shipped data lives in @mddm/data)', async () => {
    await expect(packDatasets({ raw: tmpdir() } as PackOptions)).rejects.toThrow(/packDatasets: out must be the output directory, got undefined/);
    await expect(packDatasets({ raw: tmpdir(), out: '' })).rejects.toMatchObject({ code: 'IO_BAD_ARGUMENT' });
  });

  it('frames the files: every frame reads alone at its manifest span; repack frames an old file with the same frames', () => inTempDir(async (root) => {
    const raw = join(root, 'raw');
    const out = join(root, 'data');
    await mkdir(join(raw, 's'), { recursive: true });
    await mkdir(out);
    const frame = (i: number) => ({ positions: Float64Array.from({ length: 30 }, (_, j) => (i * 0.731 + j * 0.377) % 8), box: [8, 8, 8] as [number, number, number], info: { k: i, phi: 1, T: 0.02, seed: i } });
    for (let i = 0; i < 4; i++) await writeXyz(join(raw, 's', `000${i}_x.xyz`), [frame(i)]);
    const m = await packDatasets({ raw, out });
    const file = await readFile(join(out, 's.xyz.gz'));
    const whole = await readAll(join(out, 's.xyz.gz'));
    m.sets.s.conformations.forEach((c, i) => {
      const text = inflateRawSync(Buffer.concat([file.subarray(c.offset!, c.offset! + c.bytes!), DEFLATE_FINAL_BLOCK])).toString();
      const [alone] = readXyzText(text);
      expect(alone.info.id).toBe(c.id);
      expect(Array.from(alone.positions)).toEqual(Array.from(whole[i].positions));
    });
    // an old, unframed file (one deflate stream) and a manifest without spans, as packed before; no raw folder
    const old = join(root, 'old');
    await mkdir(old);
    await writeFile(join(old, 's.xyz.gz'), gzipSync(writeXyzText(whole)));
    const repacked = await packDatasets({ raw: join(root, 'nowhere'), out: old, repack: ['s'] });
    expect(repacked.sets.s.conformations).toEqual(m.sets.s.conformations);
    expect(await readFile(join(old, 's.xyz.gz'))).toEqual(file);
}));
});
