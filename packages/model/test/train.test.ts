import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineSchedule } from '@mddm/schedules';
import { ModelError, selectBackend, train } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

let dir = '';
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const data = [{ positions: lattice(4, 0.2), box: 4 }];
const schedule = cosineSchedule(50);

describe('train', () => {
  it('is deterministic for a seed and keeps the number of tensors constant', async () => {
    const counts: number[] = [];
    const d1 = tinyDenoiser();
    const before = tf.memory().numTensors;
    const r1 = await train(d1, { data, steps: 5, batchSize: 2, schedule, seed: 3, onProgress: () => void counts.push(tf.memory().numTensors) });
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(counts).size).toBe(1);
    const d2 = tinyDenoiser();
    const r2 = await train(d2, { data, steps: 5, batchSize: 2, schedule, seed: 3 });
    expect(Array.from(r2.losses)).toEqual(Array.from(r1.losses));
    const d3 = tinyDenoiser();
    const r3 = await train(d3, { data, steps: 5, batchSize: 2, schedule, seed: 4 });
    expect(Array.from(r3.losses)).not.toEqual(Array.from(r1.losses));
    expect(r1.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(d1.training?.density).toBeCloseTo(1, 12);
    [d1, d2, d3].forEach((d) => d.dispose());
  });

  it('resumes bit-identically from a checkpoint', async () => {
    const opts = { data, batchSize: 2, schedule, seed: 7, learningRate: 0.01, stepsPerEpoch: 2, lrDecayEvery: 1, lrDecay: 0.5 };
    const full = tinyDenoiser();
    const ref = await train(full, { ...opts, steps: 6 });
    const ck = join(dir, 'resume');
    const a = tinyDenoiser();
    const part = await train(a, { ...opts, steps: 6, checkpointDir: ck, checkpointEvery: 3, onProgress: (p) => p.step < 3 });
    expect(part.stoppedBy).toBe('callback');
    expect(part.steps).toBe(3);
    a.dispose();
    const b = tinyDenoiser({ seed: 99 }); // different init: the checkpoint's weights must win
    const rest = await train(b, { ...opts, steps: 6, checkpointDir: ck, resume: true });
    expect(rest.steps).toBe(6);
    expect(Array.from(rest.losses)).toEqual(Array.from(ref.losses));
    const w1 = full.getWeights();
    const w2 = b.getWeights();
    for (let i = 0; i < w1.length; i++) expect(Array.from(w2[i].dataSync())).toEqual(Array.from(w1[i].dataSync()));
    tf.dispose([...w1, ...w2]);
    full.dispose();
    b.dispose();
  });

  it('supports the wrapped-score target, a time budget and the 0-step edge case', async () => {
    const d = tinyDenoiser();
    const r = await train(d, { data, steps: 3, batchSize: 1, schedule, target: 'score' });
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(d.training?.target).toBe('score');
    const t = await train(d, { data, steps: 100, schedule, timeBudgetMs: 0 });
    expect(t.stoppedBy).toBe('time');
    expect(t.steps).toBe(0);
    d.dispose();
  });

  it('rejects bad data and options with ModelError', async () => {
    const d = tinyDenoiser();
    await expect(train(d, { data: [] })).rejects.toThrow(ModelError);
    await expect(train(d, { data: [{ positions: new Float64Array(5), box: 4 }] })).rejects.toThrow(ModelError);
    await expect(train(d, { data: [{ positions: lattice(2), box: 2 }] })).rejects.toThrow(/more than k/);
    await expect(train(d, { data, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(train(d, { data, target: 'x0' as never })).rejects.toThrow(/target/);
    await expect(train(d, { data: [{ ...data[0], conditions: [1] }] })).rejects.toThrow(/conditions/);
    d.dispose();
  });
});
