import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { classifierFreeGuidanceEps, cosineSchedule, createRng, inpaint, noiseLevels, variationStart } from '@mddm/schedules';
import { BALANCED_SAMPLER, DEFAULT_SAMPLER, ModelError, sample, selectBackend, train } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const schedule = cosineSchedule(20);

/** A tiny denoiser that records the time input of every network call. */
function countedDenoiser() {
  const d = tinyDenoiser();
  const calls: number[] = [];
  const apply = d.apply.bind(d);
  d.apply = (graph, global) => {
    calls.push(global.dataSync()[0]);
    return apply(graph, global);
  };
  return { d, calls };
}

describe('sample', () => {
  it('is seeded, batched, inside the box, finite, with trajectory and progress', async () => {
    const d = tinyDenoiser();
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const a = await sample(d, { n: 64, box: 4, count: 3, batchSize: 2, schedule, seed: 1, sampler: 'ancestral', trajectoryEvery: 5, onProgress: (p) => void progress.push(p.t) });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.positions.length).toBe(3);
    for (const p of a.positions) {
      expect(p.length).toBe(192);
      expect(p.every((v) => Number.isFinite(v) && v >= 0 && v < 4)).toBe(true);
    }
    expect(a.trajectory!.map((e) => e.t)).toEqual([20, 15, 10, 5, 0]);
    expect(a.trajectory!.every((e) => e.positions.length === 3)).toBe(true);
    expect(progress.length).toBe(40);
    const b = await sample(d, { n: 64, box: 4, count: 3, batchSize: 2, schedule, seed: 1, sampler: 'ancestral' });
    expect(b.positions.map((p) => Array.from(p))).toEqual(a.positions.map((p) => Array.from(p)));
    const c = await sample(d, { n: 64, box: 4, count: 1, schedule, seed: 2, steps: 4, eta: 0 });
    expect(c.positions[0].every((v) => v >= 0 && v < 4)).toBe(true);
    d.dispose();
  });

  it('keeps the noise in LJ units of the training box when sampling a larger box', async () => {
    const d = tinyDenoiser();
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule });
    const same = await sample(d, { n: 64, box: 4, steps: 2 });
    expect(Array.from(same.schedule.a)).toEqual(Array.from(schedule.a));
    const big = await sample(d, { n: 512, box: 8, steps: 2 });
    for (let t = 0; t <= 20; t++) expect(8 * Math.sqrt(big.schedule.a[t])).toBeCloseTo(4 * Math.sqrt(schedule.a[t]), 12);
    // an explicit schedule is used as given
    const own = await sample(d, { n: 512, box: 8, steps: 2, schedule });
    expect(own.schedule).toBe(schedule);
    // anisotropic scaling cannot be matched by a scalar schedule: warned, trained schedule kept
    const warnings: string[] = [];
    const aniso = await sample(d, { n: 128, box: [8, 4, 4], steps: 2, onWarning: (m) => warnings.push(m) });
    expect(warnings.some((w) => /not a uniform scaling/.test(w))).toBe(true);
    expect(Array.from(aniso.schedule.a)).toEqual(Array.from(schedule.a));
    d.dispose();
  });

  it('warns for densities far from training and validates input', async () => {
    const d = tinyDenoiser();
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 1, schedule });
    const warnings: string[] = [];
    await sample(d, { n: 64, box: 8, steps: 1, onWarning: (m) => warnings.push(m) });
    expect(warnings.some((w) => /density/.test(w))).toBe(true);
    const ok: string[] = [];
    await sample(d, { n: 512, box: 8, steps: 1, onWarning: (m) => ok.push(m) });
    expect(ok).toEqual([]);
    await expect(sample(d, { n: 64, box: 4, conditions: [1] })).rejects.toThrow(ModelError);
    await expect(sample(d, { n: 4, box: 4 })).rejects.toThrow(/n must be/);
    await expect(sample(d, { n: 64, box: -1 })).rejects.toThrow(ModelError);
    await expect(sample(d, { n: 64, box: 4, steps: 0 })).rejects.toThrow(/steps/);
    // positions outside the box in init are wrapped
    const init = lattice(4).map((v) => v + 40);
    const r = await sample(d, { n: 64, box: 4, steps: 1, init: Float64Array.from(init), eta: 0 });
    expect(r.positions[0].every((v) => v >= 0 && v < 4)).toBe(true);
    d.dispose();
  });

  it('without solver options runs DEFAULT_SAMPLER on a periodic box (corrector on the 4 smallest levels) and Algorithm 2 on a point cloud', async () => {
    const { d, calls } = countedDenoiser();
    const L = 4;
    const auto = await sample(d, { n: 64, box: L, schedule, seed: 5 });
    // independent: the 12-level rho = 7 grid, its noise stds, the band between the 4th and 5th smallest
    const grid = Array.from(noiseLevels(schedule, 12, { spacing: 'karras', rho: 7, start: 20, discrete: true }));
    const sigmas = grid.map((t) => L * schedule.sqrtA[t]).filter((s) => s > 0).sort((a, b) => a - b);
    expect(auto.evaluations).toBe(grid.length + 47 * 4);
    expect(calls.length).toBe(auto.evaluations);
    const explicit = await sample(d, {
      n: 64, box: L, schedule, seed: 5, sampler: 'dpm2m', steps: 12, spacing: 'karras',
      corrector: { steps: 47, r: 1, sigmaMaxLj: (sigmas[3] + sigmas[4]) / 2 },
    });
    expect(Array.from(auto.positions[0])).toEqual(Array.from(explicit.positions[0]));
    // the default is BALANCED_SAMPLER with its band counted in levels
    expect(DEFAULT_SAMPLER).toMatchObject({ sampler: BALANCED_SAMPLER.sampler, steps: BALANCED_SAMPLER.steps, spacing: BALANCED_SAMPLER.spacing });
    expect(DEFAULT_SAMPLER.corrector).toEqual({ steps: BALANCED_SAMPLER.corrector.steps, r: BALANCED_SAMPLER.corrector.r });
    // any solver option: what it says, Algorithm 2 for the rest (every timestep, no corrector)
    expect((await sample(d, { n: 64, box: L, schedule, seed: 5, eta: 1 })).evaluations).toBe(20);
    // point clouds keep Algorithm 2
    expect((await sample(d, { n: 64, box: null, schedule, seed: 5 })).evaluations).toBe(20);
    d.dispose();
  });

  it('Langevin corrector: runs exactly `steps` extra evaluations at every timestep whose noise std is in the band', async () => {
    const { d, calls } = countedDenoiser();
    const L = 4;
    const base = { n: 64, box: L, schedule, seed: 3, sampler: 'ancestral' } as const;
    const plain = await sample(d, base);
    expect(calls.length).toBe(20);
    // steps: 0 is the plain sampler, bit for bit
    calls.length = 0;
    const zero = await sample(d, { ...base, corrector: { steps: 0 } });
    expect(Array.from(zero.positions[0])).toEqual(Array.from(plain.positions[0]));
    // band in LJ units: sigma_t = L sqrt(a_t); pick the timesteps 3..7 by their own noise levels
    const lo = L * schedule.sqrtA[3], hi = L * schedule.sqrtA[7];
    calls.length = 0;
    const before = tf.memory().numTensors;
    const pc = await sample(d, { ...base, corrector: { steps: 2, r: 0.1, sigmaMinLj: lo, sigmaMaxLj: hi } });
    expect(tf.memory().numTensors).toBe(before);
    expect(calls.length).toBe(20 + 5 * 2);
    expect(pc.evaluations).toBe(20 + 5 * 2); // NFE per conformation (SPEC §9)
    expect(pc.positions[0].every((v) => Number.isFinite(v) && v >= 0 && v < L)).toBe(true);
    expect(Array.from(pc.positions[0])).not.toEqual(Array.from(plain.positions[0]));
    // seeded
    const again = await sample(d, { ...base, corrector: { steps: 2, r: 0.1, sigmaMinLj: lo, sigmaMaxLj: hi } });
    expect(Array.from(again.positions[0])).toEqual(Array.from(pc.positions[0]));
    d.dispose();
  });

  it('rejects a malformed corrector with a ModelError that says what is expected', async () => {
    const d = tinyDenoiser();
    const base = { n: 64, box: 4, schedule, steps: 2 } as const;
    await expect(sample(d, { ...base, corrector: { steps: -1 } })).rejects.toThrow(/corrector.steps must be/);
    await expect(sample(d, { ...base, corrector: { steps: 1, r: 0 } })).rejects.toThrow(/corrector.r must be a finite number in/);
    await expect(sample(d, { ...base, corrector: { steps: 1, r: 2 } })).rejects.toThrow(ModelError);
    await expect(sample(d, { ...base, corrector: { steps: 1, sigmaMinLj: 1, sigmaMaxLj: 0.5 } })).rejects.toThrow(/corrector.sigmaMaxLj/);
    await expect(sample(d, { ...base, corrector: 3 as never })).rejects.toThrow(/corrector must be/);
    d.dispose();
  });

  it('inpaints through afterStep: the fixed particles come out bit-exact, the rest is generated', async () => {
    const d = tinyDenoiser();
    await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 2, schedule });
    const known = lattice(4, 0.3, 5);
    const mask = new Uint8Array(64);
    for (let p = 0; p < 64; p += 4) mask[p] = 1;
    const rng = createRng(11);
    const r = await sample(d, { n: 64, box: 4, seed: 2, steps: 7, afterStep: (x, t) => void inpaint(x, known, mask, t, schedule, rng, 4) });
    const x = r.positions[0];
    for (let p = 0; p < 64; p++) {
      for (let k = 0; k < 3; k++) {
        if (mask[p]) expect(x[3 * p + k]).toBe(known[3 * p + k]);
        else expect(x[3 * p + k]).not.toBe(known[3 * p + k]);
      }
    }
    d.dispose();
  });

  it('runs a guidance-wrapped eps function (classifier-free guidance) and counts two evaluations per step', async () => {
    const d = tinyDenoiser({ conditions: 1, conditionRanges: [[0, 2]], nullCondition: true });
    const base = { n: 64, box: 4, schedule, seed: 4, steps: 6 } as const;
    // weight 0 is the conditional model: same positions as plain conditional sampling
    const plain = await sample(d, { ...base, conditions: [1] });
    const w0 = await sample(d, { ...base, guide: (eps) => classifierFreeGuidanceEps(eps([1]), eps(null), 0) });
    expect(Array.from(w0.positions[0])).toEqual(Array.from(plain.positions[0]));
    expect([plain.evaluations, w0.evaluations]).toEqual([6, 12]);
    const w2 = await sample(d, { ...base, guide: (eps) => classifierFreeGuidanceEps(eps([1]), eps(null), 2) });
    expect(Array.from(w2.positions[0])).not.toEqual(Array.from(plain.positions[0]));
    expect(w2.positions[0].every((v) => v >= 0 && v < 4)).toBe(true);
    // the guidance option is the same eps function
    const g2 = await sample(d, { ...base, conditions: [1], guidance: 2 });
    expect(Array.from(g2.positions[0])).toEqual(Array.from(w2.positions[0]));
    expect(g2.evaluations).toBe(12);
    await expect(sample(d, { ...base, guidance: 1 })).rejects.toThrow(/no conditions given/);
    await expect(sample(d, { ...base, conditions: [1], guidance: -1 })).rejects.toThrow(/guidance/);
    await expect(sample(d, { ...base, conditions: [1], guidance: 1, guide: (eps) => eps([1]) })).rejects.toThrow(/not both/);
    const noNull = tinyDenoiser({ conditions: 1, conditionRanges: [[0, 2]] });
    await expect(sample(noNull, { ...base, conditions: [1], guidance: 1 })).rejects.toThrow(/null condition/);
    noNull.dispose();
    d.dispose();
  });

  it('variations: init from variationStart, sampled from a lower start', async () => {
    const d = tinyDenoiser();
    const x0 = lattice(4, 0.1, 3);
    const init = variationStart(x0, 3, schedule, createRng(1), 4);
    const r = await sample(d, { n: 64, box: 4, init, start: 3, finalStep: 'posterior', seed: 1 });
    expect(r.evaluations).toBe(3);
    expect(r.positions[0].every((v) => Number.isFinite(v) && v >= 0 && v < 4)).toBe(true);
    d.dispose();
  });
});
