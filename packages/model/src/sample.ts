import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { wrap, type BoxLike } from '@mddm/pbc';
import {
  EuclideanDiffusion, WrappedDiffusion, classifierFreeGuidanceEps, recenter, sampleGaussianCloud, variationStart, cosineSchedule, createRng, encodeTime, epsFromScoreTarget, langevinCorrector, runSampler, sampleUniformBox,
  scheduleFromFunction, scoreLambdaTable, type EpsFunction, type FinalStep, type LangevinCorrectorOptions, type NoiseSchedule, type PosteriorVariance,
  type Rng, type SamplerOptions,
} from '@mddm/schedules';
import { waitForKernelWorker } from '@mddm/edgeconv';
import { checkBox, checkPositions } from './denoiser';
import type { DenoiserLike } from './denoiserLike';
import { requireBackend } from './backend';
import { ModelError, checkInt, checkNumber } from './errors';
import { drawConditions, drawnConditionCount } from './drawConditions';
import { DEFAULT_SAMPLER, SOLVER_CHOICE_KEYS, gridEnd, resolveSolver, smallestLevelsBand, type SolverOptions } from './solvers';
import { resolveRestart, type RestartOptions } from './restart';

/** Progress report passed to {@link SampleOptions.onProgress} after every denoising step. */
export interface SampleProgress {
  /** Denoising (predictor) steps done in this batch (1-based). */
  step: number;
  /** Denoising steps per batch. */
  steps: number;
  /** Timestep just reached (`tPrev`; 0 at the end). */
  t: number;
  /** Index of the batch being sampled (0-based). */
  batch: number;
  /** Number of batches. */
  batches: number;
  /** Network evaluations per conformation so far in this batch (SPEC §9 NFE). */
  evaluations: number;
  /** Wall time since `sample` started, ms. */
  elapsedMs: number;
}

/**
 * Conditions of a network evaluation: raw values (length `denoiser.conditions`) shared by the batch, one
 * such row per conformation of the batch, or `null` for the null condition.
 */
export type SampleConditions = ArrayLike<number> | ArrayLike<number>[] | null | undefined;

/**
 * The denoiser as eps functions of the sampler, one per condition (see {@link SampleOptions.guide}).
 * Each returned function evaluates the network once per call on the current batch.
 */
export type DenoiserEps = (conditions: SampleConditions) => EpsFunction;

/** Options of {@link sample}; the sampler choice (`sampler`, `spacing`, `rho`, `churn`, `continuous`) is {@link SolverOptions}. */
export interface SampleOptions extends SolverOptions {
  /** Particles per conformation. */
  n: number;
  /**
   * The periodic box (LJ units), or `null` for non-periodic point clouds (SPEC §6): x_T from the
   * Gaussian prior `N(0, a_start)` (position units), no wrapping ({@link EuclideanDiffusion} of
   * `@mddm/schedules`), and re-centring after every step for translation-invariant denoisers.
   */
  box: BoxLike | null;
  /**
   * Subtract each conformation's centroid after every predictor step (non-periodic only). Default:
   * `denoiser.translationInvariant` (MDDM yes, Transolver no): such a model cannot see the centroid,
   * so the noise every step adds to it would accumulate (paper Appendix B).
   */
  recenter?: boolean;
  /** Number of conformations (default 1). */
  count?: number;
  /** Conformations denoised together in one graph (default `count`). */
  batchSize?: number;
  /**
   * Raw conditions (length `denoiser.conditions`), shared by all conformations. For a model trained with
   * drawn conditions (`TrainOptions.drawnConditions`, e.g. `train-conditional.ts --structure-conditions`)
   * also just the given ones (k, phi, T): every conformation then draws the rest from the nearest
   * training frames ({@link drawConditions}, from this call's `seed`, before its initial noise), and
   * {@link SampleResult.conditions} reports what each one got.
   */
  conditions?: ArrayLike<number>;
  /**
   * Denoising steps (default `start` = every step, Algorithm 2, once any solver option is given;
   * 12 with no solver option on a periodic box, {@link DEFAULT_SAMPLER}). Fewer gives the strided sampler
   * (`WrappedDiffusion.stepTo` over `samplingTimesteps(steps, spacing, start)`).
   */
  steps?: number;
  /**
   * First timestep (default: the largest t the model was trained on, `training.tMax`, else T).
   * Starting lower with uniform `x` is a good approximation once the noise std exceeds a few
   * particle spacings (the noisy structure is then uniform at the scale of the RDF) and saves the
   * steps above it; use with `TrainOptions.tMax`. With `init` from `variationStart`: a variation.
   */
  start?: number;
  /** Posterior variance: `'exact'` (default, SPEC §1) or the paper's `'paper'` (half). */
  variance?: PosteriorVariance;
  /** Stochasticity of every step in [0, 1] (default 1: ancestral; 0: deterministic DDIM-like). */
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
   * `[sigmaMinLj, sigmaMaxLj]`, run `steps` Langevin steps (`langevinCorrector` of `@mddm/schedules`).
   * Each costs one network evaluation. It pulls the state back to the noisy marginal the network
   * has learned, compensating for predictor and model error. Default: none.
   */
  corrector?: LangevinCorrectorOptions;
  /**
   * Restart sampling (Xu et al. 2023, {@link RestartOptions}): after the sampler's last level,
   * `count` times noise the sample forward to `sigmaLj` and denoise it again with the same sampler
   * (and corrector, guidance, `afterStep`) on `steps` levels. Adds `count` re-runs to the NFE;
   * periodic boxes only; `trajectory` keeps the first pass. Default: none. On the pretrained
   * unconditional model, `{ sigmaLj: 0.12, count: 5 }` is {@link RESTART_SAMPLER}.
   */
  restart?: RestartOptions;
  /**
   * Replaces the plain denoiser by another eps function built from it, e.g. classifier-free
   * guidance: `guide: (eps) => classifierFreeGuidanceEps(eps(cond), eps(null), w)`. Default: the
   * denoiser with `conditions`. Network evaluations are counted as the eps function reports them.
   */
  guide?: (eps: DenoiserEps) => EpsFunction;
  /**
   * Classifier-free guidance weight `w >= 0` (Ho & Salimans 2022): every evaluation is
   * `(1 + w) eps(x, t, c) - w eps(x, t, null)`, two network evaluations (SPEC §9). Needs `conditions`
   * and a denoiser trained with a null condition (`train({ conditionDropout })`); not together with
   * `guide`. Default 0: no guidance, one evaluation.
   */
  guidance?: number;
  /**
   * Called after every step with the batch's state `[frames * n, 3]` and its timestep (may modify
   * it in place), e.g. `inpaint` of `@mddm/schedules` for fixed particles. `batch` is the batch index.
   */
  afterStep?: (x: Float64Array, tPrev: number, batch: number) => void;
  /** Initial positions `[count * n, 3]` instead of uniform x_T (wrapped into the box). */
  init?: Float64Array;
  /** Keep the state every this many steps (and the final one) in `result.trajectory`. */
  trajectoryEvery?: number;
  /** Called after every denoising step. */
  onProgress?: (p: SampleProgress) => void;
  /** Receives warnings (box or density far outside the training data). Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Result of {@link sample}. */
export interface SampleResult {
  /** One `[n, 3]` Float64Array per conformation, inside the box (point clouds: centred near 0). */
  positions: Float64Array[];
  /** Box lengths (for point clouds, `box: null`, the noise length scale `[1, 1, 1]`). */
  box: [number, number, number];
  /** False for non-periodic point clouds (`box: null`); `sample` always sets it (absent: periodic). */
  periodic?: boolean;
  /** Saved states (with `trajectoryEvery`): timestep and one array per conformation. */
  trajectory?: { t: number; positions: Float64Array[] }[];
  /**
   * The noise schedule actually used. When sampling a cubic box `r` times the training box with the
   * trained schedule, this is that schedule with `a_t / r^2` (see {@link sample}).
   */
  schedule: NoiseSchedule;
  /** Network evaluations per conformation (NFE, SPEC §9: predictor, corrector and guidance calls). */
  evaluations: number;
  /** Wall time, ms. */
  elapsedMs: number;
  /** The raw conditions of every conformation `[count][conditions]` (with drawn ones filled in); absent without conditions. */
  conditions?: number[][];
}

/** @internal {@link SampleOptions} validated, with defaults filled in. */
interface ResolvedSample {
  n: number;
  lengths: [number, number, number];
  periodic: boolean;
  recenter: boolean;
  start: number;
  count: number;
  batchSize: number;
  schedule: NoiseSchedule;
  seed: number;
  diffusion: WrappedDiffusion;
  sampler: SamplerOptions;
  /** Restart sampling: how many re-runs, the timestep they start from and their sampler options (no trajectory). */
  restart?: { count: number; t: number; sampler: SamplerOptions };
  /** The eps function of a batch with these conditions: `guide`, classifier-free guidance, or the plain conditional one. */
  guide: (eps: DenoiserEps, conditions: SampleConditions) => EpsFunction;
}

/** @internal `guide`, else classifier-free guidance with weight `guidance`, else the conditional eps; validated. */
function resolveGuide(denoiser: DenoiserLike, options: SampleOptions): (eps: DenoiserEps, conditions: SampleConditions) => EpsFunction {
  const w = checkNumber(options.guidance ?? 0, 'guidance', 0);
  if (w === 0) return options.guide ?? ((eps, conditions) => eps(conditions));
  if (options.guide) throw new ModelError('give guidance (a weight) or guide (an eps function), not both', 'MODEL_BAD_CONFIG');
  if (!denoiser.nullCondition || options.conditions === undefined) {
    throw new ModelError(`guidance needs conditions and a denoiser trained with a null condition (createDenoiser({ nullCondition: true }), train({ conditionDropout }))${options.conditions === undefined ? '; no conditions given' : ''}`, 'MODEL_BAD_CONFIG');
  }
  return (eps, conditions) => classifierFreeGuidanceEps(eps(conditions), eps(null), w);
}

/** @internal The schedule a denoiser was trained with, if recorded. */
export function trainedSchedule(denoiser: DenoiserLike): NoiseSchedule | undefined {
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
 * Generates conformations. Called without any solver option (see {@link DEFAULT_SAMPLER}) on a
 * periodic box it runs the measured best trade-off: DPM-Solver++(2M) on 12 levels plus Langevin
 * corrector steps on the 4 smallest (200 NFE for the pretrained models). With any solver option it
 * runs what the options say, Algorithm 2 of the paper for what they leave unset: `x_T ~ U(box)`,
 * then for `t = T..1` `x_{t-1} = wrap(mu_t + sigma_t z)` with the exact posterior variance by
 * default; with `steps < T` the strided sampler visits `steps` timesteps. Point clouds (`box: null`)
 * default to Algorithm 2. Batched (several conformations share one graph per
 * step), seeded, with progress callback and optional trajectory. The loop is `runSampler` of
 * `@mddm/schedules` with the denoiser as its eps function, so its predictor, corrector and the
 * guidance helpers (`inpaint` via `afterStep`, `classifierFreeGuidanceEps` via `guide`,
 * `variationStart` via `init` + `start`) apply to a trained model.
 *
 * Warns (through `onWarning`) when the number density differs from the training data by more than
 * a factor 1.5 or the box is smaller than half the training box; sampling larger boxes at the
 * training density is fine (the network is local). For such a box (every axis scaled by the same
 * `r`), the trained schedule is rescaled (`a_t / r^2`) so that the noise at every step is, in LJ
 * units, what the network saw in training; the schedule used is returned in `result.schedule`.
 *
 * @param denoiser - a trained denoiser
 * @param options - see {@link SampleOptions}
 * @returns positions of every conformation and the NFE, see {@link SampleResult}
 * @throws ModelError `MODEL_BAD_INPUT` / `MODEL_BAD_CONFIG` for bad sizes, box, conditions or options;
 *   `MODEL_NO_BACKEND` before `selectBackend`
 */
export async function sample(denoiser: DenoiserLike, options: SampleOptions): Promise<SampleResult> {
  const started = performance.now();
  requireBackend('sample');
  const o = resolveSampleOptions(denoiser, options);
  warnOutsideTraining(denoiser, o, options);
  await waitForKernelWorker(); // same thread split for every step (reproducible rounding)
  const rng = createRng(o.seed);
  // One row per conformation when conditions are drawn (first use of the stream); else the shared row.
  const rows = options.conditions == null ? undefined : drawConditions(denoiser, options.conditions, rng, { count: o.count });
  const perConformation = rows !== undefined && options.conditions!.length < denoiser.conditions;
  const batches = Math.ceil(o.count / o.batchSize);
  const positions: Float64Array[] = [];
  const trajectory: { t: number; positions: Float64Array[] }[] | undefined = o.sampler.trajectoryEvery ? [] : undefined;
  let evaluations = 0;
  for (let batch = 0; batch < batches; batch++) {
    const frames = Math.min(o.batchSize, o.count - batch * o.batchSize);
    const x = initialState(o, options.init, batch, frames, rng); // Algorithm 2 line 1
    const eps = denoiserEps(denoiser, o, frames);
    const userAfter = options.afterStep;
    const afterStep = o.recenter
      ? (xs: Float64Array, tPrev: number) => { recenter(xs, frames); userAfter?.(xs, tPrev, batch); }
      : userAfter && ((xs: Float64Array, tPrev: number) => userAfter(xs, tPrev, batch));
    const conditions = perConformation ? rows.slice(batch * o.batchSize, batch * o.batchSize + frames) : options.conditions;
    const guided = o.guide(eps, conditions);
    const total = stepsOf(o.sampler) + (o.restart ? o.restart.count * stepsOf(o.restart.sampler) : 0);
    let done = 0, evals = 0;
    const onStep = options.onProgress && ((p: { step: number; t: number; evaluations: number }) => options.onProgress!({
      step: done + p.step, steps: total, t: p.t, evaluations: evals + p.evaluations, batch, batches, elapsedMs: performance.now() - started,
    }));
    const r = await runSampler(o.diffusion, x, o.lengths, guided, rng, { ...o.sampler, afterStep, onStep });
    done += stepsOf(o.sampler);
    evals += r.evaluations;
    for (let k = 0; k < (o.restart?.count ?? 0); k++) { // restart sampling (restart.ts): forward to level t, denoise again
      variationStart(x, o.restart!.t, o.schedule, rng, o.lengths, x);
      const rr = await runSampler(o.diffusion, x, o.lengths, guided, rng, { ...o.restart!.sampler, afterStep, onStep });
      done += stepsOf(o.restart!.sampler);
      evals += rr.evaluations;
    }
    evaluations = Math.max(evaluations, evals);
    positions.push(...splitFrames(x, frames));
    r.trajectory?.forEach((e, i) => {
      if (batch === 0) trajectory!.push({ t: e.t, positions: [] });
      trajectory![i].positions.push(...splitFrames(e.x, frames));
    });
  }
  const result: SampleResult = { positions, box: o.lengths, periodic: o.periodic, schedule: o.schedule, evaluations, elapsedMs: performance.now() - started };
  if (rows) result.conditions = rows;
  if (trajectory) result.trajectory = trajectory;
  return result;
}

/** @internal Validates {@link SampleOptions} once, fills defaults, builds the diffusion and the sampler options. */
function resolveSampleOptions(denoiser: DenoiserLike, options: SampleOptions): ResolvedSample {
  if (!options || typeof options !== 'object') throw new ModelError(`sample options must be an object, got ${describeValue(options)}`, 'MODEL_BAD_CONFIG');
  const n = checkInt(options.n, 'n', denoiser.minParticles);
  const periodic = options.box !== null;
  const lengths: [number, number, number] = periodic ? checkBox(options.box as BoxLike) : [1, 1, 1];
  const recentre = options.recenter ?? (!periodic && denoiser.translationInvariant);
  if (periodic && options.recenter) throw new ModelError(`recenter is for point clouds (box: null); a periodic box has no centre`, 'MODEL_BAD_CONFIG');
  const count = checkInt(options.count ?? 1, 'count', 1);
  const batchSize = checkInt(options.batchSize ?? count, 'batchSize', 1);
  const schedule = options.schedule ?? samplingSchedule(denoiser, lengths);
  const T = schedule.T;
  const start = checkInt(options.start ?? Math.min(T, denoiser.training?.tMax ?? T), 'start', 1, T);
  // No solver option at all on a periodic box: the measured best trade-off (DEFAULT_SAMPLER, solvers.ts).
  const preset = periodic && SOLVER_CHOICE_KEYS.every((k) => options[k] === undefined);
  const chosen: SolverOptions = preset ? { ...options, sampler: DEFAULT_SAMPLER.sampler, spacing: DEFAULT_SAMPLER.spacing } : options;
  const end = gridEnd(options.sigmaMinLj, schedule, lengths[0], start, denoiser.training?.sampleSigmaMinLj); // solvers.ts
  const steps = preset ? Math.min(DEFAULT_SAMPLER.steps, start - end + 1) : checkInt(options.steps ?? start - end + 1, 'steps', 1, start - end + 1);
  const eta = checkNumber(options.eta ?? 1, 'eta', 0, 1);
  const solver = resolveSolver(chosen, schedule, start, steps, eta, denoiser.training?.target === 'score', end); // solvers.ts
  const seed = checkInt(options.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const trajectoryEvery = options.trajectoryEvery === undefined ? 0 : checkInt(options.trajectoryEvery, 'trajectoryEvery', 1);
  const corrector = preset ? presetCorrector(solver.timesteps!, schedule, lengths) : checkCorrector(options.corrector);
  const diffusionOptions = { variance: options.variance ?? 'exact', finalStep: options.finalStep ?? 'x0' } as const;
  const diffusion = periodic ? new WrappedDiffusion(schedule, diffusionOptions) : new EuclideanDiffusion(schedule, diffusionOptions);
  // Validates conditions once, with a readable error (given ones only: drawConditions checks those).
  if (!(options.conditions != null && options.conditions.length === denoiser.conditions - drawnConditionCount(denoiser))) denoiser.globalInput(1, 1, options.conditions);
  if (options.init) {
    const m = checkPositions(options.init, 'init');
    if (m !== count * n) throw new ModelError(`init must hold count * n = ${count * n} particles, got ${m}`, 'MODEL_BAD_INPUT');
  }
  const sampler: SamplerOptions = {
    steps, start, spacing: solver.spacing, timesteps: solver.timesteps, trajectoryEvery,
    predictor: solver.predictor,
    corrector: corrector.steps > 0 ? langevinCorrector(corrector) : undefined,
  };
  const rs = resolveRestart(options.restart, schedule, lengths[0], start, end, periodic); // restart.ts
  const restart = rs && {
    count: rs.count, t: rs.t,
    sampler: (({ predictor, timesteps, spacing }) => ({ ...sampler, steps: rs.steps, start: rs.t, spacing, timesteps, predictor, trajectoryEvery: 0 }))(
      resolveSolver(chosen, schedule, rs.t, rs.steps, eta, denoiser.training?.target === 'score', end)),
  };
  return { n, lengths, periodic, recenter: recentre, start, count, batchSize, schedule, seed, diffusion, sampler, restart, guide: resolveGuide(denoiser, options) };
}

/** @internal Default schedule: the trained one (rescaled to keep LJ noise levels in a scaled box), else cosine(500). */
function samplingSchedule(denoiser: DenoiserLike, lengths: [number, number, number]): NoiseSchedule {
  const trained = trainedSchedule(denoiser);
  const tb = denoiser.training?.periodic === false ? undefined : denoiser.training?.box;
  return (trained && tb ? rescaleSchedule(trained, tb, lengths) ?? trained : trained) ?? cosineSchedule(500);
}

/** @internal Warns when the box or density is far from the training data (the network is local, but not scale-free). */
function warnOutsideTraining(denoiser: DenoiserLike, o: ResolvedSample, options: SampleOptions): void {
  const tr = denoiser.training;
  if (!tr) return;
  const warn = options.onWarning ?? ((m: string) => console.warn(`@mddm/model: ${m}`));
  const trainedPeriodic = tr.periodic !== false;
  if (trainedPeriodic !== o.periodic) {
    warn(`the model was trained on ${trainedPeriodic ? 'periodic boxes' : 'point clouds (box: null)'} but is sampled ${o.periodic ? 'in a periodic box' : 'without a box'}`);
  }
  if (!o.periodic || !trainedPeriodic) return;
  const { lengths, n } = o;
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
  if (tr.schedule.T !== o.schedule.T) warn(`sampling with T = ${o.schedule.T} but the model was trained with T = ${tr.schedule.T}`);
}

/** @internal Algorithm 2 line 1 for one batch: `x_T ~ U(box)` (3 uniforms per particle), or the given `init` wrapped into the box. */
function initialState(o: ResolvedSample, init: Float64Array | undefined, batch: number, frames: number, rng: Rng): Float64Array {
  const len = frames * o.n * 3;
  if (!init) {
    if (o.periodic) return sampleUniformBox(frames * o.n, o.lengths, rng);
    return sampleGaussianCloud(frames * o.n, o.lengths[0] * o.schedule.sqrtA[o.start], rng); // Gaussian prior N(0, a_start)
  }
  const from = batch * o.batchSize * o.n * 3;
  const x = init.slice(from, from + len);
  return o.periodic ? wrap(x, o.lengths, x) : x; // in place
}

/**
 * @internal The denoiser as the sampler's eps function for a batch of `frames` conformations:
 * time input, graph, network, and for a score-trained model the conversion back to eps (in float32,
 * as the network output). One network evaluation per call.
 */
function denoiserEps(denoiser: DenoiserLike, o: ResolvedSample, frames: number): DenoiserEps {
  const schedule = o.schedule;
  const lambda = denoiser.training?.target === 'score' ? scoreLambdaTable(schedule) : null;
  return (conditions) => async (x, t, out) => {
    const g = denoiser.globalInput(encodeTime(denoiser.timeEncoding, t, schedule.a), frames, conditions);
    const graph = denoiser.buildGraph(x, o.periodic ? o.lengths : null, frames, g);
    const eps = tf.tidy(() => denoiser.apply(graph, tf.tensor2d(g, [frames, denoiser.globalFeatures])));
    const e = (await eps.data()) as Float32Array;
    eps.dispose();
    if (lambda) epsFromScoreTarget(e, t, schedule, lambda[t], e);
    out.set(e);
  };
}

/** @internal Predictor steps of one run of the sampler (its explicit grid, else `steps`). */
function stepsOf(s: SamplerOptions): number {
  return s.timesteps?.length ?? s.steps ?? 0;
}

/** @internal Copies of the `frames` conformations of a batch state. */
function splitFrames(x: Float64Array, frames: number): Float64Array[] {
  const len = x.length / frames;
  return Array.from({ length: frames }, (_, f) => x.slice(f * len, (f + 1) * len));
}

/** @internal The corrector of {@link DEFAULT_SAMPLER}: its steps and r on the `correctorLevels` smallest levels of the grid. */
function presetCorrector(timesteps: ArrayLike<number>, schedule: NoiseSchedule, lengths: [number, number, number]): Required<Omit<LangevinCorrectorOptions, 'project'>> {
  const sigmasLj = Array.from(timesteps, (t) => lengths[0] * schedule.sqrtA[t]);
  return { ...DEFAULT_SAMPLER.corrector, ...smallestLevelsBand(sigmasLj, DEFAULT_SAMPLER.correctorLevels) };
}

/** @internal Validates {@link SampleOptions.corrector}, filling defaults. */
function checkCorrector(c: LangevinCorrectorOptions | undefined): Required<Omit<LangevinCorrectorOptions, 'project'>> {
  if (c === undefined || c === null) return { steps: 0, r: 0.2, sigmaMinLj: 0, sigmaMaxLj: Infinity };
  if (typeof c !== 'object') throw new ModelError(`corrector must be { steps, r?, sigmaMinLj?, sigmaMaxLj? }, got ${describeValue(c)}`, 'MODEL_BAD_CONFIG');
  const steps = checkInt(c.steps, 'corrector.steps', 0, 1e6);
  const r = checkNumber(c.r ?? 0.2, 'corrector.r', 1e-12, 1);
  const sigmaMinLj = checkNumber(c.sigmaMinLj ?? 0, 'corrector.sigmaMinLj', 0);
  const sigmaMaxLj = c.sigmaMaxLj === undefined || c.sigmaMaxLj === Infinity ? Infinity : checkNumber(c.sigmaMaxLj, 'corrector.sigmaMaxLj', sigmaMinLj);
  return { steps, r, sigmaMinLj, sigmaMaxLj };
}
