import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '@mddm/schedules';
import { DRAW_NEIGHBOURS, OPP_CONDITION_ENCODERS, drawConditions, loadDenoiser, sample, saveDenoiser, selectBackend, train, type Denoiser } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** (k, phi, T) and one drawn "structure" condition, linear over [0, 10]. */
const ENCODERS = [...OPP_CONDITION_ENCODERS, { kind: 'linear' as const, range: [0, 10] as [number, number] }];

/** A table of training rows: (k, phi, T, s) with s = the row's index (so a draw names its row). */
function table(size: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: size }, (_, i) => [1 + 14 * rng.uniform(), 6.2 * rng.uniform(), 0.01 * Math.exp(Math.log(5) * rng.uniform()), i]);
}

/** A denoiser whose training record holds `rows` with the last condition drawn (what `train` records). */
function withRows(rows: number[][]): Denoiser {
  const d = tinyDenoiser({ conditionEncoders: ENCODERS });
  d.training = { n: 64, box: [4, 4, 4], density: 1, schedule: { name: 'x', T: 1, a: [1, 1] }, target: 'eps', conditionKeys: ['k', 'phi', 'T', 's'], drawnConditions: 1, conditionRows: rows };
  return d;
}

/** Independent distance: k over its range, the phase as a point on the unit circle, T on a log scale. */
function distance(a: number[], b: number[]): number {
  const dk = (a[0] - b[0]) / 14;
  const ds = Math.sin(a[1]) - Math.sin(b[1]);
  const dc = Math.cos(a[1]) - Math.cos(b[1]);
  const dT = Math.log(a[2] / b[2]) / Math.log(5);
  return dk * dk + ds * ds + dc * dc + dT * dT;
}

describe('drawConditions', () => {
  it('draws uniformly among the nearest training rows (brute force over the table, chi-square on the counts)', () => {
    const rows = table(60, 3);
    const d = withRows(rows);
    fc.assert(fc.property(fc.double({ min: 1, max: 15, noNaN: true }), fc.double({ min: 0, max: 6.28, noNaN: true }), fc.double({ min: 0.01, max: 0.05, noNaN: true }), (k, phi, T) => {
      const nearest = rows.map((r, i) => ({ i, d: distance([k, phi, T], r) })).sort((a, b) => a.d - b.d).slice(0, DRAW_NEIGHBOURS).map((x) => x.i);
      const drawn = drawConditions(d, [k, phi, T], createRng(1), { count: 40 });
      for (const row of drawn) {
        expect(row.slice(0, 3)).toEqual([k, phi, T]);
        expect(nearest).toContain(row[3]);
      }
    }), { numRuns: 40 });
    const given = [7, 1, 0.03];
    const nearest = rows.map((r, i) => ({ i, d: distance(given, r) })).sort((a, b) => a.d - b.d).slice(0, 6).map((x) => x.i);
    const draws = drawConditions(d, given, createRng(2), { count: 6000, neighbours: 6 });
    expect(DRAW_NEIGHBOURS).toBe(3);
    const counts = nearest.map((i) => draws.filter((r) => r[3] === i).length);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(6000);
    const chi2 = counts.reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    expect(chi2).toBeLessThan(20.5); // 5 degrees of freedom: p ~ 0.001
    d.dispose();
  });

  it('the phase wraps: phi = 0.05 is nearer to a row at 6.25 than to one at 0.5', () => {
    const d = withRows([[7, 0.5, 0.03, 1], [7, 6.25, 0.03, 2]]);
    expect(drawConditions(d, [7, 0.05, 0.03], createRng(0), { neighbours: 1, count: 5 }).map((r) => r[3])).toEqual([2, 2, 2, 2, 2]);
    d.dispose();
  });

  it('scale weighs the conditions in the distance (brute force); the model\'s recorded draw settings are the defaults', () => {
    const rows = table(60, 8);
    const d = withRows(rows);
    const scale = [4, 1, 0.5];
    const scaled = (a: number[], b: number[]) => {
      const dk = (4 * (a[0] - b[0])) / 14;
      const ds = Math.sin(a[1]) - Math.sin(b[1]);
      const dc = Math.cos(a[1]) - Math.cos(b[1]);
      const dT = (0.5 * Math.log(a[2] / b[2])) / Math.log(5);
      return dk * dk + ds * ds + dc * dc + dT * dT;
    };
    let differs = 0;
    for (const given of [[2, 0.3, 0.012], [7, 1, 0.03], [12, 5, 0.045], [9, 3, 0.02], [4, 6, 0.04]]) {
      const nearest = rows.map((r, i) => ({ i, d: scaled(given, r) })).sort((a, b) => a.d - b.d).slice(0, 2).map((x) => x.i);
      const plain = rows.map((r, i) => ({ i, d: distance(given, r) })).sort((a, b) => a.d - b.d).slice(0, 2).map((x) => x.i);
      if (JSON.stringify(nearest.slice().sort()) !== JSON.stringify(plain.slice().sort())) differs++;
      const got = new Set(drawConditions(d, given, createRng(3), { count: 60, neighbours: 2, scale }).map((r) => r[3]));
      expect([...got].sort()).toEqual(nearest.slice().sort());
      d.training!.draw = { neighbours: 2, scale };
      expect(new Set(drawConditions(d, given, createRng(3), { count: 60 }).map((r) => r[3]))).toEqual(got);
      d.training!.draw = undefined;
    }
    expect(differs).toBeGreaterThan(0); // the scale changes the neighbours somewhere, so the check can fail
    expect(() => drawConditions(d, [7, 1, 0.03], createRng(0), { scale: [1, 1] })).toThrow(/draw scale must hold 3 finite numbers >= 0/);
    d.dispose();
  });

  it('a full row comes back as is; a model without drawn conditions gets copies; neither uses the random stream', () => {
    const d = withRows(table(10, 1));
    const rng = createRng(5);
    const before = rng.state();
    expect(drawConditions(d, [7, 1, 0.03, 4.5], rng, { count: 2 })).toEqual([[7, 1, 0.03, 4.5], [7, 1, 0.03, 4.5]]);
    const plain = tinyDenoiser({ conditionEncoders: [...OPP_CONDITION_ENCODERS] });
    expect(drawConditions(plain, [7, 1, 0.03], rng)).toEqual([[7, 1, 0.03]]);
    expect(rng.state()).toEqual(before);
    plain.dispose();
    d.dispose();
  });

  it('bad input gets a typed error naming what is expected', () => {
    const d = withRows(table(10, 1));
    expect(() => drawConditions(d, [7, 1], createRng(0))).toThrow(/conditions must hold 3 conditions \(the 1 others are drawn\) or all 4/);
    expect(() => drawConditions(d, [7, NaN, 0.03], createRng(0))).toThrow(/condition 1 must be a finite number/);
    expect(() => drawConditions(d, [7, 1, 0.03], createRng(0), { neighbours: 0 })).toThrow(/neighbours/);
    d.training!.conditionRows = [[1, 2, 3]];
    expect(() => drawConditions(d, [7, 1, 0.03], createRng(0))).toThrow(/no valid conditionRows/);
    d.dispose();
  });
});

describe('train({ drawnConditions }) and sample with drawn conditions', () => {
  const frames = [0, 1, 2].map((i) => ({ positions: lattice(4, 0.1, i + 1), box: 4, info: { k: 3 + 4 * i, phi: 1, T: 0.03, s: 2 + 3 * i } }));

  it('train records every frame\'s row (kept by checkpoints); sample draws one row per conformation from the seed', async () => {
    const d = tinyDenoiser({ conditionEncoders: ENCODERS });
    await train(d, { data: frames, steps: 1, conditionKeys: ['k', 'phi', 'T', 's'], drawnConditions: 1, draw: { neighbours: 2, scale: [4, 1, 1] } });
    expect(d.training?.drawnConditions).toBe(1);
    expect(d.training?.draw).toEqual({ neighbours: 2, scale: [4, 1, 1] });
    expect(d.training?.conditionRows).toEqual(frames.map((f) => [f.info.k, f.info.phi, f.info.T, f.info.s]));
    const dir = await mkdtemp(join(tmpdir(), 'mddm-drawn-'));
    try {
      await saveDenoiser(d, dir);
      const back = await loadDenoiser(dir);
      expect(back.training?.conditionRows).toEqual(d.training?.conditionRows);
      expect(back.training?.draw).toEqual(d.training?.draw);
      back.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const options = { n: 64, box: 4, count: 6, batchSize: 2, steps: 2, seed: 9, conditions: [3.5, 1, 0.03] };
    const a = await sample(d, options);
    // the rows are those drawConditions gives with the sampler's seed, first in its stream
    expect(a.conditions).toEqual(drawConditions(d, [3.5, 1, 0.03], createRng(9), { count: 6 }));
    expect(new Set(a.conditions!.map((r) => r[3])).size).toBeGreaterThan(1); // 3 rows, 6 draws: all equal with p = 1/243
    const b = await sample(d, options);
    expect(b.conditions).toEqual(a.conditions);
    b.positions.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(a.positions[i])));
    d.dispose();
  });

  it('every batch is denoised with the rows of its own conformations, guidance included', async () => {
    const d = tinyDenoiser({ conditionEncoders: ENCODERS, nullCondition: true });
    await train(d, { data: frames, steps: 1, conditionKeys: ['k', 'phi', 'T', 's'], drawnConditions: 1, conditionDropout: 0.5 });
    const seen: unknown[] = [];
    const original = d.globalInput.bind(d);
    d.globalInput = (tau, count, conditions) => {
      seen.push(conditions === null || conditions === undefined ? conditions : JSON.parse(JSON.stringify(conditions)));
      return original(tau, count, conditions);
    };
    const r = await sample(d, { n: 64, box: 4, count: 5, batchSize: 2, steps: 2, seed: 3, conditions: [7, 1, 0.03], guidance: 1, sampler: 'ancestral' });
    const batches = [r.conditions!.slice(0, 2), r.conditions!.slice(2, 4), r.conditions!.slice(4, 5)];
    const calls = seen; // given conditions are validated by drawConditions, not by a globalInput call
    const conditional = calls.filter((c) => c !== null);
    const nulls = calls.filter((c) => c === null);
    expect(conditional.length).toBe(nulls.length); // guidance: one null evaluation per conditional one
    expect(conditional.length).toBe(3 * 2);
    batches.forEach((rows, b) => {
      expect(conditional[2 * b]).toEqual(rows);
      expect(conditional[2 * b + 1]).toEqual(rows);
    });
    d.dispose();
  });

  it('rejects drawnConditions without conditionKeys or leaving no given condition', async () => {
    const d = tinyDenoiser({ conditionEncoders: ENCODERS });
    await expect(train(d, { data: frames.map((f) => ({ ...f, conditions: [f.info.k, f.info.phi, f.info.T, f.info.s] })), steps: 1, drawnConditions: 1 })).rejects.toThrow(/drawnConditions needs conditionKeys/);
    await expect(train(d, { data: frames, steps: 1, conditionKeys: ['k', 'phi', 'T', 's'], drawnConditions: 4 })).rejects.toThrow(/drawnConditions/);
    await expect(train(d, { data: frames, steps: 1, conditionKeys: ['k', 'phi', 'T', 's'], draw: { neighbours: 2 } })).rejects.toThrow(/draw settings need drawnConditions > 0/);
    await expect(train(d, { data: frames, steps: 1, conditionKeys: ['k', 'phi', 'T', 's'], drawnConditions: 1, draw: { neighbours: 0 } })).rejects.toThrow(/neighbours/);
    d.dispose();
  });
});
