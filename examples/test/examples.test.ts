import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readXyz } from '@mddm/io';
import { FAST_MODEL, FAST_TRAINING, bandTimestepWeights, focusedTimestepWeights, runTrainUnconditional } from '../train-unconditional';
import { timestepCdf } from '@mddm/schedules';
import { writeFile as writeFileAsync, mkdir as mkdirAsync } from 'node:fs/promises';
import { conditionalMse } from '../paper-tables';
import { runSample } from '../sample';
import { runCustomDenoiser } from '../custom-denoiser';
import { runTrainConditional } from '../train-conditional';
import { createDenoiser, saveDenoiser } from '@mddm/model';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-examples-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tiny = { k: 8, layers: 1, width: 8, hidden: [8], headHidden: [16] };

describe('the default configuration says what its comments say', () => {
  it('noise std 0.01 LJ at t = 0, 10 LJ at T, 1.5 LJ at tMax (box 10); 8 layers, k = 12; corrector below 0.3 LJ', () => {
    const s = FAST_TRAINING.schedule;
    expect(10 * s.sqrtA[0]).toBeCloseTo(0.01, 12);
    expect(10 * s.sqrtA[s.T]).toBeCloseTo(10, 12);
    expect(10 * s.sqrtA[FAST_TRAINING.tMax]).toBeGreaterThan(1.45);
    expect(10 * s.sqrtA[FAST_TRAINING.tMax]).toBeLessThan(1.55);
    expect(FAST_MODEL.layers).toBe(8);
    expect(FAST_MODEL.k).toBe(12);
    expect(FAST_TRAINING.corrector.sigmaMaxLj).toBe(0.3);
  });
});

describe('train-unconditional --focus-lj: draws toward small noise', () => {
  it('weight 1 is the log-sigma law; weight W multiplies the odds of the levels below the cut by W', () => {
    const s = FAST_TRAINING.schedule;
    const L = 10;
    const massBelow = (w: Float64Array, cut: number, tMax: number) => {
      let below = 0, all = 0;
      for (let t = 1; t <= tMax; t++) {
        all += w[t];
        if (L * s.sqrtA[t] <= cut) below += w[t];
      }
      return below / all;
    };
    // independent: the log-sigma cdf of @mddm/schedules over 1..363
    const cdf = timestepCdf(s, 'log-sigma', 1, 363);
    const plain = focusedTimestepWeights(s, L, 0.1, 1);
    let t01 = 0;
    while (L * s.sqrtA[t01 + 1] <= 0.1) t01++;
    expect(massBelow(plain, 0.1, 363)).toBeCloseTo(cdf[t01], 2);
    // log-uniform noise from 0.01 to 1.5 LJ: ln(0.1 / 0.01) / ln(150) of the draws lie below 0.1 LJ
    expect(massBelow(plain, 0.1, 363)).toBeCloseTo(Math.log(10) / Math.log(150), 2);
    const f = massBelow(plain, 0.1, 363);
    expect(massBelow(focusedTimestepWeights(s, L, 0.1, 3), 0.1, 363)).toBeCloseTo((3 * f) / (3 * f + 1 - f), 10);
    expect(() => focusedTimestepWeights(s, L, 0, 3)).toThrow(/sigmaMaxLj > 0/);
    expect(() => focusedTimestepWeights(s, L, 0.1, Infinity)).toThrow(/finite weight/);
  });

  it('a band 0.2-0.6 LJ of weight 3 holds ln(3) / ln(150) of the log-sigma draws before and 3 times the odds after; bands multiply', () => {
    const s = FAST_TRAINING.schedule;
    const L = 10;
    const massIn = (w: Float64Array, lo: number, hi: number) => {
      let inside = 0, all = 0;
      for (let t = 1; t <= 363; t++) {
        all += w[t];
        const sigma = L * s.sqrtA[t];
        if (sigma > lo && sigma <= hi) inside += w[t];
      }
      return inside / all;
    };
    const plain = bandTimestepWeights(s, L, []);
    const f = massIn(plain, 0.2, 0.6);
    expect(f).toBeCloseTo(Math.log(3) / Math.log(150), 2); // log-uniform over 0.01-1.5 LJ
    const banded = bandTimestepWeights(s, L, [{ loLj: 0.2, hiLj: 0.6, weight: 3 }]);
    expect(massIn(banded, 0.2, 0.6)).toBeCloseTo((3 * f) / (3 * f + 1 - f), 10);
    // the focus is the band (0, S]; two bands that overlap multiply there
    expect(Array.from(focusedTimestepWeights(s, L, 0.1, 3))).toEqual(Array.from(bandTimestepWeights(s, L, [{ loLj: 0, hiLj: 0.1, weight: 3 }])));
    const both = bandTimestepWeights(s, L, [{ loLj: 0, hiLj: 0.4, weight: 2 }, { loLj: 0.2, hiLj: 0.6, weight: 3 }]);
    for (let t = 1; t <= 363; t++) {
      const sigma = L * s.sqrtA[t];
      const factor = (sigma <= 0.4 ? 2 : 1) * (sigma > 0.2 && sigma <= 0.6 ? 3 : 1);
      expect(both[t]).toBeCloseTo(plain[t] * factor, 12);
    }
    expect(() => bandTimestepWeights(s, L, [{ loLj: 0.6, hiLj: 0.2, weight: 3 }])).toThrow(/loLj < hiLj/);
    expect(() => bandTimestepWeights(s, L, [{ loLj: 0.2, hiLj: 0.6, weight: 0 }])).toThrow(/weight > 0/);
  });
});

describe('train-conditional --focus-lj and --from', () => {
  it('--focus-lj changes the draws of t (same seed, different loss); --from warm-starts, and refuses --resume and other conditions', async () => {
    const run = (focus?: { sigmaMaxLj: number; weight: number }) =>
      runTrainConditional({ steps: 2, sets: 2, out: join(dir, `cond-${focus ? 'focus' : 'plain'}`), ema: 0, verbose: false, focus });
    const plain = await run();
    const focused = await run({ sigmaMaxLj: 0.1, weight: 1000 });
    expect(plain.steps).toBe(2);
    expect(focused.steps).toBe(2);
    expect(Number.isFinite(focused.loss)).toBe(true);
    expect(focused.loss).not.toBe(plain.loss);
    // --from: a warm start from the plain run's weights trains; it refuses --resume and a model with other conditions
    const warm = await runTrainConditional({ steps: 1, sets: 2, out: join(dir, 'cond-warm'), ema: 0, verbose: false, from: join(dir, 'cond-plain', 'checkpoint'), focus: { sigmaMaxLj: 0.1, weight: 3 } });
    expect(warm.steps).toBe(1);
    expect(Number.isFinite(warm.loss)).toBe(true);
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-warm'), verbose: false, from: join(dir, 'cond-plain', 'checkpoint'), resume: true })).rejects.toThrow(/give one of them/);
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-warm'), verbose: false, from: join(dir, 'cond-plain', 'checkpoint'), denoiser: 'transolver' })).rejects.toThrow(/--denoiser, --conditioning, --width, --potential-input and --global-context do not apply/);
    const unconditional = createDenoiser({ ...tiny, seed: 1 });
    await saveDenoiser(unconditional, join(dir, 'uncond-tiny'));
    unconditional.dispose();
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-bad'), verbose: false, from: join(dir, 'uncond-tiny') })).rejects.toThrow(/takes 0 conditions, this trainer gives 3/);
    // --lr and --clip-norm reach the optimizer: the second step's loss (after one update) differs, finite
    const tuned = await runTrainConditional({ steps: 2, sets: 2, out: join(dir, 'cond-tuned'), ema: 0, verbose: false, learningRate: 0.0025, clipNorm: 0.01 });
    expect(Number.isFinite(tuned.loss)).toBe(true);
    expect(tuned.loss).not.toBe(plain.loss);
    const fingerprint = JSON.parse(await readFile(join(dir, 'cond-tuned', 'checkpoint', 'checkpoint.json'), 'utf8')) as { state: { fingerprint: { lr0: number; clipNorm: number } } };
    expect(fingerprint.state.fingerprint).toMatchObject({ lr0: 0.0025, clipNorm: 0.01 });
  }, 120_000);

  it('--width sets the layer and edge-MLP widths, is recorded in the checkpoint, and --resume refuses another width', async () => {
    const out = join(dir, 'cond-w8');
    const r = await runTrainConditional({ steps: 1, sets: 2, out, ema: 0, verbose: false, width: 8 });
    expect(r.steps).toBe(1);
    const ckpt = JSON.parse(await readFile(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { spec: { layers: { hidden: number[]; outFeatures: number }[] } };
    // every PBC-Conv layer is 8 wide (the head reads their concatenation)
    expect(ckpt.spec.layers).toHaveLength(8);
    for (const l of ckpt.spec.layers) expect(l).toMatchObject({ hidden: [8, 8], outFeatures: 8 });
    await expect(runTrainConditional({ steps: 2, sets: 2, out, ema: 0, verbose: false, width: 16, resume: true })).rejects.toThrow(/different denoiser configuration|does not match/);
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-w0'), verbose: false, width: 2.5 })).rejects.toThrow(/--width must be a positive integer/);
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-wf'), verbose: false, width: 8, from: join(out, 'checkpoint') })).rejects.toThrow(/--width, --potential-input and --global-context do not apply/);
    await expect(runTrainConditional({ steps: 1, out: join(dir, 'cond-wg'), verbose: false, globalContext: true, from: join(out, 'checkpoint') })).rejects.toThrow(/--global-context do not apply/);
  }, 120_000);

  it('--global-context adds a context MLP per layer to the checkpoint; --band-lj changes the draws (fingerprint) and --resume refuses the other', async () => {
    const out = join(dir, 'cond-ctx');
    await runTrainConditional({ steps: 1, sets: 2, out, ema: 0, verbose: false, width: 8, globalContext: true, band: { loLj: 0.2, hiLj: 0.6, weight: 3 } });
    const ckpt = JSON.parse(await readFile(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { spec: { context: { inFeatures: number; outFeatures: number }[] }; state: { fingerprint: { weights: unknown } } };
    expect(ckpt.spec.context).toHaveLength(8);
    for (const c of ckpt.spec.context) expect(c).toMatchObject({ inFeatures: 8, outFeatures: 8 });
    const plainOut = join(dir, 'cond-ctx-plain');
    await runTrainConditional({ steps: 1, sets: 2, out: plainOut, ema: 0, verbose: false, width: 8, globalContext: true });
    const plain = JSON.parse(await readFile(join(plainOut, 'checkpoint', 'checkpoint.json'), 'utf8')) as { state: { fingerprint: { weights: unknown } } };
    expect(ckpt.state.fingerprint.weights).not.toEqual(plain.state.fingerprint.weights);
    await expect(runTrainConditional({ steps: 2, sets: 2, out, ema: 0, verbose: false, width: 8, globalContext: true, resume: true })).rejects.toThrow();
  }, 120_000);

  it('--potential-input gives the first layer the 4 potential features, recorded in the checkpoint', async () => {
    const out = join(dir, 'cond-pot');
    const r = await runTrainConditional({ steps: 1, sets: 2, out, ema: 0, verbose: false, width: 8, potentialInput: true });
    expect(r.steps).toBe(1);
    const ckpt = JSON.parse(await readFile(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { spec: { potentialInput: unknown; layers: { inFeatures: number }[] } };
    expect(ckpt.spec.potentialInput).toEqual({ kind: 'opp', cutoffLj: 3, minDistanceLj: 0.5 });
    expect(ckpt.spec.layers[0].inFeatures).toBe(4);
    await expect(runTrainConditional({ steps: 2, sets: 2, out, ema: 0, verbose: false, width: 8, resume: true })).rejects.toThrow(/different denoiser configuration|does not match/);
    await expect(runTrainConditional({ steps: 1, sets: 2, out: join(dir, 'cond-pot-t'), verbose: false, potentialInput: true, denoiser: 'transolver' })).rejects.toThrow(/--potential-input is a feature of the MDDM denoiser/);
  }, 120_000);

  it('--ext-sets / --twin-sets add the first E conformations of opp-train-ext / opp-train-twins; the count is in the fingerprint; more than are packed is refused', async () => {
    const out = join(dir, 'cond-ext');
    const r = await runTrainConditional({ steps: 1, sets: 1, extSets: 2, out, ema: 0, verbose: false, width: 8 });
    expect(r.steps).toBe(1);
    const state = JSON.parse(await readFile(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { state: { fingerprint: { frames: number } } };
    expect(state.state.fingerprint.frames).toBe(3);
    await expect(runTrainConditional({ steps: 2, sets: 1, extSets: 1, out, ema: 0, verbose: false, width: 8, resume: true })).rejects.toThrow(/cannot resume from .*it was trained with/);
    await expect(runTrainConditional({ steps: 1, sets: 1, extSets: 1e6, out: join(dir, 'cond-ext-big'), verbose: false, width: 8 })).rejects.toThrow(/--ext-sets 1000000: only \d+ opp-train-ext conformations are packed/);
    await expect(runTrainConditional({ steps: 1, sets: 1, extSets: 1.5, out: join(dir, 'cond-ext-bad'), verbose: false, width: 8 })).rejects.toThrow(/--ext-sets must be a non-negative integer/);
    const twinsOut = join(dir, 'cond-twins');
    await runTrainConditional({ steps: 1, sets: 1, extSets: 1, twinSets: 2, out: twinsOut, ema: 0, verbose: false, width: 8 });
    const twins = JSON.parse(await readFile(join(twinsOut, 'checkpoint', 'checkpoint.json'), 'utf8')) as { state: { fingerprint: { frames: number } } };
    expect(twins.state.fingerprint.frames).toBe(4);
    await expect(runTrainConditional({ steps: 1, sets: 1, twinSets: 1e6, out: join(dir, 'cond-twins-big'), verbose: false, width: 8 })).rejects.toThrow(/--twin-sets 1000000: only \d+ opp-train-twins conformations are packed.*--preset train-twins/);
  }, 120_000);
});

describe('paper-tables: conditional rows', () => {
  it('read the mean paper-style of mddm evaluate --json next to the checkpoint; a missing run is null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mddm-tables-'));
    try {
      await mkdirAsync(join(dir, 'checkpoint'));
      await writeFileAsync(join(dir, 'eval-opp-test.json'), JSON.stringify({ set: 'opp-test', rows: [{ paperStyle: 0.1 }, { paperStyle: 0.3 }, { paperStyle: 0.2 }] }));
      expect(await conditionalMse(join(dir, 'checkpoint'), 'opp-test', 5)).toBeCloseTo(0.2, 12);
      expect(await conditionalMse(join(dir, 'checkpoint'), 'opp-train', 5)).toBeNull(); // no eval file, no checkpoint.json
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('examples (tiny versions)', () => {
  it('train-unconditional trains, samples, compares and writes sample.xyz, rdf.svg, checkpoint/', async () => {
    const out = join(dir, 'run');
    const r = await runTrainUnconditional({ steps: 3, sampleSteps: 3, out, model: tiny, verbose: false, minutes: 1 });
    expect(r.steps).toBe(3);
    expect(r.mseVsReplicas.length).toBe(4);
    expect(r.replicaFloor.length).toBe(6);
    expect([r.mseVsTraining, ...r.mseVsReplicas, ...r.replicaFloor].every(Number.isFinite)).toBe(true);
    expect(Math.max(...r.replicaFloor)).toBeLessThan(0.01);
    for (const f of [r.files.xyz, r.files.svg, join(r.files.checkpoint, 'checkpoint.json')]) expect((await stat(f)).size).toBeGreaterThan(0);
    const frames = [];
    for await (const fr of readXyz(r.files.xyz)) frames.push(fr);
    expect(frames.length).toBe(1);
    expect(frames[0].positions.length).toBe(3000);
  });

  it('train-unconditional --potential-input fixes the state point of the data in the checkpoint', async () => {
    const out = join(dir, 'run-pot');
    const r = await runTrainUnconditional({ steps: 2, sampleSteps: 2, out, model: tiny, verbose: false, minutes: 1, potentialInput: true });
    expect(r.steps).toBe(2);
    expect([r.mseVsTraining, ...r.mseVsReplicas].every(Number.isFinite)).toBe(true);
    const ckpt = JSON.parse(await readFile(join(r.files.checkpoint, 'checkpoint.json'), 'utf8')) as { spec: { potentialInput: unknown; layers: { inFeatures: number }[] } };
    expect(ckpt.spec.potentialInput).toEqual({ kind: 'opp', cutoffLj: 3, minDistanceLj: 0.5, params: { k: 7, phi: 1, T: 0.03 } });
    expect(ckpt.spec.layers[0].inFeatures).toBe(4);
  });

  it('sample loads the checkpoint and generates finite conformations', async () => {
    const r = await runSample({ checkpoint: join(dir, 'run', 'checkpoint'), count: 2, steps: 2, out: join(dir, 's.xyz'), verbose: false });
    expect(r.nonFinite).toBe(0);
    expect(r.mse.length).toBe(2);
    expect(r.mse.flat().every(Number.isFinite)).toBe(true);
  });

  it('custom-denoiser composes, trains and samples a conditional model', async () => {
    const m = await runCustomDenoiser({ steps: 2, sampleSteps: 2, verbose: false });
    expect(Number.isFinite(m)).toBe(true);
  });
});
