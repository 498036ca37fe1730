import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IoError,
  LammpsError,
  PAPER_RANGES,
  generateDataset,
  gridPlan,
  lhsPlan,
  randomPlan,
  replicasPlan,
  readXyz,
  resolveProtocol,
  shippedPlan,
  stateFramesPlan,
  trainExtensionPlan,
  trainExtension2Plan,
  trainTwinsPlan,
  type ConformationRunner,
  type GeneratorManifest,
} from '../src/index';
import { parseGridSpec, runDataCli } from '../src/cli';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-io-gen-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = resolveProtocol({ latticeSide: 3 }, 0.01);

/** Fake LAMMPS: 27 atoms from the seed; fails for seed 13; tracks concurrency. */
function fakeRunner(state = { inFlight: 0, maxInFlight: 0, calls: 0 }): ConformationRunner & { state: typeof state } {
  const f = (async (run: { seed: number }) => {
    state.calls++;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    state.inFlight--;
    if (run.seed === 13) throw new LammpsError('LAMMPS exited with code 1: boom', 'LAMMPS_FAILED');
    const positions = new Float64Array(81).map((_, i) => ((run.seed * 7919 + i * 104729) % 3000) / 1000);
    return { positions, box: [3, 3, 3] as [number, number, number], seconds: 1.25 };
  }) as unknown as ConformationRunner & { state: typeof state };
  f.state = state;
  return f;
}

async function readOne(path: string) {
  const frames = [];
  for await (const f of readXyz(path)) frames.push(f);
  expect(frames).toHaveLength(1);
  return frames[0];
}

describe('plans', () => {
  it('Latin hypercube: one sample per stratum on every axis, inside the paper ranges, deterministic', () => {
    const n = 50;
    const jobs = lhsPlan('s', n, { seed: 3 });
    expect(lhsPlan('s', n, { seed: 3 })).toEqual(jobs);
    expect(lhsPlan('s', n, { seed: 4 })).not.toEqual(jobs);
    for (const key of ['k', 'phi', 'T'] as const) {
      const [lo, hi] = PAPER_RANGES[key];
      const strata = jobs.map((j) => Math.min(n - 1, Math.floor(((j[key] - lo) / (hi - lo)) * n)));
      expect(new Set(strata).size).toBe(n);
      for (const j of jobs) {
        expect(j[key]).toBeGreaterThanOrEqual(lo);
        expect(j[key]).toBeLessThanOrEqual(hi);
      }
    }
    expect(jobs[0].id).toMatch(/^0000_k[\d.]+_phi[\d.]+_T[\d.]+$/);
    expect(new Set(jobs.map((j) => j.seed)).size).toBe(n);
  });

  it('random draws cover the ranges; grid is the full product with replicas', () => {
    const r = randomPlan('r', 200, { seed: 1, ranges: { k: [2, 3], phi: [0, 1], T: [0.02, 0.03] } });
    expect(Math.min(...r.map((j) => j.k))).toBeLessThan(2.1);
    expect(Math.max(...r.map((j) => j.k))).toBeGreaterThan(2.9);
    expect(r.every((j) => j.T >= 0.02 && j.T <= 0.03)).toBe(true);
    const g = gridPlan('g', { k: [1, 2], phi: [0], T: [0.01, 0.02, 0.03], replicas: 2, seedBase: 5 });
    expect(g).toHaveLength(12);
    expect(g[0]).toEqual({ set: 'g', id: 'k1_phi0_T0.01_s5', k: 1, phi: 0, T: 0.01, seed: 5 });
    expect(g[11].seed).toBe(16);
    expect(() => gridPlan('g', { k: [], phi: [0], T: [1] })).toThrow(IoError);
    expect(() => lhsPlan('g', 0)).toThrow(/n must be a positive integer, got 0/);
  });

  it('the shipped plan: 1 + 4 + 25 + 200 conformations with the bootstrap ids', () => {
    const p = shippedPlan();
    expect(p.map((j) => j.set).filter((s, i, a) => a.indexOf(s) === i)).toEqual(['opp-unconditional', 'opp-replicas', 'opp-test', 'opp-train']);
    expect(p).toHaveLength(230);
    expect(p[0]).toEqual({ set: 'opp-unconditional', id: 'k7_phi1_T0.03_s1', k: 7, phi: 1, T: 0.03, seed: 1 });
    expect(p.slice(1, 5).map((j) => j.id)).toEqual(['k7_phi1_T0.03_s2', 'k7_phi1_T0.03_s3', 'k7_phi1_T0.03_s4', 'k7_phi1_T0.03_s5']);
    // first test conformation, as written by the bootstrap run
    expect(p[5].id).toBe('0000_k13.9879_phi3.7511_T0.02142');
    expect(new Set(p.map((j) => `${j.set}/${j.id}`)).size).toBe(230);
  });

  it('the state-frames plan: 20 runs at the unconditional state point, seeds disjoint from every shipped run', () => {
    const p = stateFramesPlan();
    expect(p).toHaveLength(20);
    expect(p.every((j) => j.set === 'opp-state-frames' && j.k === 7 && j.phi === 1 && j.T === 0.03)).toBe(true);
    expect(p.map((j) => j.seed)).toEqual(Array.from({ length: 20 }, (_, i) => 90000 + i));
    expect(p[0].id).toBe('k7_phi1_T0.03_s90000');
    const shippedSeeds = new Set(shippedPlan().map((j) => j.seed));
    expect(p.some((j) => shippedSeeds.has(j.seed))).toBe(false);
  });

  it('the train-extension plan: 800 LHS sets in the paper ranges, seeds and parameters disjoint from every shipped and replica run', () => {
    const p = trainExtensionPlan();
    expect(p).toHaveLength(800);
    expect(p.every((j) => j.set === 'opp-train-ext')).toBe(true);
    expect(p.map((j) => j.seed)).toEqual(Array.from({ length: 800 }, (_, i) => 20000 + i));
    for (const j of p) {
      expect(j.k).toBeGreaterThanOrEqual(1); expect(j.k).toBeLessThanOrEqual(15);
      expect(j.phi).toBeGreaterThanOrEqual(0); expect(j.phi).toBeLessThanOrEqual(6);
      expect(j.T).toBeGreaterThanOrEqual(0.01); expect(j.T).toBeLessThanOrEqual(0.05);
    }
    // the same plan as the CLI's --lhs 800 --seed 8 --seed-base 20000 (the stratification is tested above)
    expect(p).toEqual(lhsPlan('opp-train-ext', 800, { seed: 8, seedBase: 20000 }));
    const others = [...shippedPlan(), ...replicasPlan(), ...stateFramesPlan()];
    const seeds = new Set(others.map((j) => j.seed));
    expect(p.some((j) => seeds.has(j.seed))).toBe(false);
    const params = new Set(others.map((j) => `${j.k},${j.phi},${j.T}`));
    expect(p.some((j) => params.has(`${j.k},${j.phi},${j.T}`))).toBe(false);
  });

  it('the train-twins plan: one more run at opp-train sets 0025-0199 (not the 25 with evaluation replicas), fresh seeds', () => {
    const p = trainTwinsPlan();
    const train = lhsPlan('opp-train', 200, { seed: 7, seedBase: 10000 });
    expect(p).toHaveLength(175);
    p.forEach((j, i) => {
      const parent = train[25 + i];
      expect(j).toEqual({ set: 'opp-train-twins', id: `${parent.id}_s${30000 + i}`, k: parent.k, phi: parent.phi, T: parent.T, seed: 30000 + i });
    });
    const evaluated = new Set(train.slice(0, 25).map((j) => `${j.k},${j.phi},${j.T}`));
    expect(p.some((j) => evaluated.has(`${j.k},${j.phi},${j.T}`))).toBe(false);
    const seeds = new Set([...shippedPlan(), ...replicasPlan(), ...stateFramesPlan(), ...trainExtensionPlan()].map((j) => j.seed));
    expect(p.some((j) => seeds.has(j.seed))).toBe(false);
  });

  it('the second train-extension plan: 800 fresh LHS sets, seeds and parameters disjoint from every other plan', () => {
    const p = trainExtension2Plan();
    expect(p).toHaveLength(800);
    expect(p.every((j) => j.set === 'opp-train-ext2')).toBe(true);
    expect(p.map((j) => j.seed)).toEqual(Array.from({ length: 800 }, (_, i) => 40000 + i));
    expect(p).toEqual(lhsPlan('opp-train-ext2', 800, { seed: 9, seedBase: 40000 }));
    const others = [...shippedPlan(), ...replicasPlan(), ...stateFramesPlan(), ...trainExtensionPlan(), ...trainTwinsPlan()];
    const seeds = new Set(others.map((j) => j.seed));
    expect(p.some((j) => seeds.has(j.seed))).toBe(false);
    const params = new Set(others.map((j) => `${j.k},${j.phi},${j.T}`));
    expect(p.some((j) => params.has(`${j.k},${j.phi},${j.T}`))).toBe(false);
    // an independent draw, not the first extension's hypercube again
    const first = trainExtensionPlan();
    expect(p.filter((j, i) => j.k === first[i].k).length).toBeLessThan(5);
  });

  it('grid SPEC parsing', () => {
    expect(parseGridSpec('k', '7')).toEqual([7]);
    expect(parseGridSpec('k', '1,3,5')).toEqual([1, 3, 5]);
    expect(parseGridSpec('k', '1:15:8')).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(parseGridSpec('T', '0.01:0.05:5')).toEqual([0.01, 0.02, 0.03, 0.04, 0.05]);
    expect(() => parseGridSpec('k', '1:x:3')).toThrow(/--k must be a number, got 'x'/);
  });
});

describe('generateDataset (fake LAMMPS)', () => {
  it('writes headers + manifest, respects the concurrency limit, isolates a failure, resumes', async () => {
    const jobs = gridPlan('demo', { k: [7], phi: [1], T: [0.03], replicas: 6, seedBase: 10 }); // seeds 10..15, 13 fails
    const runner = fakeRunner();
    const sum = await generateDataset({ jobs, out: dir, protocol: small, concurrency: 2, runner, progress: false });
    expect([sum.total, sum.done, sum.skipped, sum.failed.length, sum.pending]).toEqual([6, 5, 0, 1, 0]);
    expect(sum.failed[0].job.seed).toBe(13);
    expect(sum.failed[0].error).toMatch(/boom/);
    expect(runner.state.maxInFlight).toBe(2);
    expect(sum.secondsPerConformation).toBe(1.25);

    const f = await readOne(join(dir, 'demo', 'k7_phi1_T0.03_s10.xyz'));
    expect(f.box).toEqual([3, 3, 3]);
    expect(f.positions.length).toBe(81);
    expect(f.info).toMatchObject({ k: 7, phi: 1, T: 0.03, seed: 10, engine: 'LAMMPS', potential: 'OPP', set: 'demo', id: 'k7_phi1_T0.03_s10', seconds: 1.3 });
    expect(f.info.protocol).toBe('melt 2 x 20; anneal 10T->T x 500; hold x 50; dt 0.005; table 4000 rc 3; side 3');

    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as GeneratorManifest;
    expect(m.protocol.annealSteps).toBe(500);
    expect(Object.values(m.conformations).map((c) => c.status).sort()).toEqual(['done', 'done', 'done', 'done', 'done', 'failed']);
    expect(m.conformations['demo/k7_phi1_T0.03_s13'].error).toMatch(/boom/);

    // Resume: completed ones are skipped, only the failed one is retried.
    const runner2 = fakeRunner();
    const sum2 = await generateDataset({ jobs, out: dir, protocol: small, concurrency: 3, runner: runner2, progress: false });
    expect([sum2.done, sum2.skipped, sum2.failed.length]).toEqual([0, 5, 1]);
    expect(runner2.state.calls).toBe(1);
    expect(sum2.results.find((r) => r.status === 'skipped')!.seconds).toBe(1.3);

    // A different protocol does not silently reuse (or overwrite) the existing files.
    const other = resolveProtocol({ latticeSide: 3 }, 0.02);
    const sum3 = await generateDataset({ jobs: jobs.slice(0, 1), out: dir, protocol: other, runner: fakeRunner(), progress: false });
    expect(sum3.failed[0].error).toMatch(/was made with protocol "melt 2 x 20; .*", not "melt 2 x 40;/);
  });

  it('reports progress lines (plain stream) with ETA and failures', async () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) };
    await generateDataset({ jobs: gridPlan('p', { k: [1], phi: [0], T: [0.02], replicas: 4, seedBase: 11 }), out: dir, protocol: small, concurrency: 1, runner: fakeRunner(), progress: stream });
    const text = lines.join('');
    expect(text).toMatch(/4 conformations: 0 already done, 0 blocked, 4 to run, 1 at a time/);
    expect(text).toMatch(/mddm-data 1\/4 25\.0% elapsed \S+ ETA \S+/);
    expect(text).toMatch(/FAILED p\/k1_phi0_T0\.02_s13: LAMMPS exited with code 1: boom/);
    expect(text).toMatch(/mddm-data 4\/4 100\.0% .*3 done, 0 skipped, 1 failed/);
  });

  it('abort stops scheduling; rejects bad jobs and options', async () => {
    const ac = new AbortController();
    const jobs = gridPlan('a', { k: [1], phi: [0], T: [0.02], replicas: 5, seedBase: 20 });
    const sum = await generateDataset({ jobs, out: dir, protocol: small, concurrency: 1, runner: fakeRunner(), progress: false, signal: ac.signal, onJob: () => ac.abort() });
    expect([sum.done, sum.pending]).toEqual([1, 4]);
    await expect(generateDataset({ jobs: [{ ...jobs[0], T: -1 }], out: dir, progress: false })).rejects.toThrow(/jobs\[0\]\.T must be a positive number, got -1/);
    await expect(generateDataset({ jobs: [jobs[0], jobs[0]], out: dir, progress: false })).rejects.toThrow(/duplicate job a\/k1_phi0_T0.02_s20/);
    await expect(generateDataset({ jobs, out: dir, concurrency: 0, progress: false })).rejects.toThrow(/concurrency must be a positive integer, got 0/);
    expect(() => resolveProtocol({ annealSteps: -5 })).toThrow(/protocol.annealSteps must be a non-negative integer, got -5/);
    expect(() => resolveProtocol({ bogus: 1 } as never)).toThrow(/unknown protocol field 'bogus'/);
  });

  it('a missing lmp gives one clear error with install instructions', async () => {
    const jobs = gridPlan('m', { k: [1], phi: [0], T: [0.02] });
    const err = await generateDataset({ jobs, out: dir, lmp: join(dir, 'no-such-lmp'), progress: false }).catch((e) => e);
    expect(err).toBeInstanceOf(LammpsError);
    expect(err.code).toBe('LAMMPS_NOT_FOUND');
    expect(err.message).toMatch(/could not be started \(ENOENT\)\. Install LAMMPS: `apt-get install lammps`/);
  });
});

describe('mddm-data CLI', () => {
  function streams() {
    const out: string[] = [];
    const errs: string[] = [];
    return { out, errs, s: { stdout: { write: (t: string) => out.push(t) }, stderr: { isTTY: false, write: (t: string) => errs.push(t) } } };
  }
  it('dry-run prints the plan; usage errors exit 2; help exits 0', async () => {
    const a = streams();
    expect(await runDataCli(['generate', '--set', 'x', '--out', dir, '--lhs', '3', '--seed', '5', '--dry-run', '--steps-scale', '0.1'], a.s)).toBe(0);
    expect(a.out.join('')).toMatch(/^x\/0000_k\S+ k=\S+ phi=\S+ T=\S+ seed=10000\n/);
    expect(a.out.join('')).toMatch(/3 conformations; protocol: melt 2 x 200; anneal 10T->T x 5000; hold x 500;/);
    const b = streams();
    expect(await runDataCli(['generate', '--set', 'x', '--out', dir, '--k', '7'], b.s)).toBe(2);
    expect(b.errs.join('')).toMatch(/--phi SPEC is required/);
    const c = streams();
    expect(await runDataCli(['generate', '--nope'], c.s)).toBe(2);
    expect(await runDataCli(['frobnicate'], c.s)).toBe(2);
    expect(await runDataCli(['generate', '--preset', 'shipped', '--anneal-steps=-3', '--dry-run'], c.s)).toBe(2);
    expect(c.errs.join('')).toMatch(/protocol.annealSteps must be a non-negative integer, got -3/);
    const d = streams();
    expect(await runDataCli(['help'], d.s)).toBe(0);
    expect(d.out.join('')).toMatch(/mddm-data generate --preset shipped/);
    const e = streams();
    expect(await runDataCli(['generate', '--preset', 'shipped', '--dry-run'], e.s)).toBe(0);
    expect(e.out.join('')).toMatch(/230 conformations; protocol: melt 2 x 2000; anneal 10T->T x 50000; hold x 5000; dt 0.005; table 4000 rc 3; output: .*data-raw/);
  });

  it('pack command packs a raw directory', async () => {
    await mkdir(join(dir, 'raw', 'opp-test'), { recursive: true });
    await writeFile(join(dir, 'raw', 'opp-test', 'a.xyz'), '1\nLattice="2 0 0 0 2 0 0 0 2" k=2 phi=1 T=0.02 seed=3\nX 1 1 1\n');
    const a = streams();
    expect(await runDataCli(['pack', '--raw', join(dir, 'raw'), '--data', join(dir, 'data')], a.s)).toBe(0);
    expect(a.out.join('')).toMatch(/opp-test: 1 conformations x 1 atoms, box 2 x 2 x 2/);
  });
});
