import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { classifierFreeGuidanceEps, geometricSchedule, noiseLevels } from '@mddm/schedules';
import { ModelError, SAMPLERS, sample, selectBackend } from '../src/index';
import { tinyDenoiser } from './helpers';

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
