import type * as tf from '@tensorflow/tfjs-core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import type { TimeEncoding } from '@mddm/schedules';
import type { ConditionEncoder } from './conditions';
import type { TrainingInfo } from './denoiser';

/**
 * What every serialised denoiser spec shares (what checkpoints store under `spec`). A spec is plain
 * JSON; {@link denoiserFromSpec} rebuilds the denoiser from it through the registry of
 * `kind`s ({@link registerDenoiserKind}).
 */
export interface DenoiserSpecBase {
  /** Format tag, always `'mddm-denoiser'`. */
  format: 'mddm-denoiser';
  /** Format version (1). */
  version: 1;
  /** Architecture name in the spec registry (absent: `'mddm'`, the specs written before the registry). */
  kind?: string;
  /** Training facts, once trained. */
  training?: TrainingInfo;
}

/** Options of {@link DenoiserLike.predict}. */
export interface PredictOptions {
  /** Number of stacked frames in `positions` (default 1). */
  frames?: number;
  /** Raw conditions: one row for all frames or one per frame; `null` is the null condition. */
  conditions?: ArrayLike<number> | (ArrayLike<number> | null)[] | null;
}

/**
 * The contract between a noise-prediction network and the rest of `@mddm/model`: `train`, `sample`,
 * checkpoints (`saveDenoiser`, `loadDenoiser`, `writeCheckpoint`) and the `mddm` CLI use nothing
 * else. The MDDM {@link Denoiser} and the {@link Transolver} baseline implement it; so can your own
 * network (see `docs/custom-denoiser.md`).
 *
 * A forward pass is two calls: `buildGraph(positions, box, frames)` prepares the per-step input of
 * the network from raw positions (for MDDM the kNN graph; for Transolver normalised coordinates),
 * and `apply(input, global)` maps it with the global input rows (time, conditions) to the predicted
 * noise. `apply` must be differentiable with respect to `trainableWeights` and must not leak
 * tensors (it is called inside `tf.tidy` / `tf.variableGrads`).
 *
 * Units: positions in the length units of the data (LJ units for MD; the shape data are in units of
 * the shape's radius). `box` is the periodic box, or `null` for a non-periodic point cloud. The
 * output is the noise `eps` of the forward process `x_t = x_0 + L sqrt(a_t) eps` (wrapped into the
 * box when periodic; `L` is the box length, 1 without a box): dimensionless, ~N(0, 1).
 *
 * @typeParam Input - what `buildGraph` returns and `apply` consumes (opaque to the caller)
 */
export interface DenoiserLike<Input = unknown> {
  /** Architecture name, the key of its spec in the registry (`'mddm'`, `'transolver'`, yours). */
  readonly kind: string;
  /** Smallest number of particles per frame the network accepts (MDDM: k + 1). */
  readonly minParticles: number;
  /**
   * True if the prediction does not change when all positions are shifted by the same vector
   * (MDDM: only relative vectors enter). `sample` re-centres non-periodic samples after every step
   * for such models (the centroid is invisible to them, so it would drift; SPEC §6).
   */
  readonly translationInvariant: boolean;
  /** Number of raw conditions after the time input (0: unconditional). */
  readonly conditions: number;
  /** Encoder of every condition (linear ranges, logs, periodic...), as `globalInput` applies them. */
  readonly conditionEncoders: ConditionEncoder[];
  /** Whether a null condition is reserved (classifier-free guidance). */
  readonly nullCondition: boolean;
  /** Width G of the rows of {@link DenoiserLike.globalInput}. */
  readonly globalFeatures: number;
  /** How the timestep enters (`'t/T'` or `'log-sigma'`, `encodeTime` of `@mddm/schedules`). */
  readonly timeEncoding: TimeEncoding;
  /** Training facts: set by `train`, stored in checkpoints, read by `sample`. */
  training: TrainingInfo | undefined;
  /** All trainable variables, in a fixed order (`getWeights` / `setWeights` use the same). */
  readonly trainableWeights: tf.Variable[];
  /**
   * Prepares the network input of a batch of frames (called once per training or denoising step).
   * @param positions - `[frames * N, 3]` flat; inside the box when periodic
   * @param box - the common periodic box, or `null` for non-periodic point clouds
   * @param frames - number of stacked frames (default 1)
   * @param global - this pass's rows of {@link DenoiserLike.globalInput} (`[frames, globalFeatures]`),
   *   for architectures whose input depends on the conditions (MDDM's `potentialInput`); callers
   *   that have them pass them, others may ignore them
   */
  buildGraph(positions: Vec3Array, box: BoxLike | null, frames?: number, global?: Float32Array): Input;
  /**
   * Global input rows `[time, encoded conditions..., (condition flag)]`.
   * @param tau - encoded time per frame (`encodeTime(timeEncoding, t, a)`) or one value for all
   * @param frames - number of frames
   * @param conditions - raw conditions (see {@link PredictOptions.conditions})
   * @returns Float32Array `[frames, globalFeatures]`
   */
  globalInput(tau: number | ArrayLike<number>, frames: number, conditions?: PredictOptions['conditions']): Float32Array;
  /**
   * Differentiable forward pass.
   * @param input - from {@link DenoiserLike.buildGraph}
   * @param global - `[frames, globalFeatures]`
   * @returns predicted noise `[frames * N, 3]`
   */
  apply(input: Input, global: tf.Tensor2D): tf.Tensor2D;
  /**
   * Predicts the noise of raw positions (no gradient).
   * @returns Float32Array `[frames * N, 3]`
   */
  predict(positions: Vec3Array, box: BoxLike | null, tau: number | ArrayLike<number>, options?: PredictOptions): Float32Array;
  /** @returns the number of trainable scalars */
  countParams(): number;
  /** @returns copies of all weights in `trainableWeights` order (the caller disposes them) */
  getWeights(): tf.Tensor[];
  /** Overwrites all weights (order of `getWeights`); throws `MODEL_CONFIG_MISMATCH` on a count or shape mismatch. */
  setWeights(weights: tf.Tensor[]): void;
  /** @returns the JSON spec that {@link denoiserFromSpec} rebuilds this architecture from (with `kind`) */
  toSpec(): DenoiserSpecBase;
  /** Frees all variables. */
  dispose(): void;
}
