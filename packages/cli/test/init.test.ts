import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '@mddm/data';
import { OPP_CONDITION_ENCODERS, createDenoiser, loadDenoiser, saveDenoiser, selectBackend } from '@mddm/model';
import { frames, mddm } from './helpers';

let dir: string;
let model: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-cli-init-'));
  // An untrained conditional model of the shipped size (1000 particles, box 10): the plumbing does not depend on the weights.
  const c = createDenoiser({ k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4], conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film', nullCondition: true });
  c.training = { n: 1000, box: [10, 10, 10], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps', conditionKeys: ['k', 'phi', 'T'] };
  model = join(dir, 'model');
  await saveDenoiser(c, model);
  c.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FAST = ['--steps', '2', '--corrector', '0'];

describe('--init nearest-md (retrieval-initialised sampling)', () => {
  it('initCacheLabel: the pool is part of the sample-cache key (a set packed further changes it), noise has none', async () => {
    const { initCacheLabel, NEAREST_MD_DEFAULT } = await import('../src/init');
    const a = initCacheLabel(NEAREST_MD_DEFAULT, ['x', 'y']);
    expect(a).toMatch(/^nearest-md:0\.25:3:4,1,1:stratified\|pool:2:[0-9a-f]{12}$/);
    // the independent draw keeps the label of the samples made before the stratified draw existed
    expect(initCacheLabel({ ...NEAREST_MD_DEFAULT, draw: 'independent' }, ['x', 'y'])).toMatch(/^nearest-md:0\.25:3:4,1,1\|pool:2:/);
    expect(initCacheLabel(NEAREST_MD_DEFAULT, ['x', 'y', 'z'])).not.toBe(a);
    expect(initCacheLabel(NEAREST_MD_DEFAULT, ['x', 'z'])).not.toBe(a);
    expect(initCacheLabel(NEAREST_MD_DEFAULT, ['x', 'y'])).toBe(a);
    expect(initCacheLabel({ kind: 'noise' }, undefined)).toBeUndefined();
  });

  it('mddm sample starts each conformation from a shipped training frame near the conditions and records it', async () => {
    const out = join(dir, 'r.xyz');
    // at the parameters of opp-train 0000: its own frame is among the nearest (sample does not exclude it)
    const [first] = await loadDataset('opp-train');
    const { k, phi, T } = first.info as { k: number; phi: number; T: number };
    const r = await mddm('sample', '--model', model, '--k', String(k), '--phi', String(phi), '--T', String(T), '--count', '3', '--init', 'nearest-md', '--init-sigma', '0.3', ...FAST, '--out', out);
    expect(r.code, r.err).toBe(0);
    const f = await frames(out);
    expect(f.length).toBe(3);
    for (const x of f) {
      expect(x.info.init).toBe('nearest-md:0.3:3:4,1,1:stratified');
      expect(typeof x.info.start).toBe('string');
    }
    expect(f.map((x) => x.info.start)).toContain(first.info.id); // its own frame is one of the 3 nearest (distance 0)
    expect(new Set(f.map((x) => x.info.start)).size).toBe(3); // stratified: 3 conformations, the 3 nearest frames in turn
  });

  it('--init-neighbours and --init-scale set the draw: with 1 neighbour every start is the nearest frame', async () => {
    const out = join(dir, 'n1.xyz');
    const [first] = await loadDataset('opp-train');
    const { k, phi, T } = first.info as { k: number; phi: number; T: number };
    const r = await mddm('sample', '--model', model, '--k', String(k), '--phi', String(phi), '--T', String(T), '--count', '3', '--init', 'nearest-md', '--init-neighbours', '1', '--init-scale', '12,1,0.5', ...FAST, '--out', out);
    expect(r.code, r.err).toBe(0);
    const f = await frames(out);
    // its own frame is at distance 0; any other frame at these exact parameters would tie, and ties go to the lower index (opp-train first)
    expect(f.map((x) => x.info.start)).toEqual([first.info.id, first.info.id, first.info.id]);
    expect(f[0].info.init).toBe('nearest-md:0.25:1:12,1,0.5:stratified');
  });

  it('--init-draw independent: each conformation draws its own start (the label of the earlier releases)', async () => {
    const out = join(dir, 'ind.xyz');
    const r = await mddm('sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', '--count', '6', '--init', 'nearest-md', '--init-draw', 'independent', ...FAST, '--out', out);
    expect(r.code, r.err).toBe(0);
    const f = await frames(out);
    expect(f[0].info.init).toBe('nearest-md:0.25:3:4,1,1');
    const strat = join(dir, 'strat.xyz');
    expect((await mddm('sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', '--count', '6', '--init', 'nearest-md', ...FAST, '--out', strat)).code).toBe(0);
    const s = (await frames(strat)).map((x) => x.info.start);
    expect(s.slice(3)).toEqual(s.slice(0, 3)); // stratified: the 3 nearest in one order, twice
    expect(new Set(s).size).toBe(3);
    expect(f.map((x) => x.info.start)).not.toEqual(s); // (for this seed) the independent draws are not that pattern
  });

  it('usage errors: another size or box, an unknown kind, --init-sigma without nearest-md, an unconditional model', async () => {
    const base = ['sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', ...FAST];
    const small = await mddm(...base, '--n', '64', '--box', '4', '--init', 'nearest-md', '--out', join(dir, 'x.xyz'));
    expect(small.code).toBe(2);
    expect(small.err).toMatch(/1000 particles, box 10/);
    expect((await mddm(...base, '--init', 'lattice', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init must be noise or nearest-md/);
    expect((await mddm(...base, '--init-sigma', '0.2', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init-sigma is for --init nearest-md/);
    expect((await mddm(...base, '--init', 'noise', '--init-scale', '1,1,1', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init-scale is for --init nearest-md/);
    expect((await mddm(...base, '--init', 'nearest-md', '--init-neighbours', '0', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init-neighbours must be an integer >= 1/);
    expect((await mddm(...base, '--init', 'nearest-md', '--init-draw', 'spread', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init-draw must be stratified or independent/);
    expect((await mddm(...base, '--init', 'noise', '--init-draw', 'stratified', '--out', join(dir, 'x.xyz'))).err).toMatch(/--init-draw is for --init nearest-md/);
    for (const bad of ['1,2', '1,-1,1', '0,0,0', 'a,b,c']) {
      const e = await mddm(...base, '--init', 'nearest-md', '--init-scale', bad, '--out', join(dir, 'x.xyz'));
      expect(e.code).toBe(2);
      expect(e.err).toMatch(/--init-scale must be three numbers >= 0/);
    }
    const u = createDenoiser({ k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4] });
    u.training = { n: 1000, box: [10, 10, 10], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps' };
    const um = join(dir, 'u');
    await saveDenoiser(u, um);
    u.dispose();
    expect((await mddm('sample', '--model', um, '--init', 'nearest-md', ...FAST, '--out', join(dir, 'x.xyz'))).err).toMatch(/does not take \(k, phi, T\)/);
  });

  it('mddm evaluate --init nearest-md samples from the pool and never from the set\'s own parameters', async () => {
    const samples = join(dir, 'samples');
    const r = await mddm('evaluate', '--model', model, '--set', 'opp-train', '--limit', '1', '--samples', '2', '--init', 'nearest-md', ...FAST, '--samples-dir', samples);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/init: nearest-md/);
    const { readdir } = await import('node:fs/promises');
    // stratified: the set's two samples start from two different neighbours (recorded in the cached frames)
    const cached = await Promise.all((await readdir(samples)).filter((f) => f.endsWith('.xyz')).map((f) => frames(join(samples, f))));
    const starts = cached.map((c) => c[0].info.start);
    expect(starts.every((s) => typeof s === 'string')).toBe(true);
    expect(new Set(starts).size).toBe(2);
    const noise = await mddm('evaluate', '--model', model, '--set', 'opp-train', '--limit', '1', '--samples', '2', ...FAST, '--samples-dir', samples);
    expect(noise.code).toBe(0);
    expect((await readdir(samples)).filter((f) => f.endsWith('.xyz')).length).toBe(4); // the init is part of the cache key
  });

  it('loadPool near the run\'s conditions loads only the frames a draw can start from, and the run is the same as from the whole pool', async () => {
    const { loadPool, runInit, NEAREST_MD_DEFAULT } = await import('../src/init');
    const d = await loadDenoiser(model);
    try {
      const conditions = [6.4, 1.1, 0.026];
      for (const draw of ['stratified', 'independent'] as const) {
        const init = { ...NEAREST_MD_DEFAULT, sets: ['opp-train', 'opp-train-twins'], draw, neighbours: 3 };
        const whole = await loadPool(init);
        const near = await loadPool(init, { denoiser: d, conditions });
        expect(whole.pool.length).toBe(375);
        expect(near.pool.length).toBe(3);
        const options = { n: 1000, box: 10, steps: 2, corrector: { steps: 0 }, count: 4, seed: 11, conditions };
        const a = await runInit(init, whole.pool, d, options);
        const b = await runInit(init, near.pool, d, options);
        expect(b.starts!.map((i) => near.ids[i])).toEqual(a.starts!.map((i) => whole.ids[i]));
        b.positions.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(a.positions[i])));
      }
    } finally {
      d.dispose();
    }
  });

  it('mddm evaluate keys its cached samples by their start frames: another search that finds the same frames reuses them', async () => {
    const samples = join(dir, 'starts');
    const run = (...flags: string[]) => mddm('evaluate', '--model', model, '--set', 'opp-train', '--limit', '1', '--samples', '2', '--init', 'nearest-md', ...FAST, '--samples-dir', samples, ...flags);
    const first = await run('--init-scale', '4,1,1');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/0 reused, 2 generated/);
    // a scale a hair off finds the same 3 frames in the same order: the same samples
    expect((await run('--init-scale', '4.0001,1,1')).out).toMatch(/2 reused, 0 generated/);
    // another noise level is another sample
    expect((await run('--init-scale', '4,1,1', '--init-sigma', '0.31')).out).toMatch(/0 reused, 2 generated/);
  });

  it('mddm evaluate reuses a sample stored under the whole pool\'s fingerprint (as earlier versions stored them) and stores it under its starts', async () => {
    const { readdir, mkdir } = await import('node:fs/promises');
    const { SampleCache } = await import('../src/sampleCache');
    const { recommendedSampler, samplerFromFlags } = await import('../src/sampler');
    const { resolveModel } = await import('../src/models');
    const { initCacheLabel, loadPool, resolveInit } = await import('../src/init');
    const samples = join(dir, 'legacy');
    await mkdir(samples);
    // the shipped model's opp-test set 0000, sample 0, stored the old way: keyed by the whole pool (any positions do)
    const m = await resolveModel('evaluate', 'opp-conditional');
    try {
      const sampler = samplerFromFlags('evaluate', {}, recommendedSampler(m), m, [0, 0, 0]);
      const cache = await SampleCache.open(samples, m.denoiser, sampler.options);
      const init = resolveInit('evaluate', m, {}, 1000, 10);
      const [set0] = await loadDataset('opp-test');
      const { k, phi, T, id } = set0.info as { k: number; phi: number; T: number; id: string };
      const legacy = { id: `opp-test/${id}`, seed: 0, conditions: [k, phi, T], n: 1000, box: [10, 10, 10] as [number, number, number], init: initCacheLabel(init, init.kind === 'nearest-md' ? (await loadPool(init)).ids : undefined) };
      await cache.put(legacy, set0.positions, { evaluations: 294, sampler: sampler.name, model: 'opp-conditional' });
    } finally {
      m.denoiser.dispose();
    }
    const run = () => mddm('evaluate', '--model', 'opp-conditional', '--set', 'opp-test', '--limit', '1', '--samples', '1', '--samples-dir', samples);
    const r = await run();
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 reused, 0 generated/);
    expect((await readdir(samples)).filter((f) => f.endsWith('.xyz'))).toHaveLength(2); // and the same sample under its starts
    expect((await run()).out).toMatch(/1 reused, 0 generated/);
  });
});
