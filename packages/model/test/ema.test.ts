import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineSchedule } from '@mddm/schedules';
import { loadDenoiser, readCheckpoint, selectBackend, train, type DenoiserLike } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

let dir = '';
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-ema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const data = [{ positions: lattice(4, 0.2), box: 4 }];
const opts = { data, batchSize: 2, schedule: cosineSchedule(50), seed: 7, learningRate: 0.02 };

function weights(d: DenoiserLike): Float64Array[] {
  const w = d.getWeights();
  const out = w.map((t) => Float64Array.from(t.dataSync()));
  tf.dispose(w);
  return out;
}

describe('train({ ema })', () => {
  it('leaves the average of the recursion w_ema <- d_s w_ema + (1 - d_s) w, d_s = min(decay, (1+s)/(10+s)), computed from every iterate; no tensor leaks', async () => {
    const decay = 0.3; // the warm-up binds at steps 1-2, the decay from step 3
    const d = tinyDenoiser();
    let avg = weights(d); // the average starts at the initial weights
    const iterates: Float64Array[][] = [];
    const before = tf.memory().numTensors;
    await train(d, {
      ...opts, steps: 6, ema: decay,
      onProgress: (p) => {
        const w = weights(d);
        iterates.push(w);
        const ds = Math.min(decay, (1 + p.step) / (10 + p.step));
        avg = avg.map((a, i) => a.map((v, j) => ds * v + (1 - ds) * w[i][j]));
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    const got = weights(d);
    let moved = 0;
    got.forEach((g, i) => g.forEach((v, j) => {
      expect(v).toBeCloseTo(avg[i][j], 5);
      moved = Math.max(moved, Math.abs(v - iterates[5][i][j]));
    }));
    expect(moved).toBeGreaterThan(1e-4); // the average is not the last iterate
    d.dispose();
  });

  it('checkpoints the average beside the last iterate; resume is bit-identical; loadDenoiser loads the average by default', async () => {
    const full = tinyDenoiser();
    await train(full, { ...opts, steps: 6, ema: 0.9 });
    const ck = join(dir, 'resume');
    const a = tinyDenoiser();
    await train(a, { ...opts, steps: 6, ema: 0.9, checkpointDir: ck, checkpointEvery: 3, onProgress: (p) => p.step < 3 });
    a.dispose();
    const b = tinyDenoiser({ seed: 99 });
    await train(b, { ...opts, steps: 6, ema: 0.9, checkpointDir: ck, resume: true });
    expect(weights(b).map((w) => Array.from(w))).toEqual(weights(full).map((w) => Array.from(w)));
    const data6 = await readCheckpoint(ck);
    expect(data6.ema?.decay).toBe(0.9);
    expect((await readdir(ck)).filter((f) => f.startsWith('ema-'))).toHaveLength(1);
    const averaged = await loadDenoiser(ck);
    const raw = await loadDenoiser(ck, { weights: 'raw' });
    expect(weights(averaged).map((w) => Array.from(w))).toEqual(weights(full).map((w) => Array.from(w)));
    expect(weights(raw)[0]).toEqual(Float64Array.from(data6.weights[0].data));
    expect(Array.from(weights(raw)[0])).not.toEqual(Array.from(weights(averaged)[0]));
    await expect(loadDenoiser(ck, { weights: 'best' as never })).rejects.toThrow(/'ema' \| 'raw'/);
    [full, b, averaged, raw].forEach((d) => d.dispose());
  });

  it('resuming a checkpoint written without an average starts the average there', async () => {
    const ck = join(dir, 'late');
    const a = tinyDenoiser();
    await train(a, { ...opts, steps: 3, checkpointDir: ck });
    const at3 = weights(a);
    a.dispose();
    const b = tinyDenoiser();
    let first: Float64Array[] = [];
    await train(b, { ...opts, steps: 4, ema: 0.5, checkpointDir: ck, resume: true, onProgress: () => void (first = weights(b)) });
    // one update from the step-3 weights: d_4 = min(0.5, 5/14) = 5/14
    const ds = 5 / 14;
    weights(b).forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(ds * at3[i][j] + (1 - ds) * first[i][j], 5)));
    await expect(train(b, { ...opts, steps: 1, ema: 1 })).rejects.toThrow(/ema/);
    b.dispose();
  });
});
