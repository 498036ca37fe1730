import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { encodeTime, geometricSchedule } from '@mddm/schedules';
import {
  ModelError, createNoiseBandDenoiser, denoiserFromSpec, loadDenoiser, sample, saveDenoiser, selectBackend, train, timeInputAtSigma, type DenoiserLike,
} from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

const L = 4;
const schedule = geometricSchedule(100, { sigmaMinBox: 1e-3, sigmaMaxBox: 0.5 });
const a = Array.from(schedule.a);
const record = (s = a) => ({ n: 64, box: [L, L, L] as [number, number, number], density: 1, schedule: { name: 'geo', T: s.length - 1, a: [...s] }, target: 'eps' as const });
/** A tiny trained-looking model: random weights, the schedule's training record. */
const model = (seed: number, width = 8, s = a) => {
  const d = tinyDenoiser({ seed, width, hidden: [width], timeEncoding: 'log-sigma' });
  d.training = record(s);
  return d;
};
const sigmaAt = (t: number) => L * Math.sqrt(a[t]);
const band = { sigmaMinLj: 0.02, sigmaMaxLj: 0.3 };

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-noise-band-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('NoiseBandDenoiser: an expert on a band of noise levels, the base elsewhere', () => {
  it('predicts exactly what the expert predicts inside the band and the base outside, per frame', () => {
    const base = model(1), expert = model(2, 12);
    const pair = createNoiseBandDenoiser({ base, expert, ...band });
    const x = lattice(L, 0.3, 3);
    let inside = 0, outside = 0;
    for (let t = 1; t <= 100; t += 3) {
      const tau = encodeTime('log-sigma', t, a);
      const s = sigmaAt(t);
      const own = s >= band.sigmaMinLj && s <= band.sigmaMaxLj ? expert : base;
      if (own === expert) inside++; else outside++;
      expect(pair.predict(x, L, tau)).toEqual(own.predict(x, L, tau));
    }
    expect(inside).toBeGreaterThan(3);
    expect(outside).toBeGreaterThan(3);
    // a batch with one frame on each side: each frame gets its own model's prediction
    const tIn = timeInputAtSigma(base, 0.1), tOut = timeInputAtSigma(base, 1);
    const two = new Float64Array([...x, ...lattice(L, 0.3, 4)]);
    const both = pair.predict(two, L, [tIn, tOut], { frames: 2 });
    const n = x.length;
    expect(both.subarray(0, n)).toEqual(expert.predict(two, L, [tIn, tOut], { frames: 2 }).subarray(0, n));
    expect(both.subarray(n)).toEqual(base.predict(two, L, [tIn, tOut], { frames: 2 }).subarray(n));
    // without global rows buildGraph prepares both parts, and apply routes by the time input
    const g = pair.globalInput(tIn, 1);
    const routed = tf.tidy(() => pair.apply(pair.buildGraph(x, L, 1), tf.tensor2d(g, [1, pair.globalFeatures])));
    expect(routed.dataSync()).toEqual(expert.predict(x, L, tIn));
    routed.dispose();
    expect(pair.countParams()).toBe(base.countParams() + expert.countParams());
    pair.dispose();
  });

  it('the band edges are inclusive and follow the time input of the base (t/T encoding too)', () => {
    for (const enc of ['log-sigma', 't/T'] as const) {
      const base = tinyDenoiser({ seed: 1, timeEncoding: enc }), expert = tinyDenoiser({ seed: 2, timeEncoding: enc });
      base.training = record();
      expert.training = record();
      const pair = createNoiseBandDenoiser({ base, expert, ...band });
      expect(pair.inBand(timeInputAtSigma(base, band.sigmaMinLj))).toBe(true);
      expect(pair.inBand(timeInputAtSigma(base, band.sigmaMaxLj))).toBe(true);
      expect(pair.inBand(timeInputAtSigma(base, band.sigmaMinLj * 0.97))).toBe(false);
      expect(pair.inBand(timeInputAtSigma(base, band.sigmaMaxLj * 1.03))).toBe(false);
      pair.dispose();
    }
  });

  it('saves and loads as one model (kind noise-band), and rebuilds from its spec', async () => {
    const pair = createNoiseBandDenoiser({ base: model(1), expert: model(2, 12), ...band });
    const out = join(dir, 'pair');
    await saveDenoiser(pair, out);
    const back = await loadDenoiser(out);
    expect(back.kind).toBe('noise-band');
    const x = lattice(L, 0.3, 5);
    for (const s of [0.05, 0.6]) {
      const tau = timeInputAtSigma(pair, s);
      expect(back.predict(x, L, tau)).toEqual(pair.predict(x, L, tau));
    }
    expect(back.training).toEqual(pair.training);
    const fresh = denoiserFromSpec(pair.toSpec());
    expect(fresh.kind).toBe('noise-band');
    expect(fresh.countParams()).toBe(pair.countParams());
    fresh.dispose();
    back.dispose();
    pair.dispose();
  });

  it('samples with every call landing in the right model, without leaking tensors', async () => {
    const base = model(1), expert = model(2);
    const pair = createNoiseBandDenoiser({ base, expert, ...band });
    const calls: { name: string; sigma: number }[] = [];
    // the noise std a time input stands for, inverting the log-sigma encoding independently
    const l1 = 0.5 * Math.log(a[1]), lT = 0.5 * Math.log(a[100]);
    const spy = (d: DenoiserLike, name: string) => {
      const apply = d.apply.bind(d);
      d.apply = (input, g) => { calls.push({ name, sigma: L * Math.exp(l1 + g.dataSync()[0] * (lT - l1)) }); return apply(input, g); };
    };
    spy(base, 'base');
    spy(expert, 'expert');
    const o = { n: 64, box: L, schedule, seed: 1, sampler: 'ancestral', steps: 20 } as const;
    await sample(pair, o);
    const before = tf.memory().numTensors;
    calls.length = 0;
    const r = await sample(pair, o);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.positions[0].every(Number.isFinite)).toBe(true);
    expect(calls.length).toBe(r.evaluations);
    for (const c of calls) expect(c.name).toBe(c.sigma >= band.sigmaMinLj * (1 - 1e-6) && c.sigma <= band.sigmaMaxLj * (1 + 1e-6) ? 'expert' : 'base');
    expect(new Set(calls.map((c) => c.name))).toEqual(new Set(['base', 'expert']));
    pair.dispose();
  });

  it('trains both parts, each on the frames of its own levels', async () => {
    const base = model(1), expert = model(2);
    const pair = createNoiseBandDenoiser({ base, expert, ...band });
    const snapshot = (d: DenoiserLike) => d.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
    const changed = (before: number[][], d: DenoiserLike) => snapshot(d).some((w, i) => w.some((v, j) => v !== before[i][j]));
    const data = [{ positions: lattice(L, 0.3, 7), box: [L, L, L] as [number, number, number] }];
    // only levels above the band: the expert must stay as it is
    const high = a.map((_, t) => (t > 0 && sigmaAt(t) > band.sigmaMaxLj ? 1 : 0));
    const [b0, e0] = [snapshot(base), snapshot(expert)];
    await train(pair, { data, schedule, steps: 3, batchSize: 2, timestepWeights: high, learningRate: 1e-3 });
    expect(changed(b0, base)).toBe(true);
    expect(changed(e0, expert)).toBe(false);
    // only levels inside the band: now only the expert moves
    const inside = a.map((_, t) => (t > 0 && sigmaAt(t) >= band.sigmaMinLj && sigmaAt(t) <= band.sigmaMaxLj ? 1 : 0));
    const [b1, e1] = [snapshot(base), snapshot(expert)];
    await train(pair, { data, schedule, steps: 3, batchSize: 2, timestepWeights: inside, learningRate: 1e-3 });
    expect(changed(b1, base)).toBe(false);
    expect(changed(e1, expert)).toBe(true);
    pair.dispose();
  });

  it('refuses what cannot work, with typed errors', () => {
    const base = model(1);
    const bad = (config: Parameters<typeof createNoiseBandDenoiser>[0], re: RegExp) => {
      expect(() => createNoiseBandDenoiser(config)).toThrow(ModelError);
      expect(() => createNoiseBandDenoiser(config)).toThrow(re);
    };
    const untrained = tinyDenoiser({ seed: 3, timeEncoding: 'log-sigma' });
    bad({ base, expert: untrained, ...band }, /expert model has no training record/);
    bad({ base, expert: base, ...band }, /two different models/);
    const other = model(4);
    bad({ base, expert: other, sigmaMinLj: 0.3, sigmaMaxLj: 0.02 }, /sigmaMinLj < sigmaMaxLj/);
    bad({ base, expert: other, sigmaMinLj: 0.02, sigmaMaxLj: 50 }, /inside the base model's trained range/);
    bad({ base, expert: other, sigmaMinLj: Number.NaN, sigmaMaxLj: 0.3 }, /sigmaMinLj < sigmaMaxLj/);
    const shifted = model(5, 8, Array.from(geometricSchedule(100, { sigmaMinBox: 2e-3, sigmaMaxBox: 0.5 }).a));
    bad({ base, expert: shifted, ...band }, /share the schedule/);
    const tT = tinyDenoiser({ seed: 6, timeEncoding: 't/T' });
    tT.training = record();
    bad({ base, expert: tT, ...band }, /differ in timeEncoding/);
    bad({ base, expert: null as unknown as DenoiserLike, ...band }, /expert must be a denoiser/);
    for (const d of [base, untrained, other, shifted, tT]) d.dispose();
  });
});
