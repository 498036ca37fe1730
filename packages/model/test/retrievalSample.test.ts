import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@mddm/schedules';
import { OPP_CONDITION_ENCODERS, retrievalNeighbours, retrievalSample, selectBackend, train, variation, type Denoiser } from '../src/index';
import { drawStarts } from '../src/retrievalSample';
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
  it('independent draw: starts every conformation from one of the nearest pool frames and equals variation from it (seeds from the stream)', async () => {
    const d = await model();
    const frames = pool();
    const given = [7, 1, 0.03];
    const nearest = frames.map((f, i) => ({ i, d: distance(given, f.conditions, 4) })).sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.i);
    const options = { steps: 2, corrector: undefined };
    const r = await retrievalSample(d, { ...options, pool: frames, conditions: given, sigmaLj: 0.3, count: 4, seed: 5, neighbours: 3, scale: [4, 1, 1], draw: 'independent' });
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

  it('stratified draw (default): one random order of the neighbours used in turn, then the noise seeds; equals variation from each start', async () => {
    const d = await model();
    const frames = pool();
    const given = [7, 1, 0.03];
    const nearest = frames.map((f, i) => ({ i, d: distance(given, f.conditions, 4) })).sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.i);
    const options = { steps: 2, corrector: undefined };
    const r = await retrievalSample(d, { ...options, pool: frames, conditions: given, sigmaLj: 0.3, count: 4, seed: 9, neighbours: 3, scale: [4, 1, 1] });
    // independent computation of the stream of seed 9: a Fisher-Yates shuffle of the 3 nearest (nearest first), then 4 noise seeds
    const rng = createRng(9);
    const order = [...nearest];
    for (let i = 2; i > 0; i--) {
      const j = rng.integer(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    expect(r.starts).toEqual([order[0], order[1], order[2], order[0]]);
    expect(new Set(r.starts.slice(0, 3)).size).toBe(3); // all three neighbours among any 3 consecutive conformations
    const seeds = [0, 1, 2, 3].map(() => rng.integer(0, 2 ** 32 - 1));
    for (let i = 0; i < 4; i++) {
      const v = await variation(d, frames[r.starts[i]].positions, 4, { ...options, sigmaLj: 0.3, count: 1, seed: seeds[i], conditions: given });
      expect(Array.from(r.positions[i])).toEqual(Array.from(v.positions[0]));
    }
    d.dispose();
  });

  it('first: conformation m alone is conformation m of the batch of first + count (stratified: of any larger batch)', async () => {
    const d = await model();
    const frames = pool();
    for (const draw of ['stratified', 'independent'] as const) {
      const base = { steps: 1, corrector: undefined, pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, seed: 4, neighbours: 3, scale: [4, 1, 1], draw };
      const whole = await retrievalSample(d, { ...base, count: 4 });
      for (let m = 0; m < 4; m++) {
        const part = await retrievalSample(d, { ...base, count: 1, first: m });
        const batch = draw === 'stratified' ? whole : await retrievalSample(d, { ...base, count: m + 1 });
        expect(part.starts).toEqual([batch.starts[m]]);
        expect(Array.from(part.positions[0])).toEqual(Array.from(batch.positions[m]));
      }
    }
    // stratified is prefix-stable: the batch of 6 begins with the batch of 4
    const six = drawStarts([3, 7, 9], 'stratified', 4, 0, 6);
    const four = drawStarts([3, 7, 9], 'stratified', 4, 0, 4);
    expect(six.starts.slice(0, 4)).toEqual(four.starts);
    expect(six.seeds.slice(0, 4)).toEqual(four.seeds);
    d.dispose();
  });

  it('stratified: each conformation is uniform over the neighbours (Monte Carlo), and a batch of 3 uses all of them', () => {
    const near = [2, 5, 8];
    const counts = new Map<string, number>();
    const runs = 6000;
    for (let seed = 0; seed < runs; seed++) {
      const { starts } = drawStarts(near, 'stratified', seed, 0, 4);
      expect([...starts.slice(0, 3)].sort((a, b) => a - b)).toEqual(near);
      expect(starts[3]).toBe(starts[0]);
      for (let j = 0; j < 2; j++) counts.set(`${j}:${starts[j]}`, (counts.get(`${j}:${starts[j]}`) ?? 0) + 1);
    }
    // binomial(6000, 1/3): sd 36.5; 5 sd
    for (let j = 0; j < 2; j++) for (const s of near) expect(Math.abs((counts.get(`${j}:${s}`) ?? 0) - runs / 3)).toBeLessThan(5 * Math.sqrt((runs * 2) / 9));
    // independent: 4 draws among 3 leave a neighbour out with probability 1 - 36/81 = 0.556
    let missed = 0;
    for (let seed = 0; seed < runs; seed++) if (new Set(drawStarts(near, 'independent', seed, 0, 4).starts).size < 3) missed++;
    expect(Math.abs(missed / runs - 45 / 81)).toBeLessThan(5 * Math.sqrt(((45 / 81) * (36 / 81)) / runs));
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
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, draw: 'spread' as never })).rejects.toThrow(/draw must be 'stratified' or 'independent'/);
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, first: -1 })).rejects.toThrow(/first/);
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, first: 1.5 })).rejects.toThrow(/first/);
    await expect(retrievalSample(d, { pool: frames, conditions: [7, 1, 0.03], sigmaLj: 0.3, first: 1e12 })).rejects.toThrow(/first/);
    d.dispose();
  });

  it('retrievalNeighbours: the frames the draw starts from, nearest first by the brute-force distance; excludeExact; errors', async () => {
    const d = await model();
    const frames = pool();
    const table = frames.map((f) => f.conditions);
    for (const given of [[7, 1, 0.03], [2, 5.9, 0.012], [14, 0.1, 0.049]]) {
      const brute = frames.map((f, i) => ({ i, d: distance(given, f.conditions, 4) })).sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.i);
      const near = retrievalNeighbours(d, table, given, { neighbours: 3, scale: [4, 1, 1] });
      expect(near).toEqual(brute.slice(0, 3));
      // a stratified batch of 3 starts from exactly these frames
      const r = await retrievalSample(d, { steps: 1, corrector: undefined, pool: frames, conditions: given, sigmaLj: 0.3, count: 3, seed: 2, neighbours: 3, scale: [4, 1, 1] });
      expect([...r.starts].sort((a, b) => a - b)).toEqual([...near].sort((a, b) => a - b));
    }
    expect(retrievalNeighbours(d, table, table[4], { neighbours: 2, scale: [4, 1, 1] })[0]).toBe(4);
    expect(retrievalNeighbours(d, table, table[4], { neighbours: 2, scale: [4, 1, 1], excludeExact: true })).not.toContain(4);
    expect(retrievalNeighbours(d, table, [7, 1, 0.03], { neighbours: 50 })).toHaveLength(12);
    expect(() => retrievalNeighbours(d, [[1, 2]], [7, 1, 0.03])).toThrow(/table\[0\] must hold at least 3 conditions/);
    expect(() => retrievalNeighbours(d, table, null as unknown as number[])).toThrow(/conditions must be an array/);
    expect(() => retrievalNeighbours(d, table, [7, 1, 0.03], { neighbours: 0 })).toThrow(/neighbours/);
    d.dispose();
  });
});
