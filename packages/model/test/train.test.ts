import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
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

  it('resuming with other training options is refused (the checkpoint records them); steps may change', async () => {
    const opts = { data, batchSize: 2, schedule, seed: 7, steps: 2 };
    const ck = join(dir, 'fingerprint');
    const a = tinyDenoiser();
    await train(a, { ...opts, checkpointDir: ck });
    const e = await train(a, { ...opts, seed: 8, steps: 4, checkpointDir: ck, resume: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('MODEL_CONFIG_MISMATCH');
    expect((e as ModelError).message).toMatch(/seed = 7, this run has 8/);
    await expect(train(a, { ...opts, spacing: 'log-sigma', checkpointDir: ck, resume: true })).rejects.toThrow(/spacing/);
    expect((await train(a, { ...opts, steps: 3, checkpointDir: ck, resume: true })).steps).toBe(3);
    a.dispose();
  });

  it('a killed checkpoint write leaves temporaries and orphaned blobs; resume and the next write remove them', async () => {
    const ck = join(dir, 'killed');
    const a = tinyDenoiser();
    const opts = { data, batchSize: 1, schedule, seed: 1, checkpointDir: ck };
    await train(a, { ...opts, steps: 1 });
    const kept = (await readdir(ck)).sort();
    // what a process killed between writing the blobs and renaming the manifest leaves behind
    const debris = ['weights-zzz-abc.bin', 'optimizer-zzz-abc.bin', 'weights-zzz-abd.bin.tmp-123-x1', 'checkpoint.json.tmp-123-x2'];
    for (const f of debris) await writeFile(join(ck, f), 'partial');
    await writeFile(join(ck, 'notes.txt'), 'not ours');
    await train(a, { ...opts, steps: 1, resume: true }); // nothing to do, but resuming cleans up
    expect((await readdir(ck)).sort()).toEqual([...kept, 'notes.txt'].sort());
    for (const f of debris) await writeFile(join(ck, f), 'partial');
    await train(a, { ...opts, steps: 2, resume: true }); // the next write cleans up too
    const after = await readdir(ck);
    expect(after.filter((f) => f.includes('.tmp-') || f.includes('zzz'))).toEqual([]);
    expect(after.filter((f) => f.endsWith('.bin')).length).toBe(2);
    a.dispose();
  });

  it('conditionDropout trains with the null condition some of the time (needs nullCondition)', async () => {
    const cdata = [{ ...data[0], conditions: [1] }];
    const make = () => tinyDenoiser({ conditions: 1, conditionRanges: [[0, 2]], nullCondition: true });
    const [a, b] = [make(), make()];
    const plain = await train(a, { data: cdata, steps: 3, batchSize: 2, schedule, seed: 2 });
    const dropped = await train(b, { data: cdata, steps: 3, batchSize: 2, schedule, seed: 2, conditionDropout: 0.5 });
    expect(Array.from(dropped.losses)).not.toEqual(Array.from(plain.losses));
    const c = tinyDenoiser({ conditions: 1, conditionRanges: [[0, 2]] });
    await expect(train(c, { data: cdata, steps: 1, schedule, conditionDropout: 0.5 })).rejects.toThrow(/nullCondition: true/);
    [a, b, c].forEach((d) => d.dispose());
  });

  it('throws a ModelError naming selectBackend when no backend is selected', async () => {
    const d = tinyDenoiser();
    const engine = tf.engine() as unknown as { backendName: string | null };
    const saved = engine.backendName;
    engine.backendName = null;
    try {
      const e = await train(d, { data, steps: 1 }).catch((x: unknown) => x);
      expect((e as ModelError).code).toBe('MODEL_NO_BACKEND');
      expect((e as Error).message).toMatch(/selectBackend/);
    } finally {
      engine.backendName = saved;
      d.dispose();
    }
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
