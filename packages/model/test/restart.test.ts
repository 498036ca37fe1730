import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { geometricSchedule, noiseLevels } from '@mddm/schedules';
import { BALANCED_SAMPLER, ModelError, RESTART_SAMPLER, sample, selectBackend, type SampleOptions } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const L = 4;
const schedule = geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 0.5 });
/** Noise std of timestep t in LJ units (box L). */
const sigmaLj = (t: number) => L * schedule.sqrtA[t];
/** First timestep whose std reaches s, by a linear scan (independent of resolveRestart). */
const firstAtLeast = (s: number) => { let t = 1; while (sigmaLj(t) < s) t++; return t; };

/**
 * The exact eps of a point mass at `target` (the data distribution is one configuration): the
 * posterior mean of x_0 is `target`, so `eps = minimumImage(x - target) / (L sqrt(a_t))`. Also
 * records every (t, rms distance to the target) the sampler asks about.
 */
function pointMassGuide(target: Float64Array, calls: { t: number; rms: number }[]): SampleOptions['guide'] {
  return () => async (x, t, out) => {
    const s = sigmaLj(t);
    let sq = 0;
    for (let i = 0; i < x.length; i++) {
      let d = x[i] - target[i];
      d -= L * Math.round(d / L);
      sq += d * d;
      out[i] = d / s;
    }
    calls.push({ t, rms: Math.sqrt(sq / x.length) });
  };
}

describe('sample({ restart }): restart sampling (Xu et al. 2023)', () => {
  it('visits the main grid, then count times the same sampler\'s grid from the restart level; NFE adds up', async () => {
    const d = tinyDenoiser();
    const ts: number[] = [];
    const guide: SampleOptions['guide'] = (eps) => { const e = eps(undefined); return (x, t, out) => { ts.push(t); return e(x, t, out); }; };
    const o = { n: 64, box: L, schedule, seed: 2, sampler: 'dpm2m', steps: 6, guide } as const;
    const r = await sample(d, { ...o, restart: { sigmaLj: 0.2, count: 2, steps: 4 } });
    const tr = firstAtLeast(0.2);
    const main = Array.from(noiseLevels(schedule, 6, { spacing: 'karras' }));
    const again = Array.from(noiseLevels(schedule, 4, { spacing: 'karras', start: tr }));
    expect(again[0]).toBe(tr);
    expect(ts).toEqual([...main, ...again, ...again]);
    expect(r.evaluations).toBe(6 + 2 * 4);
    // the corrector runs in the re-runs too (same band)
    const c = await sample(d, { ...o, corrector: { steps: 3, sigmaMaxLj: 1e9 }, restart: { sigmaLj: 0.2, count: 2, steps: 4 } });
    expect(c.evaluations).toBe(6 * 4 + 2 * 4 * 4);
    d.dispose();
  });

  it('an exact denoiser of a point mass: every re-run starts about sigma from the target and returns to it', async () => {
    const d = tinyDenoiser();
    const target = lattice(L, 0.3, 7); // 64 particles
    const calls: { t: number; rms: number }[] = [];
    const tr = firstAtLeast(0.3);
    const r = await sample(d, {
      n: 64, box: L, schedule, seed: 3, sampler: 'dpm2m', steps: 10, guide: pointMassGuide(target, calls),
      restart: { sigmaLj: 0.3, count: 3, steps: 5 },
    });
    // final sample = the target (deterministic ODE solver with the exact x_0)
    let maxErr = 0;
    for (let i = 0; i < target.length; i++) { let e = r.positions[0][i] - target[i]; e -= L * Math.round(e / L); maxErr = Math.max(maxErr, Math.abs(e)); }
    expect(maxErr).toBeLessThan(1e-9);
    // each re-run's first evaluation: the target plus N(0, sigma^2) per coordinate (192 of them: rms within 20%)
    const starts = calls.filter((c, i) => c.t === tr && i >= 10);
    expect(starts).toHaveLength(3);
    for (const s of starts) {
      expect(s.rms / sigmaLj(tr)).toBeGreaterThan(0.8);
      expect(s.rms / sigmaLj(tr)).toBeLessThan(1.2);
    }
    d.dispose();
  });

  it('count 0 is no restart, bit for bit; seeded; no tensor leaks; progress counts every step', async () => {
    const d = tinyDenoiser();
    const o = { n: 64, box: L, schedule, seed: 5, sampler: 'dpm2m', steps: 5 } as const;
    const plain = await sample(d, o);
    const zero = await sample(d, { ...o, restart: { sigmaLj: 0.2, count: 0 } });
    expect(Array.from(zero.positions[0])).toEqual(Array.from(plain.positions[0]));
    const before = tf.memory().numTensors;
    const steps: { step: number; steps: number; evaluations: number }[] = [];
    const a = await sample(d, { ...o, count: 2, batchSize: 1, restart: { sigmaLj: 0.2, count: 2 }, onProgress: (p) => steps.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    const b = await sample(d, { ...o, count: 2, batchSize: 1, restart: { sigmaLj: 0.2, count: 2 } });
    expect(b.positions.map((p) => Array.from(p))).toEqual(a.positions.map((p) => Array.from(p)));
    expect(a.positions[0]).not.toEqual(plain.positions[0]);
    for (const p of a.positions) expect(p.every((v) => Number.isFinite(v) && v >= 0 && v < L)).toBe(true);
    const perBatch = steps.length / 2;
    expect(steps.slice(0, perBatch).map((p) => p.step)).toEqual(Array.from({ length: perBatch }, (_, i) => i + 1));
    expect(steps.every((p) => p.steps === perBatch)).toBe(true);
    expect(steps[perBatch - 1].evaluations).toBe(a.evaluations);
    d.dispose();
  });

  it('bad restart options are typed errors', async () => {
    const d = tinyDenoiser();
    const o = { n: 64, box: L, schedule, sampler: 'dpm2m', steps: 5 } as const;
    const bad = [
      null, 3, { sigmaLj: 0.2 }, { sigmaLj: 0.2, count: -1 }, { sigmaLj: 0.2, count: 1.5 }, { sigmaLj: Number.NaN, count: 1 },
      { sigmaLj: 0, count: 1 }, { sigmaLj: sigmaLj(1) * 0.5, count: 1 }, { sigmaLj: sigmaLj(100) * 2, count: 1 }, { sigmaLj: 0.2, count: 1, steps: 0 },
    ];
    for (const restart of bad) {
      await expect(sample(d, { ...o, restart: restart as never }), JSON.stringify(restart)).rejects.toThrow(ModelError);
    }
    await expect(sample(d, { n: 64, box: null, schedule, restart: { sigmaLj: 0.2, count: 1 } })).rejects.toThrow(/periodic/);
    d.dispose();
  });

  it('RESTART_SAMPLER on the pretrained models\' noise range: balanced, then 5 re-runs of 8 levels from 0.12 LJ', async () => {
    const box = 10;
    const pretrained = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    const d = tinyDenoiser();
    const ts: number[] = [];
    const r = await sample(d, {
      ...RESTART_SAMPLER, n: 32, box, schedule: pretrained, start: 363, seed: 1, onWarning: () => {},
      guide: (eps) => { const e = eps(undefined); return (x, t, out) => { ts.push(t); return e(x, t, out); }; },
    });
    let tr = 1;
    while (box * pretrained.sqrtA[tr] < 0.12) tr++;
    const rerun = Array.from(noiseLevels(pretrained, 8, { spacing: 'karras', start: tr }));
    const inBand = rerun.filter((t) => box * pretrained.sqrtA[t] <= BALANCED_SAMPLER.corrector.sigmaMaxLj).length;
    expect(r.evaluations).toBe(200 + 5 * (8 + 47 * inBand));
    expect(ts.slice(200, 200 + 8 + 47 * inBand).filter((t, i, a) => i === 0 || t !== a[i - 1])).toEqual(rerun);
    d.dispose();
  });
});
