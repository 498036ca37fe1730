/**
 * Sharpen the small-noise end of a generative MDDM model so its force `-kT eps_hat / sigma` (SPEC §8)
 * becomes usable, without giving up the generative range (issue 13): continue training a model on
 * the shipped MD conformation with timestep weights = the log-sigma spacing over `1..tMax` (what the
 * generative model was trained with) plus `boost` times as much weight below `sigma-max` LJ units.
 * The eps target at small sigma carries a signal of only ~sigma^2 / (s^2 + sigma^2) of its variance
 * (s = thermal width), so the force needs many more small-noise draws than sampling does.
 *
 * `--k K` trains a fresh main-example network with K neighbours instead of continuing `--from` (with
 * the main example's schedule and tMax): the OPP force reaches r = 3 LJ, and a 12-neighbour graph
 * (r ~ 1.4 LJ) sees only the part of it that has cosine 0.66 with the whole. Checkpoints go to
 * `OUT/checkpoint` every 250 steps; `--resume` continues from there. `--aggregation max|mean|sum` sets
 * the fresh network's neighbour aggregation (default max, the paper's): a pair force is a sum.
 *
 * `--data a,b` trains on these shipped sets (default `opp-unconditional`, one frame); with
 * `opp-unconditional,opp-state-frames` the network sees 21 independent frames of the state point, the
 * thermal ensemble whose score the force is (one frame teaches the way back to that frame).
 * `opp-replicas` is refused: `examples/forces.ts` measures on it.
 *
 * `--ema D` keeps a weight average with decay D (e.g. 0.999) and saves it (what `loadDenoiser` reads
 * by default).
 *
 * With `--sigma-min S` (LJ units, below the trained band) the geometric schedule is extended at its low
 * end with the same ratio per step (T and tMax grow by the added steps): the force needs noise well
 * below the thermal width of the structure (~0.01 LJ units for OPP at T = 0.03; see
 * docs/seed-paper-tools.md), which the generative schedule (0.01 LJ units at its low end) never shows.
 * The old smallest level is recorded as the model's `sampleSigmaMinLj`: `sample` stops its grid there
 * by default, so the extended model samples like a generative one.
 *
 *   nice -n 15 pnpm exec tsx examples/train-forces.ts --from opp-unconditional --sigma-min 0.001 \
 *     --steps 4000 --boost 3 --sigma-max 0.01 --lr 0.001 --out out/opp-unconditional-forces
 *   nice -n 15 pnpm exec tsx examples/forces.ts --model out/opp-unconditional-forces   # re-measure
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDenoiser, selectBackend, train, type DenoiserConfig } from '@mddm/model';
import { scheduleFromFunction, timestepCdf, type NoiseSchedule } from '@mddm/schedules';
import { loadModel } from './loadModel';
import { runOptions, saveAndDispose } from './runOptions';
import { FAST_MODEL, FAST_TRAINING, trainingFrames } from './train-unconditional';

/** Training weights `[T + 1]`: log-sigma spacing on `1..tMax`, times `1 + boost` where `L sqrt(a_t) <= sigmaMax`. */
export function forceWeights(a: ArrayLike<number>, L: number, tMax: number, sigmaMax: number, boost: number): Float64Array {
  const T = a.length - 1;
  const schedule = scheduleFromFunction(T, (t) => a[t], 'trained');
  const cdf = timestepCdf(schedule, 'log-sigma', 1, tMax);
  const w = new Float64Array(T + 1);
  for (let t = 1; t <= tMax; t++) w[t] = (cdf[t] - cdf[t - 1]) * (L * Math.sqrt(a[t]) <= sigmaMax ? 1 + boost : 1);
  return w;
}

/**
 * A geometric schedule `a` (box fractions) extended at its low end down to noise std `sigmaMinLj`
 * (box length `L`), with the schedule's own ratio per step; returns the new variances and the number
 * of added steps. Unchanged when `sigmaMinLj` is not below the first level.
 */
export function extendLowNoise(a: ArrayLike<number>, L: number, sigmaMinLj: number): { a: number[]; added: number } {
  const T = a.length - 1;
  const r = Math.sqrt(a[T] / a[1]) ** (1 / (T - 1)); // std ratio per step
  const s1 = L * Math.sqrt(a[1]);
  const added = sigmaMinLj < s1 ? Math.ceil(Math.log(s1 / sigmaMinLj) / Math.log(r)) : 0;
  const out: number[] = [];
  for (let t = 0; t <= T + added; t++) out.push(t > added ? a[t - added] : a[1] / r ** (2 * (added + 1 - t)));
  return { a: out, added };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: {
    from: { type: 'string' }, steps: { type: 'string' }, minutes: { type: 'string' }, boost: { type: 'string' },
    'sigma-max': { type: 'string' }, 'sigma-min': { type: 'string' }, lr: { type: 'string' }, out: { type: 'string' },
    ema: { type: 'string' }, k: { type: 'string' }, aggregation: { type: 'string' }, resume: { type: 'boolean' }, data: { type: 'string' },
  } });
  await selectBackend();
  const frames = await trainingFrames((values.data ?? 'opp-unconditional').split(',').filter(Boolean));
  const md = frames[0];
  const out = values.out ?? 'out/opp-unconditional-forces';
  // --k: a fresh main-example network with k neighbours (the force needs the 2nd and 3rd shells, docs/seed-paper-tools.md)
  const denoiser = values.k ? createDenoiser({ ...FAST_MODEL, k: Number(values.k), aggregation: (values.aggregation ?? 'max') as DenoiserConfig['aggregation'], seed: 0 }) : (await loadModel(values.from ?? 'opp-unconditional')).denoiser;
  const tr = denoiser.training ?? { schedule: { ...FAST_TRAINING.schedule, a: [...FAST_TRAINING.schedule.a] }, box: md.box, tMax: FAST_TRAINING.tMax };
  const ext = values['sigma-min'] ? extendLowNoise(tr.schedule.a, tr.box[0], Number(values['sigma-min'])) : { a: tr.schedule.a, added: 0 };
  const tMax = (tr.tMax ?? tr.schedule.T) + ext.added;
  const timestepWeights = forceWeights(ext.a, tr.box[0], tMax, Number(values['sigma-max'] ?? 0.1), Number(values.boost ?? 3));
  const schedule: NoiseSchedule = scheduleFromFunction(ext.a.length - 1, (t) => ext.a[t], `${tr.schedule.name}${ext.added ? ` extended by ${ext.added} low-noise steps` : ''}`);
  const steps = Number(values.steps ?? 3000);
  // Sampling keeps to the generative range: the levels added below it are for the force only
  // (docs/seed-paper-tools.md: with them in the sampler's grid, BALANCED_SAMPLER was 0.0186 instead of 0.0097).
  const sampleSigmaMinLj = denoiser.training?.sampleSigmaMinLj ?? (ext.added > 0 ? tr.box[0] * Math.sqrt(tr.schedule.a[1]) : undefined);
  await train(denoiser, {
    data: frames, schedule, steps, batchSize: 2, tMax, timestepWeights, learningRate: Number(values.lr ?? 0.001), lrSchedule: 'cosine', sampleSigmaMinLj,
    ...runOptions(values, out, steps),
  });
  await saveAndDispose(denoiser, out);
}
