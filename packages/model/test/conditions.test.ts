import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { ModelError, OPP_CONDITION_ENCODERS, conditionsOutOfRange, denoiserFromSpec, selectBackend } from '../src/index';
import { checkEncoders, encodeConditionsInto } from '../src/conditions';
import { lattice, tinyDenoiser } from './helpers';

beforeAll(async () => {
  await selectBackend('wasm');
});

const OPP = [...OPP_CONDITION_ENCODERS];

describe('condition encoders', () => {
  it('encode (k, phi, T) as k linear, (sin phi, cos phi), log T (closed forms)', () => {
    const out = new Float32Array(6);
    const end = encodeConditionsInto(out, 1, [8, 1, 0.02], OPP);
    expect(end).toBe(5);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo((8 - 1) / 14, 6);
    expect(out[2]).toBeCloseTo(Math.sin(1), 6);
    expect(out[3]).toBeCloseTo(Math.cos(1), 6);
    expect(out[4]).toBeCloseTo(Math.log(2) / Math.log(5), 6);
    expect(out[5]).toBe(0);
  });

  it('periodic encoding: phi and phi + 2 pi give the same features; log maps the range ends to 0 and 1', () => {
    fc.assert(fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (phi) => {
      const a = new Float32Array(4);
      const b = new Float32Array(4);
      encodeConditionsInto(a, 0, [5, phi, 0.03], OPP);
      encodeConditionsInto(b, 0, [5, phi + 2 * Math.PI, 0.03], OPP);
      for (let i = 0; i < 4; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    }));
    const c = new Float32Array(4);
    encodeConditionsInto(c, 0, [15, 0, 0.01], OPP);
    expect(c[0]).toBeCloseTo(1, 6);
    expect(c[3]).toBeCloseTo(0, 6);
    encodeConditionsInto(c, 0, [1, 0, 0.05], OPP);
    expect(c[0]).toBeCloseTo(0, 6);
    expect(c[3]).toBeCloseTo(1, 6);
  });

  it('rejects bad encoders and bad values with ModelError', () => {
    expect(() => checkEncoders([{ kind: 'log', range: [0, 1] }])).toThrow(/lo > 0/);
    expect(() => checkEncoders([{ kind: 'periodic', period: 0 }])).toThrow(/period/);
    expect(() => checkEncoders([{ kind: 'cubic' } as never])).toThrow(ModelError);
    expect(() => encodeConditionsInto(new Float32Array(4), 0, [5, 1, -0.03], OPP)).toThrow(/> 0/);
    expect(() => encodeConditionsInto(new Float32Array(4), 0, [5, NaN, 0.03], OPP)).toThrow(/finite/);
  });

  it('reports conditions outside the training ranges (never the periodic one)', () => {
    expect(conditionsOutOfRange([7, 100, 0.03], OPP)).toEqual([]);
    expect(conditionsOutOfRange([0.5, 1, 0.06], OPP)).toEqual([0, 2]);
  });
});

describe('FiLM conditioning', () => {
  const x = lattice(4);
  const film = () => tinyDenoiser({ conditionEncoders: OPP, conditioning: 'film', nullCondition: true, filmHidden: [8] });

  it('sizes the global input (time + 4 encoded + flag) and counts the embedding parameters', () => {
    const d = film();
    expect(d.globalFeatures).toBe(6);
    expect(d.layerGlobalFeatures).toBe(1);
    const plain = tinyDenoiser();
    // film MLP: Linear(6, 8) + Linear(8, 2 * (8 + 8)) on top of the unconditional network
    expect(d.countParams() - plain.countParams()).toBe(6 * 8 + 8 + 8 * 32 + 32);
    d.dispose();
    plain.dispose();
  });

  it('starts as the unconditional network: zero-initialised modulation ignores the conditions', () => {
    const d = film();
    const a = d.predict(x, 4, 0.3, { conditions: [2, 0.5, 0.01] });
    const b = d.predict(x, 4, 0.3, { conditions: [14, 5, 0.05] });
    const c = d.predict(x, 4, 0.3, { conditions: null });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(Array.from(c));
    d.dispose();
  });

  it('modulates every layer once the embedding is non-zero, and round-trips through its spec', () => {
    const d = film();
    const last = d.film!.trainableWeights.at(-2)!;
    tf.tidy(() => last.assign(tf.randomNormal(last.shape, 0, 0.5, 'float32', 3)));
    const a = d.predict(x, 4, 0.3, { conditions: [2, 0.5, 0.01] });
    const b = d.predict(x, 4, 0.3, { conditions: [14, 5, 0.05] });
    expect(Array.from(a)).not.toEqual(Array.from(b));
    const e = denoiserFromSpec(JSON.parse(JSON.stringify(d.toSpec())));
    const w = d.getWeights();
    e.setWeights(w);
    w.forEach((t) => t.dispose());
    expect(Array.from(e.predict(x, 4, 0.3, { conditions: [2, 0.5, 0.01] }))).toEqual(Array.from(a));
    d.dispose();
    e.dispose();
  });

  it('encodes the null condition as zeros with flag 0, and a given one with flag 1', () => {
    const d = film();
    const g = d.globalInput([0.1, 0.2], 2, [[7, 1, 0.03], null]);
    expect(Array.from(g.subarray(6))).toEqual([Math.fround(0.2), 0, 0, 0, 0, 0]);
    expect(g[5]).toBe(1);
    const plain = tinyDenoiser({ conditionEncoders: OPP });
    expect(() => plain.globalInput(0.1, 1, null)).toThrow(/needs 3 conditions/);
    expect(() => plain.globalInput(0.1, 2, [[7, 1, 0.03], null])).toThrow(/null condition/);
    d.dispose();
    plain.dispose();
  });

  it('gets gradients into the embedding and leaks no tensors', () => {
    const d = film();
    const graph = d.buildGraph(x, 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const g = tf.tensor2d(d.globalInput(0.3, 1, [7, 1, 0.03]), [1, d.globalFeatures]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(d.apply(graph, g))) as tf.Scalar, d.film!.trainableWeights);
      const lastW = grads[d.film!.trainableWeights.at(-2)!.name];
      expect(tf.tidy(() => tf.max(tf.abs(lastW)).dataSync()[0])).toBeGreaterThan(0);
      value.dispose();
      g.dispose();
      for (const t of Object.values(grads)) t.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });

  it('rejects film without conditions and a null condition on an unconditional model', () => {
    expect(() => tinyDenoiser({ conditioning: 'film' })).toThrow(ModelError);
    expect(() => tinyDenoiser({ nullCondition: true })).toThrow(/conditions > 0/);
  });
});

describe('train({ conditionKeys })', () => {
  it('reads the conditions from frame info, records their names in denoiser.training (kept by checkpoints), and names a missing key', async () => {
    const { train, saveDenoiser, loadDenoiser } = await import('../src/index');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const d = tinyDenoiser({ conditionEncoders: OPP });
    const frame = { positions: lattice(4, 0.1, 1), box: 4, info: { k: 7, phi: 1, T: 0.03 } };
    await train(d, { data: [frame], steps: 1, conditionKeys: ['k', 'phi', 'T'] });
    expect(d.training?.conditionKeys).toEqual(['k', 'phi', 'T']);
    const dir = await mkdtemp(join(tmpdir(), 'mddm-keys-'));
    try {
      await saveDenoiser(d, dir);
      const back = await loadDenoiser(dir);
      expect(back.training?.conditionKeys).toEqual(['k', 'phi', 'T']);
      back.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(train(d, { data: [{ ...frame, info: { k: 7, phi: 1 } }], steps: 1, conditionKeys: ['k', 'phi', 'T'] })).rejects.toThrow(/data\[0\]\.info\.T must be a finite number/);
    d.dispose();
  });
});
