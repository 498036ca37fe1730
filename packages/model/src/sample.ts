import * as tf from '@tensorflow/tfjs-core';
import type { BoxLike } from '@mddm/pbc';
import { WrappedDiffusion, cosineSchedule, createRng, epsFromScoreTarget, sampleUniformBox, scheduleFromFunction, scoreLambdaTable, type FinalStep, type NoiseSchedule, type PosteriorVariance } from '@mddm/schedules';
import { waitForKernelWorker } from '@mddm/edgeconv';
import { samplingTimesteps, type TimestepSpacing } from './timesteps';
import { checkBox, checkPositions, encodeTime, type Denoiser } from './denoiser';
import { ModelError, checkInt, checkNumber, show } from './errors';

/** Progress report passed to {@link SampleOptions.onProgress} after every denoising step. */
export interface SampleProgress {
  /** Denoising steps done in this batch (1-based). */
  step: number;
  /** Denoising steps per batch. */
  steps: number;
  /** Timestep just reached (`tPrev`; 0 at the end). */
  t: number;
  /** Index of the batch being sampled (0-based) and number of batches. */
  batch: number;
  /** Number of batches. */
  batches: number;
  /** Wall time since `sample` started, ms. */
  elapsedMs: number;
}

/** Options of {@link sample}. */
export interface SampleOptions {
  /** Particles per conformation. */
  n: number;
  /** The periodic box (LJ units). */
  box: BoxLike;
  /** Number of conformations (default 1). */
  count?: number;
  /** Conformations denoised together in one graph (default `count`). */
  batchSize?: number;
  /** Raw conditions (length `denoiser.conditions`), shared by all conformations. */
  conditions?: ArrayLike<number>;
  /**
   * Denoising steps (default T = every step, Algorithm 2). Fewer gives the strided sampler
   * (`WrappedDiffusion.stepTo` over `timesteps(steps)`).
   */
  steps?: number;
  /**
   * Spacing of the strided timesteps: `'uniform'` in t (default; `WrappedDiffusion.timesteps`) or
   * `'log-sigma'` (even in the log of the noise std: many more steps at small noise).
   */
  spacing?: TimestepSpacing;
  /**
   * First timestep (default: the largest t the model was trained on, `training.tMax`, else T). Starting lower with uniform `x` is a good approximation once the
   * noise std exceeds a few particle spacings (the noisy structure is then uniform at the scale of
   * the RDF) and saves the steps above it; use with `trainOptions.tMax`.
   */
  tStart?: number;
  /** Posterior variance: `'exact'` (default, SPEC §1) or the paper's `'paper'` (half). */
  variance?: PosteriorVariance;
  /** Stochasticity of strided steps in [0, 1] (default 1: ancestral; 0: deterministic DDIM-like). */
  eta?: number;
  /**
   * Output of the last step: `'posterior'` (Algorithm 2: posterior mean at `a_0`) or `'x0'` (the
   * denoised estimate, as if `a_0 = 0`; default, it gives sharper RDF peaks because the cosine
   * schedule's `a_0` leaves ~0.1 LJ units of noise).
   */
  finalStep?: FinalStep;
  /** Schedule (default: the one the denoiser was trained with, else `cosineSchedule(500)`). */
  schedule?: NoiseSchedule;
  /** Seed of x_T and of all noise (default 0). */
  seed?: number;
  /**
   * Langevin corrector (predictor-corrector sampling, Song et al. 2021): before every predictor
   * step at a timestep whose noise std (LJ units, `L sqrt(a_t)` along the first axis) lies in
   * `[sigmaMin, sigmaMax]`, run `steps` Langevin steps `x <- wrap(x - r sigma eps + sqrt(2 r) sigma z)`
   * (`WrappedDiffusion.langevinStep`). Each costs one network evaluation. It pulls the state back to
   * the noisy marginal the network has learned, compensating for predictor and model error; for the
   * fast example it lowers the RDF-MSE several-fold (see the package README). Default: none.
   */
  corrector?: CorrectorOptions;
  /** Initial positions `[count * n, 3]` instead of uniform x_T (wrapped into the box). */
  init?: Float64Array;
  /** Keep the state every this many steps (and the final one) in `result.trajectory`. */
  trajectoryEvery?: number;
  /** Called after every denoising step. */
  onProgress?: (p: SampleProgress) => void;
  /** Receives warnings (box or density far outside the training data). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Langevin corrector of {@link SampleOptions.corrector}. */
export interface CorrectorOptions {
  /** Langevin steps before each predictor step in the band (integer >= 0). */
  steps: number;
  /** Step size relative to the noise variance, `r` in `(0, 1]` (default 0.2). */
  r?: number;
  /** Smallest noise std (position units, e.g. LJ) that gets corrector steps (default 0). */
  sigmaMin?: number;
  /** Largest noise std (position units) that gets corrector steps (default Infinity). */
  sigmaMax?: number;
}

/** Result of {@link sample}. */
export interface SampleResult {
  /** One `[n, 3]` Float64Array per conformation, inside the box. */
  positions: Float64Array[];
  /** Box lengths. */
  box: [number, number, number];
  /** Saved states (with `trajectoryEvery`): timestep and one array per conformation. */
  trajectory?: { t: number; positions: Float64Array[] }[];
  /**
   * The noise schedule actually used. When sampling a cubic box `r` times the training box with the
   * trained schedule, this is that schedule with `a_t / r^2` (see {@link sample}).
   */
  schedule: NoiseSchedule;
  /** Wall time, ms. */
  elapsedMs: number;
}

/** @internal The schedule a denoiser was trained with, if recorded. */
export function trainedSchedule(denoiser: Denoiser): NoiseSchedule | undefined {
  const s = denoiser.training?.schedule;
  if (!s || !Array.isArray(s.a) || s.a.length !== s.T + 1) return undefined;
  const a = s.a;
  return scheduleFromFunction(s.T, (t) => a[t], s.name);
}

/**
 * @internal The trained schedule expressed for another box. `a_t` is a variance in box-fraction
 * units (displacement `L sqrt(a_t) eps`), so the same `t` in a box `r` times larger would mean `r`
 * times more noise in LJ units than the network saw in training. Dividing `a_t` by `r^2` keeps the
 * noise at every `t` what it was in training (and leaves the log-sigma time encoding unchanged,
 * since it depends on ratios of `a_t` only). Returns `undefined` when the box is the training box
 * (up to 1e-9) or when the axes scale differently (a scalar schedule cannot match that).
 */
export function rescaleSchedule(schedule: NoiseSchedule, trainingBox: ArrayLike<number>, box: ArrayLike<number>): NoiseSchedule | undefined {
  const r = box[0] / trainingBox[0];
  for (let d = 1; d < 3; d++) if (Math.abs(box[d] / trainingBox[d] - r) > 1e-9 * r) return undefined;
  if (Math.abs(r - 1) <= 1e-9) return undefined;
  const a = schedule.a;
  return scheduleFromFunction(schedule.T, (t) => a[t] / (r * r), `${schedule.name} (noise in LJ units of the training box, box ratio ${r})`);
}

/**
 * Generates conformations with Algorithm 2 of the paper: `x_T ~ U(box)`, then for `t = T..1`
 * `x_{t-1} = wrap(mu_t + sigma_t z)` with the exact posterior variance by default. With `steps < T`
 * the strided sampler visits `steps` evenly spaced timesteps. Batched (several conformations share
 * one graph per step), seeded, with progress callback and optional trajectory.
 *
 * Warns (through `onWarning`) when the number density differs from the training data by more than
 * a factor 1.5 or the box is smaller than half the training box; sampling larger boxes at the
 * training density is fine (the network is local). For such a box (every axis scaled by the same
 * `r`), the trained schedule is rescaled (`a_t / r^2`) so that the noise at every step is, in LJ
 * units, what the network saw in training; the schedule used is returned in `result.schedule`.
 *
 * @param denoiser - a trained denoiser
 * @param options - see {@link SampleOptions}
 * @returns positions of every conformation, see {@link SampleResult}
 * @throws ModelError `MODEL_BAD_INPUT` / `MODEL_BAD_CONFIG` for bad sizes, box, conditions or options
 */
export async function sample(denoiser: Denoiser, options: SampleOptions): Promise<SampleResult> {
  const start = performance.now();
  if (!options || typeof options !== 'object') throw new ModelError(`sample options must be an object, got ${show(options)}`, 'MODEL_BAD_CONFIG');
  const n = checkInt(options.n, 'n', denoiser.k + 1);
  const lengths = checkBox(options.box);
  const count = checkInt(options.count ?? 1, 'count', 1);
  const batchSize = checkInt(options.batchSize ?? count, 'batchSize', 1);
  const trained = options.schedule ? undefined : trainedSchedule(denoiser);
  const tb = denoiser.training?.box;
  const schedule = options.schedule ?? (trained && tb ? rescaleSchedule(trained, tb, lengths) ?? trained : trained) ?? cosineSchedule(500);
  const T = schedule.T;
  const tStart = checkInt(options.tStart ?? Math.min(T, denoiser.training?.tMax ?? T), 'tStart', 1, T);
  const steps = checkInt(options.steps ?? tStart, 'steps', 1, tStart);
  const eta = checkNumber(options.eta ?? 1, 'eta', 0, 1);
  const seed = checkInt(options.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const every = options.trajectoryEvery === undefined ? 0 : checkInt(options.trajectoryEvery, 'trajectoryEvery', 1);
  const corrector = checkCorrector(options.corrector);
  const warn = options.onWarning ?? ((m: string) => console.warn(`@mddm/model: ${m}`));
  const diffusion = new WrappedDiffusion(schedule, { variance: options.variance ?? 'exact', finalStep: options.finalStep ?? 'x0' });
  // validates conditions once, with a readable error
  denoiser.globalInput(1, 1, options.conditions);
  if (options.init) {
    const m = checkPositions(options.init, 'init');
    if (m !== count * n) throw new ModelError(`init must hold count * n = ${count * n} particles, got ${m}`, 'MODEL_BAD_INPUT');
  }
  const tr = denoiser.training;
  if (tr) {
    const density = n / (lengths[0] * lengths[1] * lengths[2]);
    const ratio = density / tr.density;
    if (ratio > 1.5 || ratio < 1 / 1.5) {
      warn(`number density ${density.toPrecision(4)} is far from the training density ${tr.density.toPrecision(4)}; samples may be unphysical`);
    }
    for (let d = 0; d < 3; d++) {
      if (lengths[d] < 0.5 * tr.box[d]) {
        warn(`box length ${lengths[d]} (axis ${d}) is less than half the training box ${tr.box[d]}; neighbourhoods may wrap onto themselves`);
        break;
      }
    }
    const r0 = lengths[0] / tr.box[0];
    if (!options.schedule && [1, 2].some((d) => Math.abs(lengths[d] / tr.box[d] - r0) > 1e-9 * r0)) {
      warn(`box ${lengths.join(' x ')} is not a uniform scaling of the training box ${tr.box.join(' x ')}: the noise per axis (box-fraction units) differs from training; pass a schedule to control it`);
    }
    if (tr.schedule.T !== T) warn(`sampling with T = ${T} but the model was trained with T = ${tr.schedule.T}`);
  }

  const lambda = tr?.target === 'score' ? scoreLambdaTable(schedule) : null;
  await waitForKernelWorker(); // same thread split for every step (reproducible rounding)
  const rng = createRng(seed);
  const ts = options.spacing && options.spacing !== 'uniform' ? samplingTimesteps(schedule, steps, options.spacing, tStart) : diffusion.timesteps(steps, { start: tStart });
  const batches = Math.ceil(count / batchSize);
  const positions: Float64Array[] = [];
  const trajectory: { t: number; positions: Float64Array[] }[] | undefined = every ? [] : undefined;
  for (let bi = 0; bi < batches; bi++) {
    const frames = Math.min(batchSize, count - bi * batchSize);
    const len = frames * n * 3;
    let x: Float64Array;
    if (options.init) {
      x = options.init.slice(bi * batchSize * n * 3, bi * batchSize * n * 3 + len);
      for (let j = 0; j < len; j++) {
        const L = lengths[j % 3];
        let v = x[j] % L;
        if (v < 0) v += L;
        if (v >= L) v -= L;
        x[j] = v;
      }
    } else {
      x = sampleUniformBox(frames * n, lengths, rng);
    }
    const z = new Float64Array(len);
    const snap = (t: number) => {
      if (!trajectory) return;
      const idx = bi === 0 ? trajectory.length : trajectory.findIndex((e) => e.t === t);
      if (bi === 0) trajectory.push({ t, positions: [] });
      const entry = trajectory[idx];
      for (let f = 0; f < frames; f++) entry.positions.push(x.slice(f * n * 3, (f + 1) * n * 3));
    };
    if (every) snap(ts[0]);
    {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i];
        const tPrev = i + 1 < ts.length ? ts[i + 1] : 0;
        const g = denoiser.globalInput(encodeTime(denoiser.timeEncoding, t, schedule.a), frames, options.conditions);
        const predict = async (): Promise<Float32Array> => {
          const graph = denoiser.buildGraph(x, lengths, frames);
          const eps = tf.tidy(() => denoiser.apply(graph, tf.tensor2d(g, [frames, denoiser.globalFeatures])));
          const e = (await eps.data()) as Float32Array;
          eps.dispose();
          if (lambda) epsFromScoreTarget(e, t, schedule, lambda[t], e);
          return e;
        };
        const sigma = lengths[0] * schedule.sqrtA[t];
        if (corrector.steps > 0 && sigma >= corrector.sigmaMin && sigma <= corrector.sigmaMax) {
          for (let c = 0; c < corrector.steps; c++) {
            const ec = await predict();
            rng.fillNormal(z);
            diffusion.langevinStep(x, ec, t, corrector.r, z, lengths, x);
          }
        }
        const e = await predict();
        if (tPrev > 0) rng.fillNormal(z);
        if (tPrev === t - 1) diffusion.step(x, e, t, tPrev > 0 ? z : null, lengths, x);
        else diffusion.stepTo(x, e, t, tPrev, tPrev > 0 ? z : null, lengths, x, { eta });
        if (every && ((i + 1) % every === 0 || tPrev === 0)) snap(tPrev);
        options.onProgress?.({ step: i + 1, steps: ts.length, t: tPrev, batch: bi, batches, elapsedMs: performance.now() - start });
      }
    }
    for (let f = 0; f < frames; f++) positions.push(x.slice(f * n * 3, (f + 1) * n * 3));
  }
  const result: SampleResult = { positions, box: lengths, schedule, elapsedMs: performance.now() - start };
  if (trajectory) result.trajectory = trajectory;
  return result;
}

/** @internal Validates {@link SampleOptions.corrector}, filling defaults. */
function checkCorrector(c: CorrectorOptions | undefined): Required<CorrectorOptions> {
  if (c === undefined || c === null) return { steps: 0, r: 0.2, sigmaMin: 0, sigmaMax: Infinity };
  if (typeof c !== 'object') throw new ModelError(`corrector must be { steps, r?, sigmaMin?, sigmaMax? }, got ${show(c)}`, 'MODEL_BAD_CONFIG');
  const steps = checkInt(c.steps, 'corrector.steps', 0, 1e6);
  const r = checkNumber(c.r ?? 0.2, 'corrector.r', 1e-12, 1);
  const sigmaMin = checkNumber(c.sigmaMin ?? 0, 'corrector.sigmaMin', 0);
  const sigmaMax = c.sigmaMax === undefined || c.sigmaMax === Infinity ? Infinity : checkNumber(c.sigmaMax, 'corrector.sigmaMax', sigmaMin);
  return { steps, r, sigmaMin, sigmaMax };
}
