import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RdfAccumulator, rdf, rdfMse } from '@mddm/rdf';
import { loadDataset } from '@mddm/data';
import { OPP_CONDITION_ENCODERS, createDenoiser, loadDenoiser, saveDenoiser, selectBackend } from '@mddm/model';
import { weightsFingerprint } from '../src/sampleCache';
import { frames, mddm } from './helpers';

let dir: string;
let conditional: string;
let unconditional: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-cli-'));
  // Small untrained models: the CLI's plumbing does not depend on the weights.
  const tiny = { k: 6, layers: 2, width: 8, hidden: [8], headHidden: [8] };
  const c = createDenoiser({ ...tiny, conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film', nullCondition: true });
  c.training = { n: 64, box: [4, 4, 4], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps', conditionKeys: ['k', 'phi', 'T'] };
  conditional = join(dir, 'cond');
  await saveDenoiser(c, conditional);
  c.dispose();
  const u = createDenoiser(tiny);
  u.training = { ...c.training!, conditionKeys: undefined };
  unconditional = join(dir, 'uncond');
  await saveDenoiser(u, unconditional);
  u.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mddm sample', () => {
  it('writes extended XYZ with the lattice, pbc and the conditions, and prints NFE', async () => {
    const out = join(dir, 's.xyz');
    const r = await mddm('sample', '--model', conditional, '--k', '7', '--phi', '1', '--T', '0.03', '--n', '64', '--box', '4', '--count', '2', '--steps', '5', '--corrector', '0', '--out', out);
    expect(r.err).not.toMatch(/warning/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NFE: 5$/m);
    expect(r.out).toMatch(/time: [\d.]+ s/);
    const f = await frames(out);
    expect(f.length).toBe(2);
    expect(f[0].box).toEqual([4, 4, 4]);
    expect(f[0].positions.length).toBe(64 * 3);
    expect([f[0].info.k, f[0].info.phi, f[0].info.T]).toEqual([7, 1, 0.03]);
    for (const x of f[1].positions) expect(x >= 0 && x < 4).toBe(true);
  });

  it('counts two evaluations per step with classifier-free guidance', async () => {
    const r = await mddm('sample', '--model', conditional, '--k', '7', '--phi', '1', '--T', '0.03', '--n', '64', '--box', '4', '--steps', '4', '--corrector', '0', '--guidance', '1.5', '--out', join(dir, 'g.xyz'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NFE: 8$/m);
  });

  it('warns about conditions outside the training ranges (extrapolation) and still samples', async () => {
    const r = await mddm('sample', '--model', conditional, '--k', '20', '--phi', '1', '--T', '0.03', '--n', '64', '--box', '4', '--steps', '2', '--corrector', '0', '--out', join(dir, 'x.xyz'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: k = 20 is outside the training range \[1, 15\]: extrapolation/);
  });

  it('gives one clear line and a non-zero exit for bad input', async () => {
    const cases: [string[], number, RegExp][] = [
      [['sample', '--out', 'a.xyz'], 2, /--model is required/],
      [['sample', '--model', conditional, '--k', 'seven', '--phi', '1', '--T', '0.03', '--out', join(dir, 'a.xyz')], 2, /--k must be a number, got 'seven'/],
      [['sample', '--model', conditional, '--k', '7', '--phi', '1', '--out', join(dir, 'a.xyz')], 2, /missing --T/],
      [['sample', '--model', unconditional, '--k', '7', '--out', join(dir, 'a.xyz')], 2, /unconditional; remove --k/],
      [['sample', '--model', 'opp-nonexistent', '--out', join(dir, 'a.xyz')], 1, /unknown model 'opp-nonexistent'.*opp-conditional/],
      [['sample', '--model', conditional, '--k', '7', '--phi', '1', '--T', '0.03', '--out', join(dir, 'no', 'such', 'a.xyz')], 1, /cannot write .*does not exist/],
      [['sample', '--model', conditional, '--bogus'], 2, /bogus/],
      [['sample', '--model', unconditional, '--n', '64', '--box', '4', '--sampler', 'magic', '--out', join(dir, 'a.xyz')], 2, /unknown --sampler 'magic'/],
      [['sample', '--model', unconditional, '--n', '64', '--box', '4', '--guidance', '2', '--out', join(dir, 'a.xyz')], 2, /null condition/],
      [['frobnicate'], 2, /unknown command 'frobnicate'/],
      // a negative number after a flag is its value (node's parser alone calls it "ambiguous"), then range-checked
      [['sample', '--model', conditional, '--k', '7', '--phi', '1', '--T', '-0.03', '--out', join(dir, 'a.xyz')], 2, /--T must be > 0/],
      [['sample', '--model', unconditional, '--box', '-1', '--out', join(dir, 'a.xyz')], 2, /--box must be a number > 0, got '-1'/],
      [['sample', '--model', unconditional, '--n', '-.5', '--out', join(dir, 'a.xyz')], 2, /--n must be an integer >= 2, got '-.5'/],
      [['rdf', join(dir, 'a.xyz'), '--svg', join(dir, 'no', 'such', 'r.svg')], 1, /cannot write .*r\.svg: folder .* does not exist/],
      // checked before any sampling: a long evaluation does not end in a lost result
      [['evaluate', '--model', conditional, '--set', 'opp-test', '--json', join(dir, 'no', 'such', 'e.json')], 1, /cannot write .*e\.json: folder .* does not exist/],
      [['evaluate', '--floors', '--set', 'opp-test', '--json', join(dir, 'no', 'such', 'f.json')], 1, /cannot write .*f\.json/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await mddm(...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err.trim().split('\n').length, r.err).toBe(1);
      expect(r.err).toMatch(message);
    }
  });

  it('has --help on every subcommand', async () => {
    for (const c of ['sample', 'rdf', 'evaluate']) {
      const r = await mddm(c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`mddm ${c}`));
    }
    expect((await mddm('--help')).out).toMatch(/mddm sample/);
  });
});

describe('mddm rdf', () => {
  it('summarises each file and prints pairwise RDF-MSE (0 for a file with itself)', async () => {
    const a = join(dir, 'r.xyz');
    await mddm('sample', '--model', unconditional, '--n', '64', '--box', '4', '--steps', '3', '--corrector', '0', '--count', '2', '--out', a);
    const r = await mddm('rdf', a, a, '--r-max', '2', '--bins', '20', '--svg', join(dir, 'r.svg'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 frames x 64 particles; main peak g = [\d.]+ at r = [\d.]+/);
    expect(r.out).toMatch(/vs .*: 0\.00000/);
    // the summary agrees with an independent g(r) of the same frames
    const acc = new RdfAccumulator({ bins: 20, rMax: 2 });
    for (const f of await frames(a)) acc.add(f.positions, f.box);
    const g = acc.result();
    const best = g.g.indexOf(Math.max(...g.g));
    const m = /main peak g = ([\d.]+) at r = ([\d.]+)/.exec(r.out)!;
    expect(Number(m[1])).toBeCloseTo(g.g[best], 3);
    expect(Number(m[2])).toBeCloseTo(g.centers[best], 3);
    expect(r.out).toMatch(/wrote .*r\.svg/);
    expect((await mddm('rdf', join(dir, 'missing.xyz'))).code).toBe(1);
    expect((await mddm('rdf')).code).toBe(2);
  });
});

describe('mddm evaluate', () => {
  it('prints the per-set table and the means beside the paper (a tiny model, 2 sets x 2 samples)', async () => {
    const tiny = { k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4] };
    const c = createDenoiser({ ...tiny, conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film', nullCondition: true });
    c.training = { n: 1000, box: [10, 10, 10], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps', conditionKeys: ['k', 'phi', 'T'] };
    const model = join(dir, 'eval-model');
    await saveDenoiser(c, model);
    c.dispose();
    const json = join(dir, 'eval.json');
    const r = await mddm('evaluate', '--model', model, '--set', 'opp-test', '--limit', '2', '--samples', '2', '--steps', '2', '--corrector', '0', '--json', json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/opp-test: 2 parameter sets, M = 2 samples each/);
    expect(r.out).toMatch(/^0000_k13\.9879_phi3\.7511_T0\.02142 +13\.988 +3\.751 +0\.021/m);
    expect(r.out).toMatch(/mean paper-style \d\.\d{4} over 2 sets \(paper, Table 1: 0\.126\)/);
    const report = JSON.parse(await (await import('node:fs/promises')).readFile(json, 'utf8'));
    expect(report.rows.length).toBe(2);
    // An untrained model makes no structure: far above any MD floor.
    for (const row of report.rows) expect(row.paperStyle).toBeGreaterThan(0.1);
    // the printed ± of the mean over sets: sqrt(sum of the per-set squared standard errors) / sets, from the JSON
    const line = /paper-style (\d\.\d{4}) ± (\d\.\d{4}) \(floor (\d\.\d{4}) ± (\d\.\d{4})\)/.exec(r.out);
    expect(line, r.out).not.toBeNull();
    const se = (k: string) => Math.sqrt(report.rows.reduce((a: number, row: { metrics: Record<string, number> }) => a + row.metrics[k] ** 2, 0)) / report.rows.length;
    expect(Number(line![2])).toBeCloseTo(se('paperStyleSe'), 4);
    expect(Number(line![4])).toBeCloseTo(se('paperFloorSe'), 4);
    expect(se('paperFloorSe')).toBeGreaterThan(0);
    expect((await mddm('evaluate', '--model', model, '--set', 'opp-valid')).code).toBe(2);
    expect((await mddm('evaluate', '--model', unconditional, '--set', 'opp-test')).err).toMatch(/unconditional/);
  });

  it('--samples-dir keeps the samples and reuses exactly the matching ones (same numbers, no sampling)', async () => {
    const tiny = { k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4] };
    const c = createDenoiser({ ...tiny, conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film', nullCondition: true, seed: 3 });
    c.training = { n: 1000, box: [10, 10, 10], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps', conditionKeys: ['k', 'phi', 'T'] };
    const model = join(dir, 'cache-model');
    await saveDenoiser(c, model);
    c.dispose();
    const samples = join(dir, 'cache-samples');
    const args = ['evaluate', '--model', model, '--set', 'opp-test', '--limit', '1', '--samples', '2', '--steps', '2', '--corrector', '0', '--samples-dir', samples];
    const first = await mddm(...args, '--json', join(dir, 'c1.json'));
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/0 reused, 2 generated/);
    const files = (await readdir(samples)).sort();
    expect(files.length).toBe(2);
    expect(files[0]).toMatch(/^opp-test__0000_k13\.9879_phi3\.7511_T0\.02142_seed0_h[0-9a-f]{12}\.xyz$/);
    const again = await mddm(...args, '--json', join(dir, 'c2.json'));
    expect(again.out).toMatch(/2 reused, 0 generated/);
    const read = async (f: string) => JSON.parse(await readFile(join(dir, f), 'utf8')).rows;
    expect(await read('c2.json')).toEqual(await read('c1.json')); // same RDF-MSE and the stored NFE
    // Another sampler (3 steps) or seed is another sample: nothing is reused.
    const other = await mddm('evaluate', '--model', model, '--set', 'opp-test', '--limit', '1', '--samples', '2', '--steps', '3', '--corrector', '0', '--samples-dir', samples);
    expect(other.out).toMatch(/0 reused, 2 generated/);
    // More samples extend fewer (sample m of set i has seed S + 1000 i + m): only the new one is drawn.
    const more = await mddm(...args.map((a, i) => (args[i - 1] === '--samples' ? '3' : a)));
    expect(more.out).toMatch(/2 reused, 1 generated/);
    const shifted = await mddm(...args, '--seed', '1'); // seeds 1 and 2
    expect(shifted.out).toMatch(/2 reused, 0 generated/);
    expect((await readdir(samples)).length).toBe(5);
  });

  it('--floors scores MD against MD without a model (checked against direct RDF-MSEs of the shipped frames)', async () => {
    const json = join(dir, 'floors.json');
    const r = await mddm('evaluate', '--floors', '--set', 'opp-test', '--limit', '2', '--json', json);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/mean paper-style floor \d\.\d{4}, MD floor \d\.\d{4} over 2 sets/);
    const rows = JSON.parse(await readFile(json, 'utf8')).floors;
    const test = await loadDataset('opp-test');
    const replicas = await loadDataset('opp-test-replicas');
    const g = (f: { positions: Float64Array; box: [number, number, number] }) => rdf(f.positions, f.box, { bins: 100, rMax: 5 });
    for (const row of rows) {
      const frame = test.find((f) => f.info.id === row.id)!;
      const reps = replicas.filter((f) => String(f.info.id).startsWith(`${row.id}_s`));
      expect(row.R).toBe(reps.length + 1);
      const all = [frame, ...reps].map(g);
      const paper = reps.map((f) => rdfMse(g(f), all[0])).reduce((a, b) => a + b, 0) / reps.length;
      const md = all.map((a, i) => Math.min(...all.filter((_, j) => j !== i).map((b) => rdfMse(a, b)))).reduce((a, b) => a + b, 0) / all.length;
      expect(row.paperFloor).toBeCloseTo(paper, 12);
      expect(row.mdFloor).toBeCloseTo(md, 12);
    }
    expect((await mddm('evaluate', '--floors', '--set', 'opp-test', '--model', conditional)).code).toBe(2);
  });

  it('weightsFingerprint: equal after a save/load round trip, different for other weights', async () => {
    const tiny = { k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4] };
    const a = createDenoiser({ ...tiny, seed: 1 });
    const b = createDenoiser({ ...tiny, seed: 2 });
    await saveDenoiser(a, join(dir, 'fp'));
    const back = await loadDenoiser(join(dir, 'fp'));
    expect(weightsFingerprint(back)).toBe(weightsFingerprint(a));
    expect(weightsFingerprint(b)).not.toBe(weightsFingerprint(a));
    for (const d of [a, b, back]) d.dispose();
  });
});
