import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { classifierFreeGuidanceEps, geometricSchedule, noiseLevels } from '@mddm/schedules';
import { BALANCED_SAMPLER, FAST_SAMPLER, ModelError, QUALITY_SAMPLER, SAMPLERS, sample, selectBackend, train } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const schedule = geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 0.5 });

describe('sample({ sampler }): the ODE samplers with a real network', () => {
  it('every sampler: NFE as documented, inside the box, seeded, no tensor leaks', async () => {
    const d = tinyDenoiser();
    const nfe: Record<string, number> = { ancestral: 6, euler: 6, heun: 11, edm: 11, dpm2m: 6 };
    for (const sampler of SAMPLERS) {
      const before = tf.memory().numTensors;
      const o = { n: 64, box: 4, count: 2, batchSize: 1, schedule, seed: 3, steps: 6, sampler } as const;
      const a = await sample(d, o);
      expect(tf.memory().numTensors, sampler).toBe(before);
      expect(a.evaluations, sampler).toBe(nfe[sampler]);
      for (const p of a.positions) expect(p.every((v) => Number.isFinite(v) && v >= 0 && v < 4)).toBe(true);
      const b = await sample(d, o);
      expect(b.positions.map((p) => Array.from(p)), sampler).toEqual(a.positions.map((p) => Array.from(p)));
    }
    d.dispose();
  });

  it("'karras' and continuous grids reach the network; fractional levels get a continuous time input", async () => {
    const d = tinyDenoiser();
    const ts: number[] = [];
    const seen = await sample(d, {
      n: 64, box: 4, schedule, steps: 8, sampler: 'heun', spacing: 'karras', continuous: true,
      guide: (eps) => { const e = eps(undefined); return (x, t, out) => { ts.push(t); return e(x, t, out); }; },
    });
    const levels = Array.from(noiseLevels(schedule, 8, { spacing: 'karras', discrete: false }));
    expect(ts.filter((_, i) => i % 2 === 0).slice(0, 8)).toEqual(levels);
    expect(ts.some((t) => !Number.isInteger(t))).toBe(true);
    expect(seen.positions[0].every((v) => v >= 0 && v < 4)).toBe(true);
    // snapped (default): integer levels only
    const ints: number[] = [];
    await sample(d, {
      n: 64, box: 4, schedule, steps: 8, sampler: 'dpm2m',
      guide: (eps) => { const e = eps(undefined); return (x, t, out) => { ints.push(t); return e(x, t, out); }; },
    });
    expect(ints).toEqual(Array.from(noiseLevels(schedule, 8, { spacing: 'karras' })));
    d.dispose();
  });

  it('conditional model with classifier-free guidance: 2 evaluations per network call', async () => {
    const d = tinyDenoiser({ conditions: 1, conditionRanges: [[0, 1]], nullCondition: true } as never);
    const r = await sample(d, {
      n: 64, box: 4, schedule, steps: 5, sampler: 'heun', conditions: [0.5],
      guide: (eps) => classifierFreeGuidanceEps(eps([0.5]), eps(null), 1),
    });
    expect(r.evaluations).toBe(2 * 9);
    d.dispose();
  });

  it('Langevin corrector composes with an ODE predictor; bad options are typed errors', async () => {
    const d = tinyDenoiser();
    const r = await sample(d, { n: 64, box: 4, schedule, steps: 5, sampler: 'dpm2m', corrector: { steps: 2, sigmaMaxLj: 1e9 } });
    expect(r.evaluations).toBe(5 + 2 * 5);
    const bad = [
      { sampler: 'rk4' }, { spacing: 'cubic' }, { sampler: 'ancestral', continuous: true }, { sampler: 'heun', churn: { gamma: 0.1 } },
      { sampler: 'edm', churn: { gamma: 2 } }, { rho: 0 },
    ];
    for (const b of bad) await expect(sample(d, { n: 64, box: 4, schedule, steps: 3, ...(b as object) })).rejects.toThrow(ModelError);
    d.dispose();
  });
});

describe('the measured presets (FAST_SAMPLER, BALANCED_SAMPLER, QUALITY_SAMPLER)', () => {
  it('cost the documented NFE on the pretrained models\' noise range (0.0102-1.5 LJ in a 10^3 box)', async () => {
    // the pretrained models: geometric(500) from 1e-3 to 1 box length, trained up to t = 363 (1.5 LJ)
    const L = 10;
    const pretrained = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const sigmaLj = (t: number) => L * pretrained.sqrtA[t];
    // EDM's rho = 7 grid in closed form (Karras et al. 2022 Eq. 5), independent of noiseLevels
    const karras = (n: number) => Array.from({ length: n }, (_, i) => {
      const hi = sigmaLj(363) ** (1 / 7), lo = sigmaLj(1) ** (1 / 7);
      return (hi + (i / (n - 1)) * (lo - hi)) ** 7;
    });
    const inBand = (levels: number[], max: number) => levels.filter((s) => s <= max).length;
    expect(inBand(karras(11), 0.075)).toBe(4);
    expect(inBand(karras(12), 0.06)).toBe(4);
    const d = tinyDenoiser();
    for (const [preset, nfe] of [[FAST_SAMPLER, 11 + 22 * 4], [BALANCED_SAMPLER, 12 + 47 * 4]] as const) {
      const r = await sample(d, { ...preset, n: 32, box: L, schedule: pretrained, start: 363, seed: 1, onWarning: () => {} });
      expect(r.evaluations).toBe(nfe);
      expect(nfe).toBeLessThanOrEqual(preset === FAST_SAMPLER ? 100 : 200);
    }
    // the quality preset: 60 log-sigma ancestral steps from 1.5 LJ, 30 corrector steps at each below 0.8 LJ
    const logLevels = Array.from({ length: 60 }, (_, i) => Math.exp(Math.log(sigmaLj(363)) + (i / 59) * (Math.log(sigmaLj(1)) - Math.log(sigmaLj(363)))));
    const q = await sample(d, { ...QUALITY_SAMPLER, n: 32, box: L, schedule: pretrained, start: 363, seed: 1, onWarning: () => {} });
    expect(q.evaluations).toBe(60 + 30 * inBand(logLevels, 0.8));
    expect(q.evaluations).toBe(1620);
    d.dispose();
  });

  it('DEFAULT_SAMPLER (no solver option) is BALANCED_SAMPLER on the pretrained models\' noise range, bit for bit', async () => {
    const L = 10;
    const pretrained = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const d = tinyDenoiser();
    await train(d, { data: [{ positions: lattice(L), box: L }], steps: 1, schedule: pretrained, tMax: 363 }); // records tMax = 363
    const quiet = { n: 32, box: L, seed: 4, onWarning: () => {} };
    const auto = await sample(d, quiet);
    const balanced = await sample(d, { ...quiet, ...BALANCED_SAMPLER });
    expect(auto.evaluations).toBe(200);
    expect(Array.from(auto.positions[0])).toEqual(Array.from(balanced.positions[0]));
    d.dispose();
  });
});

describe('sigmaMinLj: a grid that stops above the smallest trained level', () => {
  /** Timesteps the network is called at (the guide sees every evaluation). */
  async function visited(d: ReturnType<typeof tinyDenoiser>, options: Record<string, unknown>): Promise<{ ts: number[]; positions: Float64Array }> {
    const ts: number[] = [];
    const r = await sample(d, {
      n: 64, box: 4, seed: 5, ...options,
      guide: (eps) => { const e = eps(undefined); return (x, t, out) => { ts.push(t); return e(x, t, out); }; },
    });
    return { ts, positions: r.positions[0] };
  }

  it('stops at the largest timestep with L sqrt(a_t) <= sigmaMinLj, for the ancestral, karras and preset grids; the training record sets the default', async () => {
    const d = tinyDenoiser({ timeEncoding: 'log-sigma' });
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule, tMax: 80 });
    const s = 4 * schedule.sqrtA[20] * 1.01; // between levels 20 and 21
    let end = 1; // brute force: the largest t whose noise is <= s
    for (let t = 1; t <= 100; t++) if (4 * schedule.sqrtA[t] <= s) end = t;
    expect(end).toBe(20);
    for (const o of [{ sampler: 'ancestral', steps: 10, spacing: 'log-sigma' }, { sampler: 'dpm2m', steps: 8 }, {}] as const) {
      const { ts } = await visited(d, { ...o, sigmaMinLj: s });
      expect(Math.min(...ts), JSON.stringify(o)).toBe(end);
      const plain = await visited(d, o);
      expect(Math.min(...plain.ts)).toBe(1);
    }
    // the model's training record gives the same default; an explicit option overrides it
    const explicit = await visited(d, { sigmaMinLj: s });
    d.training = { ...d.training!, sampleSigmaMinLj: s };
    const recorded = await visited(d, {});
    expect(Array.from(recorded.positions)).toEqual(Array.from(explicit.positions));
    expect(recorded.ts).toEqual(explicit.ts);
    expect(Math.min(...(await visited(d, { sigmaMinLj: 4 * schedule.sqrtA[1] })).ts)).toBe(1);
    // a run that starts below the recorded end (a small-noise variation) keeps its whole range
    expect(Math.min(...(await visited(d, { start: 10, steps: 5, sampler: 'ancestral' })).ts)).toBe(1);
    // outside the sampled range: typed errors
    await expect(sample(d, { n: 64, box: 4, sigmaMinLj: 4 * schedule.sqrtA[1] / 2 })).rejects.toThrow(ModelError);
    await expect(sample(d, { n: 64, box: 4, sigmaMinLj: 4 * schedule.sqrtA[80] })).rejects.toThrow(/sigmaMinLj must be a noise std in/);
    d.dispose();
  });

  it('train records sampleSigmaMinLj in the training info, and checkpoints keep it', async () => {
    const { saveDenoiser, loadDenoiser } = await import('../src/index');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const d = tinyDenoiser({ timeEncoding: 'log-sigma' });
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule, tMax: 80, sampleSigmaMinLj: 0.05 });
    expect(d.training?.sampleSigmaMinLj).toBe(0.05);
    const dir = await mkdtemp(join(tmpdir(), 'mddm-end-'));
    await saveDenoiser(d, dir);
    const back = await loadDenoiser(dir);
    expect(back.training?.sampleSigmaMinLj).toBe(0.05);
    back.dispose();
    await rm(dir, { recursive: true, force: true });
    await expect(train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule, sampleSigmaMinLj: -1 })).rejects.toThrow(/sampleSigmaMinLj/);
    d.dispose();
  });
});

describe('sigmaMinLj reaches inpaintSample and variation', () => {
  it('the model default stops their grids too: the same visited levels as sample with the explicit option', async () => {
    const { inpaintSample, variation } = await import('../src/index');
    const d = tinyDenoiser({ timeEncoding: 'log-sigma' });
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule, tMax: 80 });
    const s = 4 * schedule.sqrtA[20] * 1.01;
    const known = lattice(4);
    const o = { known, indices: [0, 1, 2], box: 4, steps: 10, spacing: 'log-sigma', seed: 2 } as const;
    const full = await inpaintSample(d, o);
    const a = await inpaintSample(d, { ...o, sigmaMinLj: s });
    expect(Array.from(a.positions[0])).not.toEqual(Array.from(full.positions[0])); // the option reaches the grid
    d.training = { ...d.training!, sampleSigmaMinLj: s };
    const b = await inpaintSample(d, o);
    expect(Array.from(b.positions[0])).toEqual(Array.from(a.positions[0])); // and the model's default is the same grid
    // variation from above the default end: its grid stops there; from below it: the whole range down to 1
    const high = await variation(d, known, 4, { sigmaLj: 4 * schedule.sqrtA[40] });
    expect(high.evaluations).toBe(40 - 20 + 1);
    const low = await variation(d, known, 4, { sigmaLj: 4 * schedule.sqrtA[10] });
    expect(low.evaluations).toBe(10);
    d.dispose();
  });
});
