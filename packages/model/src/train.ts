import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { wrap, type BoxLike, type Vec3Array } from '@mddm/pbc';
import {
  EuclideanDiffusion, WrappedDiffusion, cosineSchedule, createRng, drawFromCdf, encodeTime, scoreLambdaTable, timestepCdf, wrappedScoreTarget,
  type NoiseSchedule, type Rng, type TimestepSpacing,
} from '@mddm/schedules';
import { waitForKernelWorker } from '@mddm/edgeconv';
import { Adam } from './adam';
import { applySymmetry, boxSymmetries } from './augment';
import { requireBackend } from './backend';
import { applyCheckpoint, readCheckpoint, removeStaleFiles, writeCheckpoint, type CheckpointData } from './checkpoint';
import { WeightAverage } from './ema';
import { checkBox, checkPositions } from './denoiser';
import type { DenoiserLike } from './denoiserLike';
import { ModelError, checkInt, checkNumber } from './errors';
import { checkDrawOptions } from './drawConditions';

/** One training conformation. Frames of `@mddm/io` (`{ positions, box, info }`) fit directly. */
export interface TrainingFrame {
  /** Positions `[N, 3]` flat, LJ units (wrapped into the box if outside). */
  positions: Vec3Array;
  /**
   * The periodic box, or `null` for a non-periodic point cloud (SPEC §6: no wrapping, the noise
   * `x_t = x_0 + sqrt(a_t) eps` in position units, no box augmentation). All frames of a training
   * set must agree.
   */
  box: BoxLike | [number, number, number] | null;
  /** Raw conditions (length = `denoiser.conditions`); see also {@link TrainOptions.conditionKeys}. */
  conditions?: ArrayLike<number>;
  /** Metadata; with `conditionKeys` the conditions are read from here (e.g. `k`, `phi`, `T`). */
  info?: Record<string, unknown>;
}

/** What the training target is (SPEC §1). */
export type TrainTarget = 'eps' | 'score';

/** Progress report passed to {@link TrainOptions.onProgress} after every step. */
export interface TrainProgress {
  /** Steps done so far (including resumed ones). */
  step: number;
  /** Total steps planned (`TrainOptions.steps`). */
  steps: number;
  /**
   * Wall-time budget of this call, ms (`TrainOptions.timeBudgetMs`; Infinity without one). When
   * `(steps - step) / stepsPerSecond` exceeds what is left of it, the budget stops training first.
   */
  budgetMs: number;
  /** Epoch (`floor((step - 1) / stepsPerEpoch)`). */
  epoch: number;
  /** Loss of this step. */
  loss: number;
  /** Exponential moving average of the loss (time constant 50 steps). */
  smoothLoss: number;
  /** Learning rate of this step. */
  learningRate: number;
  /** Wall time since this call of `train` started, ms. */
  elapsedMs: number;
  /** Steps per second in this call. */
  stepsPerSecond: number;
}

/** Options of {@link train}. Defaults follow the paper (Sec. 4.3) where it says something. */
export interface TrainOptions {
  /** Training conformations (at least one). All frames in one batch share N and box. */
  data: TrainingFrame[];
  /** Total optimizer steps (default `epochs * stepsPerEpoch`). */
  steps?: number;
  /** Epochs if `steps` is not given (default 800, the paper's). */
  epochs?: number;
  /** Conformations per step (default 4); each gets its own symmetry, t and noise. */
  batchSize?: number;
  /** Steps per epoch (default `ceil(frames * symmetries / batchSize)`: one pass over the augmented set). */
  stepsPerEpoch?: number;
  /** Adam learning rate (default 0.005). */
  learningRate?: number;
  /** Learning-rate factor applied every `lrDecayEvery` epochs (default 0.95). */
  lrDecay?: number;
  /** Epochs between decays (default 100). */
  lrDecayEvery?: number;
  /**
   * Learning-rate schedule: `'step'` (default, the paper's: times `lrDecay` every `lrDecayEvery`
   * epochs) or `'cosine'` (from `learningRate` down to `lrMin` over `steps`, or over `timeBudgetMs`
   * if that ends first, which makes budget-limited runs depend on the machine's speed).
   */
  lrSchedule?: 'step' | 'cosine';
  /** Final learning rate of the cosine schedule (default `learningRate / 100`). */
  lrMin?: number;
  /** Clip the global gradient norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Augment with the symmetries of the box (48 for a cube; default true; periodic data only). */
  augment?: boolean;
  /**
   * `'eps'` (default, Algorithm 1): regress the drawn noise. `'score'`: regress the normalised
   * wrapped-normal score `-sqrt(lambda_t) s(x_t - x_0)` (DiffCSP-style, `wrappedScoreTarget` of
   * `@mddm/schedules`): unit mean square, equal to eps at small noise, well defined at large noise.
   * `sample` converts the prediction back to eps (recorded in `denoiser.training.target`).
   */
  target?: TrainTarget;
  /** Noise schedule (default `cosineSchedule(500)`). */
  schedule?: NoiseSchedule;
  /**
   * Draw t from `U{tMin..T}` instead of `U{1..T}` (default 1). Also `tMax` (default T). Algorithm 1
   * uses the full range.
   */
  tMin?: number;
  /** Largest t drawn (default T). */
  tMax?: number;
  /**
   * Distribution of the drawn t: `'uniform'` (default, Algorithm 1) or `'log-sigma'` (uniform in the
   * log of the noise std: most draws at the small noise levels that decide the local structure).
   * Same name and values as the sampler grid of `sample`.
   */
  spacing?: TimestepSpacing;
  /**
   * Relative weight of every timestep `[T + 1]` (finite, >= 0), instead of `spacing`: e.g. to
   * spend most draws on the noise band where the structure forms. Only `tMin..tMax` are used.
   */
  timestepWeights?: ArrayLike<number>;
  /** Seed of every random choice (frames, symmetries, t, noise). Default 0. */
  seed?: number;
  /** Read conditions from `frame.info[key]` for these keys (e.g. `['k', 'phi', 'T']`). */
  conditionKeys?: string[];
  /**
   * The last `drawnConditions` conditions describe each frame's structure (e.g. the height of g(r)'s main
   * peak) rather than the physical parameters a user gives (default 0). `sample` cannot know them for new
   * parameters, so `train` records every training frame's condition row (`TrainingInfo.conditionRows`)
   * and {@link drawConditions} draws them from the frames nearest in the given conditions.
   */
  drawnConditions?: number;
  /**
   * Defaults of {@link drawConditions} for this model, recorded in `TrainingInfo.draw` (with `drawnConditions`):
   * how many nearest frames to draw from and the distance scale of each given condition. Default: none recorded.
   */
  draw?: { neighbours?: number; scale?: number[] };
  /**
   * Record `TrainingInfo.sampleSigmaMinLj` (LJ units, > 0): the smallest noise level `sample` goes
   * to by default, for a schedule extended below the levels sampling needs. Default: not recorded.
   */
  sampleSigmaMinLj?: number;
  /**
   * Probability in `[0, 1)` of training a conformation with the null condition instead of its own
   * (classifier-free guidance training; needs a denoiser created with `nullCondition: true`).
   * Default 0: no draw is made, so the random stream is that of an unconditional-dropout-free run.
   */
  conditionDropout?: number;
  /**
   * Keep an exponential moving average of the weights with this decay in `(0, 1)` (e.g. 0.999: a
   * time constant of 1000 steps; see `WeightAverage` for the warm-up). Checkpoints hold both the
   * last iterate (to resume) and the average; when training returns, the denoiser holds the
   * averaged weights, and `loadDenoiser` loads them by default. Resuming a checkpoint written without
   * an average starts it from the checkpoint's weights. Default: none (the last iterate).
   */
  ema?: number;
  /** Stop after this much wall time (ms), finishing the current step (a checkpoint is written if enabled). */
  timeBudgetMs?: number;
  /** Directory for checkpoints (weights, optimizer and RNG state, losses). */
  checkpointDir?: string;
  /** Write a checkpoint every this many steps (default 500) and at the end. */
  checkpointEvery?: number;
  /**
   * Continue from the checkpoint in `checkpointDir` if there is one: bit-identical to an
   * uninterrupted run. The options that decide the random stream and the updates (seed, spacing,
   * weights, batch, learning-rate schedule, target, tMin/tMax, T, data size, augment) are recorded
   * in the checkpoint and checked: a mismatch throws `MODEL_CONFIG_MISMATCH` instead of silently
   * continuing a different run. `steps` and `timeBudgetMs` may change.
   */
  resume?: boolean;
  /** Called after every step; return `false` to stop early. */
  onProgress?: (p: TrainProgress) => void | boolean;
  /** Stops training (after the current step) when aborted. */
  signal?: AbortSignal;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Steps done in total (including resumed ones). */
  steps: number;
  /** Loss of every step since step 0 (including resumed ones). */
  losses: Float64Array;
  /** Wall time of this call, ms. */
  elapsedMs: number;
  /** Why training stopped. */
  stoppedBy: 'steps' | 'time' | 'callback' | 'signal';
}

/** @internal One training frame, wrapped into its box, with its symmetries and size group. */
interface Prepared {
  positions: Float64Array;
  /** False for a non-periodic point cloud (then `lengths` is the noise scale [1, 1, 1]). */
  periodic: boolean;
  lengths: [number, number, number];
  n: number;
  conditions: number[] | undefined;
  symmetries: number[];
  group: number;
}

/** @internal {@link TrainOptions} validated once, with defaults filled in. */
interface ResolvedTrain {
  frames: Prepared[];
  /** Frame indices per (N, box) group: a batch draws its frames from one group. */
  groups: number[][];
  schedule: NoiseSchedule;
  diffusion: WrappedDiffusion;
  batchSize: number;
  stepsPerEpoch: number;
  /** Total optimizer steps (`TrainOptions.steps`). */
  steps: number;
  lr0: number;
  lrDecay: number;
  lrDecayEvery: number;
  lrSchedule: 'step' | 'cosine';
  lrMin: number;
  clipNorm: number;
  target: TrainTarget;
  tMin: number;
  tMax: number;
  /** Training law of t; null for `U{tMin..tMax}` drawn with `rng.integer` (Algorithm 1 line 3). */
  cdf: Float64Array | null;
  /** `lambda_t` of the score target, null for eps. */
  lambda: Float64Array | null;
  /** Probability of the null condition per conformation (0: never, and no draw). */
  conditionDropout: number;
  /** The last this many conditions are drawn at sampling time (`TrainOptions.drawnConditions`). */
  drawnConditions: number;
  /** Decay of the weight average, 0 for none. */
  ema: number;
  seed: number;
  checkpointEvery: number;
  budgetMs: number;
  /** The options a resumed run must share with the checkpoint (see {@link TrainOptions.resume}). */
  fingerprint: Record<string, unknown>;
}

/** @internal Training state that a checkpoint carries. */
interface TrainState {
  step: number;
  rng: unknown;
  losses: number[];
  smooth: number;
  fingerprint: Record<string, unknown>;
}

/** @internal One drawn batch: noisy positions, regression targets and global inputs. */
interface Batch {
  xt: Float64Array;
  target: Float32Array;
  g: Float32Array;
  n: number;
  lengths: [number, number, number];
  periodic: boolean;
}

/** @internal Buffers reused by every step of the same (N, batch) shape. */
class BatchBuffers {
  x0 = new Float64Array(0);
  xt = new Float64Array(0);
  eps = new Float64Array(0);
  target = new Float32Array(0);
  score = new Float64Array(0);

  /** Resizes for `len = batchSize * n * 3` values (only when the shape changes). */
  fit(len: number, perFrame: number): void {
    if (this.x0.length === len) return;
    this.x0 = new Float64Array(len);
    this.xt = new Float64Array(len);
    this.eps = new Float64Array(len);
    this.target = new Float32Array(len);
    this.score = new Float64Array(perFrame);
  }
}

/**
 * Trains a denoiser with Algorithm 1 of the paper: for every step draw `batchSize` conformations
 * (each under a random symmetry of the box), `t ~ U{1..T}` and `eps ~ N(0, I)` per conformation, form
 * `x_t = wrap(x_0 + L sqrt(a_t) eps)` and take an Adam step on the mean squared error of the predicted
 * noise. Learning rate `lr * lrDecay^floor(epoch / lrDecayEvery)`.
 *
 * Deterministic for a given seed, options and backend. With `checkpointDir`, checkpoints (weights,
 * Adam moments, RNG state, losses) are written atomically every `checkpointEvery` steps; `resume: true`
 * continues from the last one and produces bit-identically the losses of an uninterrupted run.
 *
 * @param denoiser - the model to train (modified in place; `denoiser.training` is set)
 * @param options - see {@link TrainOptions}
 * @returns losses and counts, see {@link TrainResult}
 * @throws ModelError `MODEL_BAD_INPUT` / `MODEL_BAD_CONFIG` for bad data or options;
 *   `MODEL_CONFIG_MISMATCH` when resuming from a checkpoint of another architecture or other
 *   training options; `MODEL_NO_BACKEND` before `selectBackend`
 */
export async function train(denoiser: DenoiserLike, options: TrainOptions): Promise<TrainResult> {
  requireBackend('train');
  const o = resolveTrainOptions(denoiser, options);
  // The fused edgeconv kernel splits work over a worker thread once it is up; before that it runs on
  // one thread, and the two differ in float rounding. Wait for it so every step runs the same way.
  await waitForKernelWorker();
  const rng: Rng = createRng(o.seed);
  const adam = new Adam(denoiser.trainableWeights);
  const state: TrainState = { step: 0, rng: null, losses: [], smooth: NaN, fingerprint: o.fingerprint };
  const saved = options.resume && options.checkpointDir ? await resume(denoiser, adam, rng, state, options.checkpointDir) : undefined;
  denoiser.training = trainingInfo(o, options.conditionKeys, options.sampleSigmaMinLj, o.drawnConditions, options.draw);
  const average = o.ema > 0 ? new WeightAverage(denoiser, o.ema, saved?.ema?.weights) : null;
  const save = async (): Promise<void> => {
    state.rng = rng.state();
    await writeCheckpoint(options.checkpointDir!, denoiser, { optimizer: adam.getState(), state, ...(average ? { ema: { decay: average.decay, weights: average.read() } } : {}) });
  };
  const started = performance.now();
  const startStep = state.step;
  const buffers = new BatchBuffers();
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  let lastSaved = state.step;
  try {
    while (state.step < o.steps) {
      const stop = options.signal?.aborted ? 'signal' : performance.now() - started >= o.budgetMs ? 'time' : null;
      if (stop) {
        stoppedBy = stop;
        break;
      }
      const batch = drawBatch(denoiser, o, rng, buffers);
      const epoch = Math.floor(state.step / o.stepsPerEpoch);
      const lr = learningRate(o, state.step, epoch, performance.now() - started);
      const loss = await gradientStep(denoiser, adam, batch, lr, o.clipNorm, o.batchSize);
      if (!Number.isFinite(loss)) {
        throw new ModelError(`training diverged: loss is ${loss} at step ${state.step + 1} (lower learningRate or set clipNorm)`, 'MODEL_BAD_CONFIG');
      }
      state.step++;
      average?.update(denoiser, state.step);
      state.losses.push(loss);
      state.smooth = Number.isNaN(state.smooth) ? loss : state.smooth + (loss - state.smooth) / 50;
      if (options.checkpointDir && state.step % o.checkpointEvery === 0) {
        await save();
        lastSaved = state.step;
      }
      const elapsedMs = performance.now() - started;
      const reply = options.onProgress?.({
        step: state.step, steps: o.steps, budgetMs: o.budgetMs, epoch, loss, smoothLoss: state.smooth, learningRate: lr, elapsedMs,
        stepsPerSecond: ((state.step - startStep) * 1000) / Math.max(1e-9, elapsedMs),
      });
      if (reply === false) {
        stoppedBy = 'callback';
        break;
      }
    }
    if (options.checkpointDir && lastSaved !== state.step) await save();
    average?.copyTo(denoiser);
  } finally {
    adam.dispose();
    average?.dispose();
  }
  return { steps: state.step, losses: Float64Array.from(state.losses), elapsedMs: performance.now() - started, stoppedBy };
}

/** @internal Validates {@link TrainOptions} once and fills the defaults (paper Sec. 4.3 where it says something). */
function resolveTrainOptions(denoiser: DenoiserLike, options: TrainOptions): ResolvedTrain {
  const { frames, groups } = prepare(denoiser, options);
  const schedule = options.schedule ?? cosineSchedule(500);
  const T = schedule.T;
  const batchSize = checkInt(options.batchSize ?? 4, 'batchSize', 1, 4096);
  const symCount = frames.reduce((s, f) => s + f.symmetries.length, 0);
  const stepsPerEpoch = checkInt(options.stepsPerEpoch ?? Math.max(1, Math.ceil(symCount / batchSize)), 'stepsPerEpoch', 1);
  const epochs = checkInt(options.epochs ?? 800, 'epochs', 1);
  const steps = checkInt(options.steps ?? epochs * stepsPerEpoch, 'steps', 0);
  const lr0 = checkNumber(options.learningRate ?? 0.005, 'learningRate', 0);
  const lrDecay = checkNumber(options.lrDecay ?? 0.95, 'lrDecay', 0, 1);
  const lrDecayEvery = checkNumber(options.lrDecayEvery ?? 100, 'lrDecayEvery', 1e-9);
  const lrSchedule = options.lrSchedule ?? 'step';
  if (lrSchedule !== 'step' && lrSchedule !== 'cosine') throw new ModelError(`lrSchedule must be 'step' | 'cosine', got ${describeValue(lrSchedule)}`, 'MODEL_BAD_CONFIG');
  const lrMin = checkNumber(options.lrMin ?? lr0 / 100, 'lrMin', 0);
  const clipNorm = options.clipNorm === undefined ? 0 : checkNumber(options.clipNorm, 'clipNorm', 1e-12);
  if (options.sampleSigmaMinLj !== undefined) checkNumber(options.sampleSigmaMinLj, 'sampleSigmaMinLj', 1e-300);
  const target = options.target ?? 'eps';
  if (target !== 'eps' && target !== 'score') throw new ModelError(`target must be 'eps' | 'score', got ${describeValue(target)}`, 'MODEL_BAD_CONFIG');
  const tMin = checkInt(options.tMin ?? 1, 'tMin', 1, T);
  const tMax = checkInt(options.tMax ?? T, 'tMax', tMin, T);
  const spacing = options.spacing ?? 'uniform';
  if (spacing !== 'uniform' && spacing !== 'log-sigma') throw new ModelError(`spacing must be 'uniform' | 'log-sigma', got ${describeValue(spacing)}`, 'MODEL_BAD_CONFIG');
  const weights = options.timestepWeights === undefined ? undefined : Array.from(options.timestepWeights);
  const cdf = weights ? timestepCdf(schedule, weights, tMin, tMax) : spacing === 'uniform' ? null : timestepCdf(schedule, spacing, tMin, tMax);
  const seed = checkInt(options.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const checkpointEvery = checkInt(options.checkpointEvery ?? 500, 'checkpointEvery', 1);
  const budgetMs = options.timeBudgetMs === undefined ? Infinity : checkNumber(options.timeBudgetMs, 'timeBudgetMs', 0);
  const periodic = frames[0].periodic;
  const augment = options.augment ?? periodic;
  if (!periodic && target === 'score') throw new ModelError(`target 'score' is the wrapped-normal score of periodic data; use 'eps' for point clouds (box: null)`, 'MODEL_BAD_CONFIG');
  const conditionDropout = checkNumber(options.conditionDropout ?? 0, 'conditionDropout', 0, 0.999999);
  const ema = options.ema === undefined ? 0 : checkNumber(options.ema, 'ema', 1e-9, 1 - 1e-9);
  if (conditionDropout > 0 && !denoiser.nullCondition) {
    throw new ModelError(`conditionDropout needs a denoiser with a null condition: createDenoiser({ nullCondition: true, ... })`, 'MODEL_BAD_CONFIG');
  }
  const drawnConditions = checkInt(options.drawnConditions ?? 0, 'drawnConditions', 0, Math.max(0, denoiser.conditions - 1));
  if (drawnConditions > 0 && !options.conditionKeys) throw new ModelError(`drawnConditions needs conditionKeys (the names sampling draws them by)`, 'MODEL_BAD_CONFIG');
  if (options.draw !== undefined) {
    if (drawnConditions === 0) throw new ModelError(`draw settings need drawnConditions > 0`, 'MODEL_BAD_CONFIG');
    checkDrawOptions(options.draw, denoiser.conditions - drawnConditions);
  }
  const fingerprint = { seed, spacing, weights, lrSchedule, lrMin, batchSize, stepsPerEpoch, lr0, lrDecay, lrDecayEvery, clipNorm, target, tMin, tMax, T, frames: frames.length, augment, ...(conditionDropout > 0 ? { conditionDropout } : {}), ...(periodic ? {} : { periodic }) };
  return {
    frames, groups, schedule, diffusion: periodic ? new WrappedDiffusion(schedule) : new EuclideanDiffusion(schedule), batchSize, stepsPerEpoch, steps, lr0, lrDecay, lrDecayEvery,
    lrSchedule, lrMin, clipNorm, target, tMin, tMax, cdf, lambda: target === 'score' ? scoreLambdaTable(schedule) : null, conditionDropout, drawnConditions, ema, seed,
    checkpointEvery, budgetMs, fingerprint,
  };
}

/** @internal Validates the data, wraps every frame into its box and groups frames by (N, box). */
function prepare(denoiser: DenoiserLike, options: TrainOptions): { frames: Prepared[]; groups: number[][] } {
  if (!Array.isArray(options.data) || options.data.length === 0) {
    throw new ModelError(`data must be a non-empty array of frames { positions, box }, got ${describeValue(options.data)}`, 'MODEL_BAD_INPUT');
  }
  const periodic = options.data[0]?.box !== null;
  if (!periodic && options.augment === true) {
    throw new ModelError(`augment uses the symmetries of a periodic box; point clouds (box: null) have none: omit augment`, 'MODEL_BAD_CONFIG');
  }
  const augment = options.augment ?? periodic;
  const keys = new Map<string, number>();
  const groups: number[][] = [];
  const frames = options.data.map((f, i) => {
    if (!f || typeof f !== 'object') throw new ModelError(`data[${i}] must be a frame { positions, box }, got ${describeValue(f)}`, 'MODEL_BAD_INPUT');
    const n = checkPositions(f.positions, `data[${i}].positions`);
    if (n < denoiser.minParticles) throw new ModelError(`data[${i}] has ${n} particles; need at least ${denoiser.minParticles} (minParticles: more than k for MDDM)`, 'MODEL_BAD_INPUT');
    if ((f.box !== null) !== periodic) throw new ModelError(`data[${i}].box is ${f.box === null ? 'null' : 'a box'} but data[0]'s is ${periodic ? 'a box' : 'null'}: mix of periodic and non-periodic frames`, 'MODEL_BAD_INPUT');
    const lengths: [number, number, number] = periodic ? checkBox(f.box as BoxLike, `data[${i}].box`) : [1, 1, 1];
    const positions = Float64Array.from(f.positions);
    if (periodic) wrap(positions, lengths, positions); // in place, into [0, L)
    const conditions = frameConditions(f, i, options.conditionKeys);
    if ((conditions?.length ?? 0) !== denoiser.conditions) {
      throw new ModelError(`data[${i}] has ${conditions?.length ?? 0} conditions; the denoiser expects ${denoiser.conditions}`, 'MODEL_BAD_INPUT');
    }
    const key = `${n}|${lengths.join(',')}`;
    let g = keys.get(key);
    if (g === undefined) {
      g = groups.length;
      keys.set(key, g);
      groups.push([]);
    }
    groups[g].push(i);
    return { positions, periodic, lengths, n, conditions, symmetries: augment ? boxSymmetries(lengths) : [0], group: g };
  });
  return { frames, groups };
}

/** @internal Raw conditions of frame `i`: from `info[key]` with `conditionKeys`, else `frame.conditions`. */
function frameConditions(f: TrainingFrame, i: number, keys: string[] | undefined): number[] | undefined {
  if (!keys) return f.conditions ? Array.from(f.conditions) : undefined;
  return keys.map((k) => {
    const v = f.info?.[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(`data[${i}].info.${k} must be a finite number, got ${describeValue(v)}`, 'MODEL_BAD_INPUT');
    return v;
  });
}

/**
 * @internal Restores weights, Adam moments, RNG and losses from the checkpoint in `dir` (if any),
 * after checking that it was written with the same training options, and removes files a killed
 * writer left behind. Returns what it read (its averaged weights continue the run's average).
 */
async function resume(denoiser: DenoiserLike, adam: Adam, rng: Rng, state: TrainState, dir: string): Promise<CheckpointData | undefined> {
  let data;
  try {
    data = await readCheckpoint(dir);
  } catch (e) {
    if (e instanceof ModelError && e.code === 'MODEL_CHECKPOINT_MISSING') return undefined;
    throw e;
  }
  const st = data.manifest.state as TrainState | undefined;
  if (!st || typeof st.step !== 'number' || !data.optimizer) {
    throw new ModelError(`checkpoint ${dir} has no training state to resume from`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  checkFingerprint(st.fingerprint, state.fingerprint, dir);
  await removeStaleFiles(dir, data.manifest);
  applyCheckpoint(denoiser, data);
  adam.setState(data.optimizer);
  rng.setState(st.rng);
  state.step = st.step;
  state.losses = st.losses.slice();
  state.smooth = st.smooth;
  return data;
}

/** @internal Throws `MODEL_CONFIG_MISMATCH` naming the first option that differs from the checkpoint's. */
function checkFingerprint(saved: Record<string, unknown> | undefined, current: Record<string, unknown>, dir: string): void {
  if (!saved || typeof saved !== 'object') return; // written without one: nothing to compare
  const now = JSON.parse(JSON.stringify(current)) as Record<string, unknown>; // same form as the saved JSON
  for (const key of new Set([...Object.keys(saved), ...Object.keys(now)])) {
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(now[key]);
    if (a !== b) {
      throw new ModelError(
        `cannot resume from ${dir}: it was trained with ${key} = ${describeValue(saved[key])}, this run has ${describeValue(now[key])} (resuming is only bit-identical with the same options)`,
        'MODEL_CONFIG_MISMATCH',
      );
    }
  }
}

/**
 * @internal What `sample` needs to know about the training run (`denoiser.training`), and the names
 * of the conditions (`conditionKeys`), which the CLI reads from frames' info.
 */
function trainingInfo(o: ResolvedTrain, conditionKeys: string[] | undefined, sampleSigmaMinLj: number | undefined, drawnConditions: number, draw: TrainOptions['draw']): NonNullable<DenoiserLike['training']> {
  const first = o.frames[0];
  return {
    n: first.n,
    box: [...first.lengths],
    density: first.periodic ? first.n / (first.lengths[0] * first.lengths[1] * first.lengths[2]) : 0,
    ...(first.periodic ? {} : { periodic: false }),
    schedule: { name: o.schedule.name, T: o.schedule.T, a: Array.from(o.schedule.a) },
    target: o.target,
    tMax: o.tMax,
    ...(conditionKeys ? { conditionKeys: [...conditionKeys] } : {}),
    ...(sampleSigmaMinLj === undefined ? {} : { sampleSigmaMinLj }),
    // Every frame's row, for drawing the structure conditions at sampling time (drawConditions.ts).
    ...(drawnConditions > 0 ? { drawnConditions, conditionRows: o.frames.map((f) => [...f.conditions!]), ...(draw ? { draw: checkDrawOptions(draw, first.conditions!.length - drawnConditions) } : {}) } : {}),
  };
}

/**
 * @internal Algorithm 1 lines 2-5 for a batch: frames of one (N, box) group, a box symmetry, `t` and
 * `eps` per frame, `x_t = wrap(x_0 + L sqrt(a_t) eps)` and the regression target. All random draws
 * come in a fixed order (frame, then per conformation: frame, symmetry, t, 3N normals), which makes
 * runs reproducible and resumable.
 */
function drawBatch(denoiser: DenoiserLike, o: ResolvedTrain, rng: Rng, buf: BatchBuffers): Batch {
  const firstFrame = o.frames[rng.integer(0, o.frames.length - 1)];
  const group = o.groups[firstFrame.group];
  const { n, lengths, periodic } = firstFrame;
  const per = n * 3;
  buf.fit(o.batchSize * per, per);
  const taus = new Float64Array(o.batchSize);
  const conds: (number[] | null)[] = [];
  for (let b = 0; b < o.batchSize; b++) {
    const f = b === 0 ? firstFrame : o.frames[group[rng.integer(0, group.length - 1)]];
    const s = f.symmetries[rng.integer(0, f.symmetries.length - 1)];
    const t = o.cdf ? drawFromCdf(o.cdf, rng.uniform()) : rng.integer(o.tMin, o.tMax); // line 3
    const x0 = buf.x0.subarray(b * per, (b + 1) * per);
    const xt = buf.xt.subarray(b * per, (b + 1) * per);
    const eps = buf.eps.subarray(b * per, (b + 1) * per);
    applySymmetry(s, f.positions, lengths, x0); // line 2 (with augmentation)
    rng.fillNormal(eps); // line 4
    o.diffusion.addNoise(x0, t, eps, lengths, xt); // line 5 (Eq. 3)
    taus[b] = encodeTime(denoiser.timeEncoding, t, o.schedule.a);
    // classifier-free guidance training: the null condition with probability conditionDropout
    const dropped = o.conditionDropout > 0 && rng.uniform() < o.conditionDropout;
    if (f.conditions) conds.push(dropped ? null : f.conditions);
    const target = buf.target.subarray(b * per, (b + 1) * per);
    if (o.target === 'eps') {
      for (let j = 0; j < per; j++) target[j] = eps[j];
    } else {
      // DiffCSP-style normalised wrapped-normal score target (unit mean square; = eps at small noise)
      wrappedScoreTarget(xt, x0, t, o.schedule, lengths, buf.score.subarray(0, per), o.lambda![t]);
      for (let j = 0; j < per; j++) target[j] = buf.score[j];
    }
  }
  const g = denoiser.globalInput(taus, o.batchSize, denoiser.conditions > 0 ? conds : undefined);
  return { xt: buf.xt, target: buf.target, g, n, lengths, periodic };
}

/**
 * @internal Learning rate of step `step`: the paper's step decay `lr * lrDecay^floor(epoch / lrDecayEvery)`,
 * or cosine from `lr` to `lrMin` over the steps or the time budget, whichever ends first.
 */
function learningRate(o: ResolvedTrain, step: number, epoch: number, elapsedMs: number): number {
  if (o.lrSchedule === 'step') return o.lr0 * Math.pow(o.lrDecay, Math.floor(epoch / o.lrDecayEvery));
  const progress = Math.min(1, Math.max(step / Math.max(1, o.steps), o.budgetMs === Infinity ? 0 : elapsedMs / o.budgetMs));
  return o.lrMin + 0.5 * (o.lr0 - o.lrMin) * (1 + Math.cos(Math.PI * progress));
}

/**
 * @internal Algorithm 1 lines 6-7: one Adam step on `mean ||eps_theta(x_t, t) - target||^2`, with the
 * global gradient norm clipped to `clipNorm` if > 0. Returns the loss before the step.
 */
async function gradientStep(denoiser: DenoiserLike, adam: Adam, batch: Batch, lr: number, clipNorm: number, batchSize: number): Promise<number> {
  const graph = denoiser.buildGraph(batch.xt, batch.periodic ? batch.lengths : null, batchSize, batch.g);
  const vars = denoiser.trainableWeights;
  const loss = tf.tidy(() => {
    const gT = tf.tensor2d(batch.g, [batchSize, denoiser.globalFeatures]);
    const yT = tf.tensor2d(batch.target, [batchSize * batch.n, 3]);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(denoiser.apply(graph, gT), yT)) as tf.Scalar, vars);
    // a variable the loss does not reach has no gradient (the idle part of a NoiseBandDenoiser): Adam leaves it alone
    let list: (tf.Tensor | null)[] = vars.map((v) => grads[v.name] ?? null);
    if (clipNorm > 0) {
      const norm = tf.sqrt(tf.addN(list.filter((x): x is tf.Tensor => x !== null).map((x) => tf.sum(tf.square(x)))));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(clipNorm), tf.add(norm, tf.scalar(1e-12))));
      list = list.map((x) => (x === null ? null : tf.mul(x, scale)));
    }
    adam.apply(list, lr);
    return value;
  });
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}
