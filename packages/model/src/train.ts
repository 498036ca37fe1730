import * as tf from '@tensorflow/tfjs-core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { WrappedDiffusion, cosineSchedule, createRng, scoreLambdaTable, wrappedScoreTarget, type NoiseSchedule, type Rng } from '@mddm/schedules';
import { waitForKernelWorker } from '@mddm/edgeconv';
import { Adam } from './adam';
import { drawFromCdf, timestepCdf, type TimestepSpacing } from './timesteps';
import { applySymmetry, boxSymmetries } from './augment';
import { applyCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { checkBox, checkPositions, encodeTime, type Denoiser } from './denoiser';
import { ModelError, checkInt, checkNumber, show } from './errors';

/** One training conformation. Frames of `@mddm/io` (`{ positions, box, info }`) fit directly. */
export interface TrainingFrame {
  /** Positions `[N, 3]` flat, LJ units (wrapped into the box if outside). */
  positions: Vec3Array;
  /** The periodic box. */
  box: BoxLike | [number, number, number];
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
  /** Total steps planned. */
  totalSteps: number;
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
  /** Augment with the symmetries of the box (48 for a cube; default true). */
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
   */
  timesteps?: TimestepSpacing;
  /**
   * Relative weight of every timestep `[T + 1]` (finite, >= 0), instead of `timesteps`: e.g. to
   * spend most draws on the noise band where the structure forms. Only `tMin..tMax` are used.
   */
  timestepWeights?: ArrayLike<number>;
  /** Seed of every random choice (frames, symmetries, t, noise). Default 0. */
  seed?: number;
  /** Read conditions from `frame.info[key]` for these keys (e.g. `['k', 'phi', 'T']`). */
  conditionKeys?: string[];
  /** Stop after this much wall time (ms), finishing the current step (a checkpoint is written if enabled). */
  timeBudgetMs?: number;
  /** Directory for checkpoints (weights, optimizer and RNG state, losses). */
  checkpointDir?: string;
  /** Write a checkpoint every this many steps (default 500) and at the end. */
  checkpointEvery?: number;
  /** Continue from the checkpoint in `checkpointDir` if there is one (same options: bit-identical). */
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

interface Prepared {
  positions: Float64Array;
  lengths: [number, number, number];
  n: number;
  conditions: number[] | undefined;
  symmetries: number[];
  group: number;
}

interface TrainState {
  step: number;
  rng: unknown;
  losses: number[];
  smooth: number;
  fingerprint: Record<string, unknown>;
}

function prepare(denoiser: Denoiser, options: TrainOptions): { frames: Prepared[]; groups: number[][] } {
  if (!Array.isArray(options.data) || options.data.length === 0) {
    throw new ModelError(`data must be a non-empty array of frames { positions, box }, got ${show(options.data)}`, 'MODEL_BAD_INPUT');
  }
  const augment = options.augment ?? true;
  const keys = new Map<string, number>();
  const groups: number[][] = [];
  const frames = options.data.map((f, i) => {
    if (!f || typeof f !== 'object') throw new ModelError(`data[${i}] must be a frame { positions, box }, got ${show(f)}`, 'MODEL_BAD_INPUT');
    const n = checkPositions(f.positions, `data[${i}].positions`);
    if (n <= denoiser.k) throw new ModelError(`data[${i}] has ${n} particles; need more than k = ${denoiser.k}`, 'MODEL_BAD_INPUT');
    const lengths = checkBox(f.box as BoxLike, `data[${i}].box`);
    const positions = new Float64Array(n * 3);
    for (let j = 0; j < n * 3; j++) {
      const L = lengths[j % 3];
      let v = f.positions[j] % L;
      if (v < 0) v += L;
      if (v >= L) v -= L;
      positions[j] = v;
    }
    let conditions: number[] | undefined;
    if (options.conditionKeys) {
      conditions = options.conditionKeys.map((k) => {
        const v = f.info?.[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(`data[${i}].info.${k} must be a finite number, got ${show(v)}`, 'MODEL_BAD_INPUT');
        return v;
      });
    } else if (f.conditions) conditions = Array.from(f.conditions);
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
    return { positions, lengths, n, conditions, symmetries: augment ? boxSymmetries(lengths) : [0], group: g };
  });
  return { frames, groups };
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
 *   `MODEL_CONFIG_MISMATCH` when resuming from a checkpoint of another architecture
 */
export async function train(denoiser: Denoiser, options: TrainOptions): Promise<TrainResult> {
  const { frames, groups } = prepare(denoiser, options);
  const schedule = options.schedule ?? cosineSchedule(500);
  const diffusion = new WrappedDiffusion(schedule);
  const T = schedule.T;
  const batchSize = checkInt(options.batchSize ?? 4, 'batchSize', 1, 4096);
  const symCount = frames.reduce((s, f) => s + f.symmetries.length, 0);
  const stepsPerEpoch = checkInt(options.stepsPerEpoch ?? Math.max(1, Math.ceil(symCount / batchSize)), 'stepsPerEpoch', 1);
  const epochs = checkInt(options.epochs ?? 800, 'epochs', 1);
  const totalSteps = checkInt(options.steps ?? epochs * stepsPerEpoch, 'steps', 0);
  const lr0 = checkNumber(options.learningRate ?? 0.005, 'learningRate', 0);
  const lrDecay = checkNumber(options.lrDecay ?? 0.95, 'lrDecay', 0, 1);
  const lrDecayEvery = checkNumber(options.lrDecayEvery ?? 100, 'lrDecayEvery', 1e-9);
  const lrSchedule = options.lrSchedule ?? 'step';
  if (lrSchedule !== 'step' && lrSchedule !== 'cosine') throw new ModelError(`lrSchedule must be 'step' | 'cosine', got ${show(lrSchedule)}`, 'MODEL_BAD_CONFIG');
  const lrMin = checkNumber(options.lrMin ?? lr0 / 100, 'lrMin', 0);
  const clipNorm = options.clipNorm === undefined ? 0 : checkNumber(options.clipNorm, 'clipNorm', 1e-12);
  const target = options.target ?? 'eps';
  if (target !== 'eps' && target !== 'score') throw new ModelError(`target must be 'eps' | 'score', got ${show(target)}`, 'MODEL_BAD_CONFIG');
  const tMin = checkInt(options.tMin ?? 1, 'tMin', 1, T);
  const tMax = checkInt(options.tMax ?? T, 'tMax', tMin, T);
  const spacing = options.timesteps ?? 'uniform';
  const weights = options.timestepWeights === undefined ? undefined : Array.from(options.timestepWeights);
  const cdf = weights ? timestepCdf(schedule, weights, tMin, tMax) : spacing === 'uniform' ? null : timestepCdf(schedule, spacing, tMin, tMax);
  const seed = checkInt(options.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const checkpointEvery = checkInt(options.checkpointEvery ?? 500, 'checkpointEvery', 1);
  const budget = options.timeBudgetMs === undefined ? Infinity : checkNumber(options.timeBudgetMs, 'timeBudgetMs', 0);
  const fingerprint = { seed, spacing, weights, lrSchedule, lrMin, batchSize, stepsPerEpoch, lr0, lrDecay, lrDecayEvery, clipNorm, target, tMin, tMax, T, frames: frames.length, augment: options.augment ?? true };

  // The fused edgeconv kernel splits work over a worker thread once it is up; before that it runs on
  // one thread, and the two differ in float rounding. Wait for it so every step runs the same way.
  await waitForKernelWorker();
  const rng: Rng = createRng(seed);
  const vars = denoiser.trainableWeights;
  const adam = new Adam(vars);
  let step = 0;
  let losses: number[] = [];
  let smooth = NaN;

  if (options.resume && options.checkpointDir) {
    let data;
    try {
      data = await readCheckpoint(options.checkpointDir);
    } catch (e) {
      if (!(e instanceof ModelError && e.code === 'MODEL_CHECKPOINT_MISSING')) throw e;
    }
    if (data) {
      applyCheckpoint(denoiser, data);
      const st = data.manifest.state as TrainState | undefined;
      if (!st || typeof st.step !== 'number' || !data.optimizer) {
        throw new ModelError(`checkpoint ${options.checkpointDir} has no training state to resume from`, 'MODEL_CHECKPOINT_CORRUPT');
      }
      adam.setState(data.optimizer);
      rng.setState(st.rng);
      step = st.step;
      losses = st.losses.slice();
      smooth = st.smooth;
    }
  }

  const first = frames[0];
  denoiser.training = {
    n: first.n,
    box: [...first.lengths],
    density: first.n / (first.lengths[0] * first.lengths[1] * first.lengths[2]),
    schedule: { name: schedule.name, T, a: Array.from(schedule.a) },
    target,
    tMax,
  };

  const save = async (): Promise<void> => {
    if (!options.checkpointDir) return;
    const state: TrainState = { step, rng: rng.state(), losses, smooth, fingerprint };
    await writeCheckpoint(options.checkpointDir, denoiser, { optimizer: adam.getState(), state });
  };

  const start = performance.now();
  const startStep = step;
  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  let x0 = new Float64Array(0);
  let xt = new Float64Array(0);
  let eps = new Float64Array(0);
  let tgt = new Float32Array(0);
  let scoreBuf = new Float64Array(0);
  const lambda = target === 'score' ? scoreLambdaTable(schedule) : null;
  let lastSaved = step;
  try {
    while (step < totalSteps) {
      if (options.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (performance.now() - start >= budget) {
        stoppedBy = 'time';
        break;
      }
      // ---- batch (all random draws in a fixed order: reproducible and resumable) ----
      const firstFrame = frames[rng.integer(0, frames.length - 1)];
      const group = groups[firstFrame.group];
      const n = firstFrame.n;
      const lengths = firstFrame.lengths;
      const len = batchSize * n * 3;
      if (x0.length !== len) {
        x0 = new Float64Array(len);
        xt = new Float64Array(len);
        eps = new Float64Array(len);
        tgt = new Float32Array(len);
        scoreBuf = new Float64Array(n * 3);
      }
      const taus = new Float64Array(batchSize);
      const conds: number[][] = [];
      for (let b = 0; b < batchSize; b++) {
        const f = b === 0 ? firstFrame : frames[group[rng.integer(0, group.length - 1)]];
        const s = f.symmetries[rng.integer(0, f.symmetries.length - 1)];
        const t = cdf ? drawFromCdf(cdf, rng.uniform()) : rng.integer(tMin, tMax);
        const sl = x0.subarray(b * n * 3, (b + 1) * n * 3);
        const xs = xt.subarray(b * n * 3, (b + 1) * n * 3);
        const es = eps.subarray(b * n * 3, (b + 1) * n * 3);
        applySymmetry(s, f.positions, lengths, sl);
        rng.fillNormal(es);
        diffusion.addNoise(sl, t, es, lengths, xs);
        taus[b] = encodeTime(denoiser.timeEncoding, t, schedule.a);
        if (f.conditions) conds.push(f.conditions);
        const ts = tgt.subarray(b * n * 3, (b + 1) * n * 3);
        if (target === 'eps') {
          for (let j = 0; j < es.length; j++) ts[j] = es[j];
        } else {
          // DiffCSP-style normalised wrapped-normal score target (unit mean square; = eps at small noise)
          wrappedScoreTarget(xs, sl, t, schedule, lengths, scoreBuf.subarray(0, es.length), lambda![t]);
          for (let j = 0; j < es.length; j++) ts[j] = scoreBuf[j];
        }
      }
      const graph = denoiser.buildGraph(xt, lengths, batchSize);
      const g = denoiser.globalInput(taus, batchSize, denoiser.conditions > 0 ? conds : undefined);
      const epoch = Math.floor(step / stepsPerEpoch);
      const lr =
        lrSchedule === 'cosine'
          ? lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos(Math.PI * Math.min(1, Math.max(step / Math.max(1, totalSteps), budget === Infinity ? 0 : (performance.now() - start) / budget))))
          : lr0 * Math.pow(lrDecay, Math.floor(epoch / lrDecayEvery));
      // ---- gradient step ----
      const loss = tf.tidy(() => {
        const gT = tf.tensor2d(g, [batchSize, denoiser.globalFeatures]);
        const yT = tf.tensor2d(tgt, [batchSize * n, 3]);
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(denoiser.apply(graph, gT), yT)) as tf.Scalar, vars);
        let list = vars.map((v) => grads[v.name]);
        if (clipNorm > 0) {
          const norm = tf.sqrt(tf.addN(list.map((x) => tf.sum(tf.square(x)))));
          const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(clipNorm), tf.add(norm, tf.scalar(1e-12))));
          list = list.map((x) => tf.mul(x, scale));
        }
        adam.apply(list, lr);
        return value;
      });
      const lossValue = (await loss.data())[0];
      loss.dispose();
      if (!Number.isFinite(lossValue)) {
        throw new ModelError(`training diverged: loss is ${lossValue} at step ${step + 1} (lower learningRate or set clipNorm)`, 'MODEL_BAD_CONFIG');
      }
      step++;
      losses.push(lossValue);
      smooth = Number.isNaN(smooth) ? lossValue : smooth + (lossValue - smooth) / 50;
      if (options.checkpointDir && step % checkpointEvery === 0) {
        await save();
        lastSaved = step;
      }
      if (options.onProgress) {
        const elapsedMs = performance.now() - start;
        const r = options.onProgress({
          step,
          totalSteps,
          epoch,
          loss: lossValue,
          smoothLoss: smooth,
          learningRate: lr,
          elapsedMs,
          stepsPerSecond: ((step - startStep) * 1000) / Math.max(1e-9, elapsedMs),
        });
        if (r === false) {
          stoppedBy = 'callback';
          break;
        }
      }
    }
    if (options.checkpointDir && lastSaved !== step) await save();
  } finally {
    adam.dispose();
  }
  return { steps: step, losses: Float64Array.from(losses), elapsedMs: performance.now() - start, stoppedBy };
}
