import { describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir, loadConditionIndex, loadConditionPool, loadDataset } from '../src/index';

describe('loadConditionPool', () => {
  it('concatenates the sets in order with each frame\'s conditions read from its info', async () => {
    const pool = await loadConditionPool({ sets: ['opp-test', 'opp-unconditional'] });
    const test = await loadDataset('opp-test');
    const [target] = await loadDataset('opp-unconditional');
    expect(pool.length).toBe(test.length + 1);
    expect(pool[3].conditions).toEqual([test[3].info.k, test[3].info.phi, test[3].info.T]);
    expect(pool[3].id).toBe(test[3].info.id);
    expect(Array.from(pool[3].positions)).toEqual(Array.from(test[3].positions));
    expect(pool[test.length].conditions).toEqual([7, 1, 0.03]);
    expect(pool[test.length].box).toEqual(target.box);
    expect((await loadConditionPool({ sets: ['opp-test'] }, { keys: ['T'] }))[0].conditions).toEqual([test[0].info.T]);
    const pinned = await loadConditionPool({ sets: ['opp-test', 'opp-unconditional'], counts: { 'opp-test': 5 } });
    expect(pinned.map((f) => f.id)).toEqual([...test.slice(0, 5).map((f) => f.info.id), target.info.id]);
  });

  it('names an unknown set or a missing condition', async () => {
    await expect(loadConditionPool({ sets: [] })).rejects.toThrow(/non-empty array/);
    await expect(loadConditionPool({ sets: ['opp-nothing'] })).rejects.toThrow(/opp-nothing/);
    await expect(loadConditionPool({ sets: ['opp-test'] }, { keys: ['k', 'epsilon'] })).rejects.toThrow(/no finite info\.epsilon/);
    await expect(loadConditionPool({ sets: ['opp-test'], counts: { 'opp-test': 26 } })).rejects.toThrow(/counts\['opp-test'\] must be an integer in \[0, 25\]/);
  });
});

describe('loadConditionIndex and loadConditionPool({ ids })', () => {
  const spec = { sets: ['opp-test', 'opp-train'], counts: { 'opp-train': 40 } };

  it('the index is the pool without positions: same ids, order and conditions, from the manifest alone', async () => {
    const pool = await loadConditionPool(spec);
    const index = await loadConditionIndex(spec);
    expect(index.map((e) => e.id)).toEqual(pool.map((f) => f.id));
    expect(index.map((e) => e.conditions)).toEqual(pool.map((f) => f.conditions));
    expect(index[25]).toMatchObject({ set: 'opp-train', index: 0 });
    expect((await loadConditionIndex(spec, { keys: ['seed'] }))[0].conditions).toEqual([(await loadDataset('opp-test'))[0].info.seed]);
  });

  it('ids: exactly those frames, in the pool\'s order whatever the order asked, equal to the full load', async () => {
    const pool = await loadConditionPool(spec);
    const pick = [pool[39].id, pool[2].id, pool[30].id];
    const some = await loadConditionPool(spec, { ids: pick });
    expect(some.map((f) => f.id)).toEqual([pool[2].id, pool[30].id, pool[39].id]);
    for (const f of some) {
      const full = pool.find((g) => g.id === f.id)!;
      expect(f.conditions).toEqual(full.conditions);
      expect(f.box).toEqual(full.box);
      expect(Array.from(f.positions)).toEqual(Array.from(full.positions));
    }
    expect(await loadConditionPool(spec, { ids: [] })).toEqual([]);
  });

  it('reads only the sets that hold a requested frame', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mddm-data-ids-'));
    try {
      // a data folder with the manifest and opp-test's file only: opp-train's frames cannot be read from it
      await copyFile(join(defaultDataDir(), 'manifest.json'), join(dir, 'manifest.json'));
      await copyFile(join(defaultDataDir(), 'opp-test.xyz.gz'), join(dir, 'opp-test.xyz.gz'));
      const index = await loadConditionIndex(spec, { dataDir: dir });
      const [f] = await loadConditionPool(spec, { dataDir: dir, ids: [index[3].id] });
      expect(f.id).toBe(index[3].id);
      await expect(loadConditionPool(spec, { dataDir: dir, ids: [index[30].id] })).rejects.toThrow(/no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names an id outside the pool, bad ids, a key the manifest lacks, and a file that disagrees with the manifest', async () => {
    const index = await loadConditionIndex(spec);
    await expect(loadConditionPool(spec, { ids: ['nope'] })).rejects.toThrow(/no frame 'nope' in the pool of opp-test, opp-train/);
    // opp-train's 41st frame is packed but outside the pinned count
    const [, , beyond] = (await loadConditionIndex({ sets: ['opp-train'] })).slice(38, 41);
    await expect(loadConditionPool(spec, { ids: [beyond.id] })).rejects.toThrow(/no frame/);
    await expect(loadConditionPool(spec, { ids: [3 as unknown as string] })).rejects.toThrow(/ids must be an array of frame ids/);
    await expect(loadConditionIndex(spec, { keys: ['epsilon'] })).rejects.toThrow(/lists no finite 'epsilon'/);
    await expect(loadConditionIndex({ sets: ['opp-test'], counts: { 'opp-test': 30 } })).rejects.toThrow(/counts\['opp-test'\] must be an integer in \[0, 25\]/);
    const dir = await mkdtemp(join(tmpdir(), 'mddm-data-ids-'));
    try {
      const manifest = JSON.parse(await readFile(join(defaultDataDir(), 'manifest.json'), 'utf8'));
      const list = manifest.sets['opp-test'].conformations;
      await copyFile(join(defaultDataDir(), 'opp-test.xyz.gz'), join(dir, 'opp-test.xyz.gz'));
      // framed: the ids swapped, each frame's bytes left where they are
      expect(list[0].offset).toBeTypeOf('number');
      [list[0].id, list[1].id] = [list[1].id, list[0].id];
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      await expect(loadConditionPool({ sets: ['opp-test'] }, { dataDir: dir, ids: [index[0].id] })).rejects.toThrow(/frame 1 of opp-test is .*, the manifest lists/);
      // not framed (a set packed before framing): the whole file is streamed and checked in order
      for (const c of list) delete c.offset, delete c.bytes;
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      await expect(loadConditionPool({ sets: ['opp-test'] }, { dataDir: dir, ids: [index[0].id] })).rejects.toThrow(/frame 1 of opp-test is .*, the manifest lists/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a framed set (offsets in the manifest): a frame is read from its own bytes alone, nothing else of the file', async () => {
    const index = await loadConditionIndex(spec);
    const e = index.find((x) => x.set === 'opp-train' && x.index === 7)!;
    expect(e.span).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'mddm-data-span-'));
    try {
      await copyFile(join(defaultDataDir(), 'manifest.json'), join(dir, 'manifest.json'));
      // a file of the right length that holds only this frame's bytes: anything read beyond them would not inflate
      const real = await readFile(join(defaultDataDir(), 'opp-train.xyz.gz'));
      const holey = new Uint8Array(real.length);
      holey.set(real.subarray(e.span!.offset, e.span!.offset + e.span!.bytes), e.span!.offset);
      await writeFile(join(dir, 'opp-train.xyz.gz'), holey);
      const [f] = await loadConditionPool(spec, { dataDir: dir, ids: [e.id] });
      const full = (await loadDataset('opp-train'))[7];
      expect(f.id).toBe(full.info.id);
      expect(Array.from(f.positions)).toEqual(Array.from(full.positions));
      // a span that is not a frame's: a typed error, not garbage
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      manifest.sets['opp-train'].conformations[7].offset += 1;
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      await expect(loadConditionPool(spec, { dataDir: dir, ids: [e.id] })).rejects.toMatchObject({ code: 'DATA_ERROR' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
