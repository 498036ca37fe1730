import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@mddm/schedules';
import { OPP_CONDITION_ENCODERS, retrievalSample, selectBackend, train, variation, type Denoiser } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A pool of 12 frames (64 particles, box 4) at random (k, phi, T). */
function pool(): { positions: Float64Array; box: number; conditions: number[] }[] {
  const rng = createRng(11);
  return Array.from({ length: 12 }, (_, i) => ({
    positions: lattice(4, 0.2, i + 1), box: 4,
    conditions: [1 + 14 * rng.uniform(), 6.2 * rng.uniform(), 0.01 * Math.exp(Math.log(5) * rng.uniform())],
  }));
}

async function model(): Promise<Denoiser> {
  const d = tinyDenoiser({ conditionEncoders: [...OPP_CONDITION_ENCODERS], timeEncoding: 'log-sigma' });
  await train(d, { data: pool().slice(0, 3).map((f) => ({ positions: f.positions, box: f.box, conditions: f.conditions })), steps: 1 });
  return d;
}

/** Independent distance: k over its range (times kScale), phi on the unit circle, T on a log scale. */
function distance(a: number[], b: number[], kScale: number): number {
  const dk = (kScale * (a[0] - b[0])) / 14;
  const ds = Math.sin(a[1]) - Math.sin(b[1]);
  const dc = Math.cos(a[1]) - Math.cos(b[1]);
  const dT = Math.log(a[2] / b[2]) / Math.log(5);
  return dk * dk + ds * ds + dc * dc + dT * dT;
}

describe('retrievalSample', () => {
  it('starts every conformation from one of the nearest pool frames and equals variation from it (seeds from the stream)', async () => {
    const d = await model();
    const frames = pool();
    const given = [7, 1, 0.03];
    const nearest = frames.map((f, i) => ({ i, d: distance(given, f.conditions, 4) })).sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.i);
    const options = { steps: 2, corrector: undefined };
    const r = await retrievalSample(d, { ...options, pool: frames, conditions: given, sigmaLj: 0.3, count: 4, seed: 5, neighbours: 3, scale: [4, 1, 1] });
    expect(r.positions.length).toBe(4);
    expect(r.starts.length).toBe(4);
    for (const s of r.starts) expect(nearest).toContain(s);
    // the stream of seed 5: 4 start draws, then 4 noise seeds
    const rng = createRng(5);
    for (let i = 0; i < 4; i++) rng.integer(0, 2);
    const seeds = [0, 1, 2, 3].map(() => rng.integer(0, 2 ** 32 - 1));
    for (let i = 0; i < 4; i++) {
      const v = await variation(d, frames[r.starts[i]].positions, 4, { ...options, sigmaLj: 0.3, count: 1, seed: seeds[i], conditions: given });
      expect(Array.from(r.positions[i])).toEqual(Array.from(v.positions[0]));
      expect(r.sigmaLj).toBe(v.sigmaLj);
    }
    d.dispose();
  });

  it('runs with neighbouring seeds share no conformation (seed + i would: --seed 0 conformation 1 = --seed 1 conformation 0)', async () => {
    const d = await model();
    const frames = pool();
    const a = await retrievalSample(d, { steps: 1, pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, count: 2, seed: 0, neighbours: 1 });
    const b = await retrievalSample(d, { steps: 1, pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, count: 2, seed: 1, neighbours: 1 });
    expect(a.starts).toEqual(b.starts); // one neighbour: the same start frame everywhere
    for (const x of a.positions) for (const y of b.positions) expect(Array.from(x)).not.toEqual(Array.from(y));
    d.dispose();
  });

  it('excludeExact leaves out pool frames at exactly the requested conditions', async () => {
    const d = await model();
    const frames = pool();
    const given = frames[4].conditions;
    const kept = await retrievalSample(d, { steps: 1, pool: frames, conditions: given, sigmaLj: 0.3, count: 6, neighbours: 1 });
    expect(kept.starts).toEqual([4, 4, 4, 4, 4, 4]);
    const left = await retrievalSample(d, { steps: 1, pool: frames, conditions: given, sigmaLj: 0.3, count: 6, neighbours: 1, excludeExact: true });
    expect(left.starts.every((s) => s !== 4)).toBe(true);
    d.dispose();
  });

  it('bad pools and options get typed errors', async () => {
    const d = await model();
    const frames = pool();
    await expect(retrievalSample(d, { pool: [], conditions: [7, 1, 0.03], sigmaLj: 0.3 })).rejects.toThrow(/pool must be a non-empty array/);
    await expect(retrievalSample(d, { pool: [frames[0], { ...frames[1], box: 5 }], conditions: [7, 1, 0.03], sigmaLj: 0.3 })).rejects.toThrow(/one box and N for the pool/);
    await expect(retrievalSample(d, { pool: [frames[0]], conditions: frames[0].conditions, sigmaLj: 0.3, excludeExact: true })).rejects.toThrow(/no pool frame left/);
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, neighbours: 0 })).rejects.toThrow(/neighbours/);
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: -1 })).rejects.toThrow(/sigmaLj/);
    d.dispose();
  });
});
