import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { WrappedDiffusion, cosineSchedule, createRng, geometricSchedule, type SamplerContext } from '@mddm/schedules';
import { ModelError, inpaintSample, repaintPredictor, sample, selectBackend, train, variation } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const schedule = cosineSchedule(20);

async function trained() {
  const d = tinyDenoiser();
  await train(d, { data: [{ positions: lattice(4), box: 4 }], steps: 2, schedule });
  return d;
}

describe('inpaintSample', () => {
  it('keeps the fixed particles bit-exact (mask or indices), generates the rest, seeded, no leaks; RePaint costs resample x NFE', async () => {
    const d = await trained();
    const known = lattice(4, 0.3, 5);
    const indices = Array.from({ length: 64 }, (_, i) => i).filter((i) => known[3 * i] < 2); // x < L/2
    const mask = new Uint8Array(64);
    for (const i of indices) mask[i] = 1;
    const before = tf.memory().numTensors;
    const a = await inpaintSample(d, { known, indices, box: 4, steps: 6, seed: 3, count: 3, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.positions.length).toBe(3);
    expect(a.evaluations).toBe(6);
    for (const x of a.positions) {
      for (let p = 0; p < 64; p++) for (let k = 0; k < 3; k++) {
        if (mask[p]) expect(x[3 * p + k]).toBe(known[3 * p + k]);
        else expect(x[3 * p + k]).not.toBe(known[3 * p + k]);
      }
      expect(x.every((v) => v >= 0 && v < 4)).toBe(true);
    }
    const b = await inpaintSample(d, { known, mask, box: 4, steps: 6, seed: 3, count: 3, batchSize: 2 });
    expect(b.positions.map((p) => Array.from(p))).toEqual(a.positions.map((p) => Array.from(p)));
    const r = await inpaintSample(d, { known, mask, box: 4, steps: 6, seed: 3, resample: 3 });
    expect(r.evaluations).toBe(18);
    for (let p = 0; p < 64; p++) if (mask[p]) expect(r.positions[0][3 * p]).toBe(known[3 * p]);
    d.dispose();
  });

  it('takes the ODE samplers of sample (DPM-Solver++ 2M, Heun on the karras grid, + corrector): fixed particles bit-exact, NFE as for sample', async () => {
    const d = await trained();
    const known = lattice(4, 0.3, 5);
    const mask = Uint8Array.from({ length: 64 }, (_, i) => (known[3 * i] < 2 ? 1 : 0));
    const before = tf.memory().numTensors;
    const dpm = await inpaintSample(d, { known, mask, box: 4, sampler: 'dpm2m', steps: 5, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const plain = await sample(d, { n: 64, box: 4, sampler: 'dpm2m', steps: 5, seed: 2 });
    expect(dpm.evaluations).toBe(plain.evaluations);
    const heun = await inpaintSample(d, { known, mask, box: 4, sampler: 'heun', steps: 4, seed: 2, corrector: { steps: 2, r: 1 } });
    const heunPlain = await sample(d, { n: 64, box: 4, sampler: 'heun', steps: 4, seed: 2, corrector: { steps: 2, r: 1 } });
    expect(heun.evaluations).toBe(heunPlain.evaluations);
    for (const x of [dpm.positions[0], heun.positions[0]]) {
      for (let p = 0; p < 64; p++) if (mask[p]) for (let k = 0; k < 3; k++) expect(x[3 * p + k]).toBe(known[3 * p + k]);
      expect(x.every((v) => v >= 0 && v < 4)).toBe(true);
    }
    // the ancestral default is unchanged by the new options (same call, same numbers)
    const a = await inpaintSample(d, { known, mask, box: 4, steps: 6, seed: 3 });
    const b = await inpaintSample(d, { known, mask, box: 4, steps: 6, seed: 3, sampler: 'ancestral', spacing: 'uniform' });
    expect(Array.from(b.positions[0])).toEqual(Array.from(a.positions[0]));
    // RePaint repeats only the ancestral step; a bad sampler is a typed error
    await expect(inpaintSample(d, { known, mask, box: 4, sampler: 'dpm2m', steps: 5, resample: 2 })).rejects.toThrow(/resample > 1 \(RePaint\) needs sampler 'ancestral'/);
    await expect(inpaintSample(d, { known, mask, box: 4, sampler: 'rk4' as never, steps: 5 })).rejects.toThrow(ModelError);
    d.dispose();
  });

  it('the fixed particles get the forward marginal at every level, independently from level to level (Monte Carlo)', async () => {
    // every particle fixed at the box centre, a predictor that does nothing: what is left is the noise the
    // fixed particles get. The variance of (x - known) / L must be a_t at every level (also with RePaint's
    // re-noising in between), successive levels uncorrelated, and the last level exact.
    const s = geometricSchedule(20, { sigmaMinBox: 0.002, sigmaMaxBox: 0.03 });
    const L = 10, n = 6000;
    const known = new Float64Array(3 * n).fill(5);
    const mask = new Uint8Array(n).fill(1);
    const grid = [20, 15, 10, 5, 1, 0];
    const noop = { name: 'noop', async step() {} };
    for (const resample of [1, 3]) {
      const x = new Float64Array(3 * n);
      const ctx: SamplerContext = { diffusion: new WrappedDiffusion(s), x, rng: createRng(1), box: [L, L, L], z: new Float64Array(3 * n), evaluate: async () => x };
      const pred = repaintPredictor(noop, known, mask, resample, createRng(7));
      let prev: Float64Array | null = null;
      let checked = 0;
      for (let k = 0; k + 1 < grid.length; k++) {
        await pred.step(ctx, grid[k], grid[k + 1]);
        const t = grid[k + 1];
        if (t === 0) {
          expect(Array.from(x).every((v, i) => v === known[i])).toBe(true);
          break;
        }
        let v = 0, c = 0, vp = 0;
        const p0 = prev ?? x;
        for (let i = 0; i < x.length; i++) {
          const d = (x[i] - 5) / L, dp = (p0[i] - 5) / L;
          v += d * d; c += d * dp; vp += dp * dp;
        }
        v /= x.length; c /= x.length; vp /= x.length;
        expect(Math.abs(v / s.a[t] - 1)).toBeLessThan(0.06);
        if (prev) {
          expect(Math.abs(c / Math.sqrt(v * vp))).toBeLessThan(0.03);
          checked++;
        }
        prev = Float64Array.from(x);
      }
      expect(checked).toBe(3);
    }
  });

  it('correctorFixed changes the run as documented; the fixed particles stay bit-exact; bad values are typed errors', async () => {
    const d = await trained();
    const known = lattice(4, 0.3, 5);
    const mask = Uint8Array.from({ length: 64 }, (_, i) => (known[3 * i] < 2 ? 1 : 0));
    const base = { known, mask, box: 4, steps: 6, seed: 3, corrector: { steps: 2, r: 0.5 } };
    const redraw = await inpaintSample(d, base);
    const held = await inpaintSample(d, { ...base, correctorFixed: 'hold' });
    const moved = await inpaintSample(d, { ...base, correctorFixed: 'move' });
    const explicit = await inpaintSample(d, { ...base, correctorFixed: 'redraw' });
    expect(Array.from(explicit.positions[0])).toEqual(Array.from(redraw.positions[0])); // the default
    for (const r of [redraw, held, moved]) for (let p = 0; p < 64; p++) if (mask[p]) for (let k = 0; k < 3; k++) expect(r.positions[0][3 * p + k]).toBe(known[3 * p + k]);
    expect(Array.from(moved.positions[0])).not.toEqual(Array.from(held.positions[0]));
    expect(Array.from(redraw.positions[0])).not.toEqual(Array.from(held.positions[0]));
    await expect(inpaintSample(d, { ...base, correctorFixed: 'frozen' as never })).rejects.toThrow(/correctorFixed must be 'redraw', 'hold' or 'move'/);
    // init: a second pass from a slightly noised state stays near it (from uniform noise it would not)
    const first = redraw.positions[0];
    const again = await inpaintSample(d, { known, mask, box: 4, seed: 4, start: 2, steps: 2, init: first });
    const fromNoise = await inpaintSample(d, { known, mask, box: 4, seed: 4, start: 2, steps: 2 });
    const from32 = await inpaintSample(d, { known, mask, box: 4, seed: 4, start: 2, steps: 2, init: Float32Array.from(first) }); // float32 input is copied to float64
    const dist = (x: Float64Array) => Math.max(...Array.from(x, (v, i) => Math.abs(((v - first[i] + 6) % 4) - 2)));
    expect(dist(again.positions[0])).toBeLessThan(4 * 1.5 * schedule.sqrtA[2] + 0.05);
    expect(dist(fromNoise.positions[0])).toBeGreaterThan(1);
    expect(dist(from32.positions[0])).toBeLessThan(4 * 1.5 * schedule.sqrtA[2] + 0.05);
    await expect(inpaintSample(d, { ...base, count: 2, init: first })).rejects.toThrow(/init must hold count \* N = 128 particles, got 64/);
    d.dispose();
  });

  it('rejects a mask of the wrong length, bad indices, fixed positions outside the box, both/neither selectors', async () => {
    const d = await trained();
    const known = lattice(4);
    const bad = (o: object) => inpaintSample(d, { known, box: 4, steps: 1, ...o });
    await expect(bad({ mask: new Uint8Array(63) })).rejects.toThrow(/mask must have one flag per particle \(N = 64\)/);
    await expect(bad({ indices: [0, 64] })).rejects.toThrow(/indices\[1\] = 64 must be an integer in \[0, 63\]/);
    await expect(bad({ indices: [1, 1] })).rejects.toThrow(/appears twice/);
    await expect(bad({})).rejects.toThrow(/exactly one of mask/);
    await expect(bad({ mask: new Uint8Array(64), indices: [1] })).rejects.toThrow(ModelError);
    const outside = Float64Array.from(known);
    outside[3 * 5] = 4.5;
    await expect(inpaintSample(d, { known: outside, indices: [5], box: 4, steps: 1 })).rejects.toThrow(/fixed particle 5 has coordinate 0 = 4.5, outside the box/);
    // a particle outside the box that is not fixed is fine (it is generated)
    await expect(inpaintSample(d, { known: outside, indices: [6], box: 4, steps: 1 })).resolves.toBeDefined();
    d.dispose();
  });
});

describe('variation', () => {
  it('noises to the level, denoises from there; small levels stay close, the level maps to the first t reaching sigma', async () => {
    const d = await trained();
    const x0 = lattice(4, 0.1, 3);
    const s5 = 4 * schedule.sqrtA[5];
    const v = await variation(d, x0, 4, { sigmaLj: s5 * 0.999, count: 2, seed: 1 });
    expect(v.t).toBe(5);
    expect(v.sigmaLj).toBeCloseTo(s5, 12);
    expect(v.evaluations).toBe(5);
    expect(v.positions.length).toBe(2);
    const byT = await variation(d, x0, 4, { t: 5, count: 2, seed: 1 });
    expect(byT.positions.map((p) => Array.from(p))).toEqual(v.positions.map((p) => Array.from(p)));
    await expect(variation(d, x0, 4, { sigmaLj: 0 })).rejects.toThrow(/sigmaLj must be a finite noise std > 0/);
    await expect(variation(d, x0, 4, { sigmaLj: 1e6 })).rejects.toThrow(/above the largest noise level/);
    await expect(variation(d, x0, 4, {})).rejects.toThrow(/exactly one of sigmaLj/);
    d.dispose();
  });
});
