import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oppForces, writeXyz } from '@mddm/io';
import { createDenoiser, selectBackend, train, type DenoiserLike } from '@mddm/model';
import { geometricSchedule } from '@mddm/schedules';
import { mdFrames } from '../mdData';
import { measureForces } from '../forces';
import { runInpaint } from '../inpaint';
import { meanDisplacement } from '@mddm/pbc';
import { runVariations } from '../variations';
import { runLangevin } from '../langevin';
import { runEnergyVsDirect } from '../energy-vs-direct';

let d: DenoiserLike;
beforeAll(async () => {
  await selectBackend('wasm');
  const [md] = await mdFrames('opp-unconditional');
  d = createDenoiser({ k: 8, layers: 1, width: 8, hidden: [8], headHidden: [8], timeEncoding: 'log-sigma' });
  await train(d, { data: [md], steps: 1, schedule: geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 }), tMax: 70 });
});

describe('issue-13 examples (tiny model)', () => {
  it('forces: one row per trained sigma, best row, finite slope', async () => {
    const frames = (await mdFrames('opp-replicas')).slice(0, 1);
    const r = measureForces(d, frames, [0.011, 0.05, 0.2, 100]);
    expect(r.rows.map((x) => x.sigma)).toEqual([0.011, 0.05, 0.2]); // 100 LJ is outside the band
    expect(r.rows.every((x) => Number.isFinite(x.meanCosine) && x.medianRatio > 0)).toBe(true);
    expect(r.rows).toContain(r.best);
  });

  it('inpaint: fixed half bit-exact, RDF-MSE figures finite', async () => {
    const rep = await runInpaint(d, { steps: 2, spacing: 'log-sigma' }, { count: 1 });
    expect(rep.bitExact).toBe(true);
    expect(rep.fixed).toBeGreaterThan(400);
    expect([...rep.wholeMse, ...rep.halfMse, ...rep.unconditionalMse, ...rep.unconditionalHalfMse, ...rep.replicaFloor].every(Number.isFinite)).toBe(true);
  });

  it('variations: level, RDF-MSE and displacement per level', async () => {
    const rows = await runVariations(d, { steps: 2, spacing: 'log-sigma' }, [0.05, 0.3]);
    expect(rows.length).toBe(2);
    expect(rows[0].t).toBeLessThan(rows[1].t);
    expect(rows.every((r) => Number.isFinite(r.rdfMse) && r.meanDisplacement > 0)).toBe(true);
    const a = Float64Array.of(0.1, 0, 0), b = Float64Array.of(9.9, 0, 0);
    expect(meanDisplacement(a, b, [10, 10, 10])).toBeCloseTo(0.2, 12); // minimum image
  });

  it('langevin: OPP dynamics from an MD frame stays near MD for a few steps', async () => {
    const opp = (x: Float64Array, f: Float64Array) => void f.set(oppForces(x, [10, 10, 10], { k: 7, phi: 1 }).forces);
    const r = await runLangevin(opp, { steps: 4, every: 2 });
    expect(r.rows.map((x) => x.step)).toEqual([0, 2, 4]);
    expect(r.rows.every((x) => x.rdfMse < 0.05)).toBe(true);
  });

  it('energy-vs-direct runs both models', async () => {
    const rows = await runEnergyVsDirect({ steps: 1, replicas: 1, arch: { k: 8, layers: 1, width: 8, hidden: [8], headHidden: [8] } });
    expect(rows.map((r) => r.model)).toEqual(['direct', 'energy']);
    expect(rows.every((r) => r.agreement.length === 4 && r.msPerTrainStep > 0)).toBe(true);
  });

  it('energy-vs-direct takes several training sets, a band and the levels to read the forces at; refuses a bad band or set', async () => {
    const arch = { k: 8, layers: 1, width: 8, hidden: [8], headHidden: [8] };
    const rows = await runEnergyVsDirect({ steps: 1, replicas: 1, arch, data: ['opp-unconditional', 'opp-state-frames'], sigmaMinLj: 0.002, sigmaMaxLj: 0.02, evalSigmas: [0.003, 0.01] });
    expect(rows.map((r) => r.agreement.map((a) => a.sigma))).toEqual([[0.003, 0.01], [0.003, 0.01]]);
    await expect(runEnergyVsDirect({ steps: 1, replicas: 1, arch, sigmaMinLj: 0.02, sigmaMaxLj: 0.01 })).rejects.toThrow(/sigma-min/);
    await expect(runEnergyVsDirect({ steps: 1, replicas: 1, arch, data: ['opp-replicas'] })).rejects.toThrow(/evaluation set/);
    // a level outside the training band is refused by forces() with a typed error
    await expect(runEnergyVsDirect({ steps: 1, replicas: 1, arch, sigmaMinLj: 0.002, sigmaMaxLj: 0.02, evalSigmas: [0.2] })).rejects.toThrow(/outside the noise levels this model was trained on/);
  });
});

describe('train-forces weights', () => {
  it('log-sigma weights on 1..tMax, boosted below sigma-max, zero elsewhere', async () => {
    const { forceWeights } = await import('../train-forces');
    const s = geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const w = forceWeights(s.a, 10, 70, 0.1, 3);
    expect(w[0]).toBe(0);
    expect(w[71]).toBe(0);
    const small = [...Array(71).keys()].filter((t) => t >= 1 && 10 * s.sqrtA[t] <= 0.1);
    const large = [...Array(71).keys()].filter((t) => t >= 1 && 10 * s.sqrtA[t] > 0.1);
    // geometric schedule: log-sigma weights are equal per step, so boosted steps weigh 4x the others
    expect(w[small[1]] / w[large[1]]).toBeCloseTo(4, 6);
  });
});

describe('train-forces schedule extension', () => {
  it('extends a geometric schedule downwards with the same ratio; the old levels keep their values', async () => {
    const { extendLowNoise } = await import('../train-forces');
    const s = geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const { a, added } = extendLowNoise(s.a, 10, 0.001);
    expect(10 * Math.sqrt(a[1])).toBeLessThanOrEqual(0.001 * 1.0001);
    expect(10 * Math.sqrt(a[2])).toBeGreaterThan(0.001);
    for (let t = 1; t <= 100; t++) expect(a[t + added]).toBe(s.a[t]);
    const ratio = Math.sqrt(a[3] / a[2]);
    expect(Math.sqrt(a[added + 2] / a[added + 1])).toBeCloseTo(ratio, 9);
    for (let t = 1; t < a.length; t++) expect(a[t]).toBeGreaterThan(a[t - 1]);
    expect(extendLowNoise(s.a, 10, 1).added).toBe(0);
  });
});

describe('thermal frames for the force training', () => {
  const hasLmp = spawnSync(process.env.MDDM_LMP || 'lmp', ['-h'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasLmp)('thermal-frames continues a shipped frame with LAMMPS; trainingFrames reads the file and refuses other state points', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mddm-thermal-'));
    try {
      const { runThermalFrames } = await import('../thermal-frames');
      const { trainingFrames } = await import('../train-unconditional');
      const out = join(dir, 'thermal.xyz.gz');
      expect(await runThermalFrames({ steps: 20, every: 10, starts: 1, out, verbose: false })).toBe(2);
      const frames = await trainingFrames(['opp-unconditional', out]);
      expect(frames).toHaveLength(3);
      const [start] = await mdFrames('opp-unconditional');
      expect(frames[1].info).toMatchObject({ set: 'opp-state-thermal', start: start.info.id, k: 7, phi: 1, T: 0.03, step: 10 });
      expect(frames[2].info.step).toBe(20);
      expect(frames[1].positions.length).toBe(start.positions.length);
      expect(frames[1].positions).not.toEqual(start.positions);
      // a file at another state point, or holding the evaluation replicas, is refused
      const other = join(dir, 'other.xyz');
      await writeXyz(other, [{ ...frames[1], info: { ...frames[1].info, k: 8 } }]);
      await expect(trainingFrames([other])).rejects.toThrow(/not the unconditional state point/);
      const replica = join(dir, 'replica.xyz');
      await writeXyz(replica, [{ ...frames[1], info: { ...frames[1].info, set: 'opp-replicas' } }]);
      await expect(trainingFrames([replica])).rejects.toThrow(/evaluation set/);
      await expect(trainingFrames(['no-such-set'])).rejects.toThrow(/unknown set 'no-such-set'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
