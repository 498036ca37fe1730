import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@mddm/core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import type { ConditionEncoder } from './conditions';
import type { TrainingInfo } from './denoiser';
import type { DenoiserLike, DenoiserSpecBase, PredictOptions } from './denoiserLike';
import { ModelError } from './errors';
import { globalInputRows } from './globalInput';
import { timeInputAtSigma, trainedNoiseRange } from './noiseLevel';

/** Options of {@link createNoiseBandDenoiser}. */
export interface NoiseBandConfig {
  /** The model used outside the band; its training record (schedule, box, sampling range) is the pair's. */
  base: DenoiserLike;
  /** The model used inside the band: same global input (time encoding, schedule, conditions) as `base`. */
  expert: DenoiserLike;
  /** Lower edge of the expert's band, noise std in LJ units (inside `base`'s trained range). */
  sigmaMinLj: number;
  /** Upper edge of the expert's band, noise std in LJ units (> `sigmaMinLj`, inside `base`'s trained range). */
  sigmaMaxLj: number;
}

/** The checkpoint spec of a {@link NoiseBandDenoiser}: both specs and the band. */
export interface NoiseBandSpec extends DenoiserSpecBase {
  kind: 'noise-band';
  sigmaMinLj: number;
  sigmaMaxLj: number;
  base: DenoiserSpecBase;
  expert: DenoiserSpecBase;
}

/** @internal What `buildGraph` prepares: the input of each model the batch needs (absent: not needed). */
export interface NoiseBandInput {
  base?: unknown;
  expert?: unknown;
}

/**
 * Two denoisers split by noise level (expert denoisers, Balaji et al. 2022, "eDiff-I"): `expert`
 * predicts the noise wherever the noise std is in `[sigmaMinLj, sigmaMaxLj]` (LJ units), `base`
 * everywhere else,
 *
 *   eps(x, t) = expert(x, t)  if sigmaMinLj <= L sqrt(a_t) <= sigmaMaxLj,  else  base(x, t).
 *
 * Why: one network of a given size spreads its capacity over every level it is trained on; an expert
 * trained only on the levels that decide the structure can be larger, or trained longer, there, and
 * the pair samples, trains, saves and loads like one model (`kind: 'noise-band'`, weights: base's, then
 * expert's). The band is decided per frame from the time input (`tau`, the first global feature),
 * which both models must read the same way: the constructor checks that they map the band's edges to
 * the same `tau`. A batch whose frames fall on both sides runs both models and keeps each frame's own.
 */
export class NoiseBandDenoiser implements DenoiserLike<NoiseBandInput> {
  readonly kind = 'noise-band';
  readonly base: DenoiserLike;
  readonly expert: DenoiserLike;
  readonly sigmaMinLj: number;
  readonly sigmaMaxLj: number;
  /** Time inputs of the band's edges (`timeInputAtSigma` of `base`). */
  private readonly tauBand: readonly [number, number];

  /** Use {@link createNoiseBandDenoiser} (validates). */
  constructor(config: NoiseBandConfig) {
    this.base = config.base;
    this.expert = config.expert;
    this.sigmaMinLj = config.sigmaMinLj;
    this.sigmaMaxLj = config.sigmaMaxLj;
    this.tauBand = [timeInputAtSigma(this.base, this.sigmaMinLj), timeInputAtSigma(this.base, this.sigmaMaxLj)];
  }

  get minParticles(): number { return Math.max(this.base.minParticles, this.expert.minParticles); }
  get translationInvariant(): boolean { return this.base.translationInvariant && this.expert.translationInvariant; }
  get conditions(): number { return this.base.conditions; }
  get conditionEncoders(): ConditionEncoder[] { return this.base.conditionEncoders; }
  get nullCondition(): boolean { return this.base.nullCondition; }
  get globalFeatures(): number { return this.base.globalFeatures; }
  get timeEncoding(): DenoiserLike['timeEncoding'] { return this.base.timeEncoding; }
  /** The base model's training record (the expert keeps its own in its spec). */
  get training(): TrainingInfo | undefined { return this.base.training; }
  set training(info: TrainingInfo | undefined) { this.base.training = info; }
  get trainableWeights(): tf.Variable[] { return [...this.base.trainableWeights, ...this.expert.trainableWeights]; }

  /** @returns whether the expert handles a frame with time input `tau` */
  inBand(tau: number): boolean {
    return tau >= this.tauBand[0] && tau <= this.tauBand[1];
  }

  /**
   * Prepares the input of the model(s) the batch needs, decided from `global`'s time column; without
   * `global`, both (then `apply` decides).
   */
  buildGraph(positions: Vec3Array, box: BoxLike | null, frames = 1, global?: Float32Array): NoiseBandInput {
    const { expert, base } = global ? this.split(global, frames) : { expert: true, base: true };
    return {
      ...(base ? { base: this.base.buildGraph(positions, box, frames, global) } : {}),
      ...(expert ? { expert: this.expert.buildGraph(positions, box, frames, global) } : {}),
    };
  }

  globalInput(tau: number | ArrayLike<number>, frames: number, conditions?: PredictOptions['conditions']): Float32Array {
    return globalInputRows(this, tau, frames, conditions);
  }

  apply(input: NoiseBandInput, global: tf.Tensor2D): tf.Tensor2D {
    // buildGraph chose from the same rows: one part built means every frame is that part's
    if (input.base === undefined) return this.expert.apply(input.expert, global);
    if (input.expert === undefined) return this.base.apply(input.base, global);
    const frames = global.shape[0];
    const G = global.shape[1];
    const rows = global.dataSync(); // both built (mixed batch, or no rows given): route each frame by its time
    const inBand = Array.from({ length: frames }, (_, f) => this.inBand(rows[f * G]));
    if (inBand.every(Boolean)) return this.expert.apply(input.expert, global);
    if (!inBand.some(Boolean)) return this.base.apply(input.base, global);
    return tf.tidy(() => {
      const e = this.expert.apply(input.expert, global);
      const b = this.base.apply(input.base, global);
      const n = e.shape[0] / frames;
      const mask = tf.tensor2d(inBand.flatMap((m) => new Array<number>(n).fill(m ? 1 : 0)), [frames * n, 1], 'bool');
      return tf.where(tf.broadcastTo(mask, e.shape), e, b) as tf.Tensor2D;
    });
  }

  predict(positions: Vec3Array, box: BoxLike | null, tau: number | ArrayLike<number>, options: PredictOptions = {}): Float32Array {
    const frames = options.frames ?? 1;
    const g = this.globalInput(tau, frames, options.conditions);
    const input = this.buildGraph(positions, box, frames, g);
    const out = tf.tidy(() => this.apply(input, tf.tensor2d(g, [frames, this.globalFeatures])));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  countParams(): number { return this.base.countParams() + this.expert.countParams(); }
  getWeights(): tf.Tensor[] { return [...this.base.getWeights(), ...this.expert.getWeights()]; }

  /** Overwrites all weights (base's, then expert's, the order of {@link NoiseBandDenoiser.getWeights}). */
  setWeights(weights: tf.Tensor[]): void {
    const nb = this.base.trainableWeights.length;
    const ne = this.expert.trainableWeights.length;
    if (!Array.isArray(weights) || weights.length !== nb + ne) {
      throw new ModelError(`noise-band: expected ${nb + ne} weight tensors (${nb} base + ${ne} expert), got ${Array.isArray(weights) ? weights.length : describeValue(weights)}`, 'MODEL_CONFIG_MISMATCH');
    }
    this.base.setWeights(weights.slice(0, nb));
    this.expert.setWeights(weights.slice(nb));
  }

  toSpec(): NoiseBandSpec {
    return {
      format: 'mddm-denoiser', version: 1, kind: 'noise-band', sigmaMinLj: this.sigmaMinLj, sigmaMaxLj: this.sigmaMaxLj,
      base: this.base.toSpec(), expert: this.expert.toSpec(),
      ...(this.training ? { training: JSON.parse(JSON.stringify(this.training)) as TrainingInfo } : {}),
    };
  }

  dispose(): void {
    this.base.dispose();
    this.expert.dispose();
  }

  /** Which models the frames of `global` need. */
  private split(global: Float32Array, frames: number): { base: boolean; expert: boolean } {
    const G = this.globalFeatures;
    let expert = false, base = false;
    for (let f = 0; f < frames; f++) {
      if (this.inBand(global[f * G])) expert = true;
      else base = true;
    }
    return { base, expert };
  }
}

/**
 * A {@link NoiseBandDenoiser}: `expert` inside `[sigmaMinLj, sigmaMaxLj]` (LJ units), `base` elsewhere.
 * The pair takes ownership of both (its `dispose` frees them).
 *
 * @throws ModelError `MODEL_BAD_CONFIG` if a model is missing or untrained, the band is not
 *   `0 < sigmaMinLj < sigmaMaxLj` inside `base`'s trained range, or the two models differ in their
 *   global input (conditions, time encoding, or the time input at the band's edges)
 */
export function createNoiseBandDenoiser(config: NoiseBandConfig): NoiseBandDenoiser {
  if (!config || typeof config !== 'object') throw new ModelError(`noise-band: config must be { base, expert, sigmaMinLj, sigmaMaxLj }, got ${describeValue(config)}`, 'MODEL_BAD_CONFIG');
  const { base, expert, sigmaMinLj, sigmaMaxLj } = config;
  for (const [name, d] of [['base', base], ['expert', expert]] as const) {
    if (!d || typeof d !== 'object' || typeof d.apply !== 'function') throw new ModelError(`noise-band: ${name} must be a denoiser, got ${describeValue(d)}`, 'MODEL_BAD_CONFIG');
    if (!d.training) throw new ModelError(`noise-band: the ${name} model has no training record (its noise levels are unknown); train it or load a trained checkpoint`, 'MODEL_BAD_CONFIG');
  }
  if (base === expert) throw new ModelError('noise-band: base and expert must be two different models', 'MODEL_BAD_CONFIG');
  const range = trainedNoiseRange(base);
  const ok = (s: unknown) => typeof s === 'number' && Number.isFinite(s) && s >= range.sigmaMinLj * (1 - 1e-9) && s <= range.sigmaMaxLj * (1 + 1e-9);
  if (!ok(sigmaMinLj) || !ok(sigmaMaxLj) || !(sigmaMinLj < sigmaMaxLj)) {
    throw new ModelError(`noise-band: the band must be sigmaMinLj < sigmaMaxLj inside the base model's trained range [${range.sigmaMinLj.toPrecision(4)}, ${range.sigmaMaxLj.toPrecision(4)}] LJ, got [${describeValue(sigmaMinLj)}, ${describeValue(sigmaMaxLj)}]`, 'MODEL_BAD_CONFIG');
  }
  const same = (k: 'conditions' | 'globalFeatures' | 'nullCondition' | 'timeEncoding') => {
    if (base[k] !== expert[k]) throw new ModelError(`noise-band: base and expert differ in ${k} (${describeValue(base[k])} vs ${describeValue(expert[k])}); they must read the same global input`, 'MODEL_BAD_CONFIG');
  };
  same('conditions'); same('globalFeatures'); same('nullCondition'); same('timeEncoding');
  if (JSON.stringify(base.conditionEncoders) !== JSON.stringify(expert.conditionEncoders)) throw new ModelError('noise-band: base and expert encode their conditions differently', 'MODEL_BAD_CONFIG');
  for (const s of [sigmaMinLj, sigmaMaxLj]) {
    let te: number;
    try {
      te = timeInputAtSigma(expert, s);
    } catch (e) {
      throw new ModelError(`noise-band: the expert was not trained at ${s} LJ: ${(e as Error).message}`, 'MODEL_BAD_CONFIG', { cause: e });
    }
    const tb = timeInputAtSigma(base, s);
    if (Math.abs(te - tb) > 1e-6 * Math.max(1, Math.abs(tb))) {
      throw new ModelError(`noise-band: at ${s} LJ the expert's time input is ${te}, the base's ${tb}: they must share the schedule and time encoding (train the expert on the base's schedule)`, 'MODEL_BAD_CONFIG');
    }
  }
  return new NoiseBandDenoiser(config);
}

/**
 * Rebuilds a {@link NoiseBandDenoiser} from its spec (fresh weights), each part through `build`
 * (`denoiserFromSpec`: the parts may be of any registered kind).
 * @throws ModelError `MODEL_BAD_CONFIG` for a malformed spec, plus {@link createNoiseBandDenoiser}'s errors
 */
export function noiseBandDenoiserFromSpec(spec: NoiseBandSpec, build: (spec: DenoiserSpecBase) => DenoiserLike): NoiseBandDenoiser {
  if (!spec.base || typeof spec.base !== 'object' || !spec.expert || typeof spec.expert !== 'object') {
    throw new ModelError(`noise-band spec needs base and expert specs, got ${describeValue(spec)}`, 'MODEL_BAD_CONFIG');
  }
  const base = build(spec.base);
  let expert: DenoiserLike | undefined;
  try {
    expert = build(spec.expert);
    // the pair's record is the base's (what `training` reads and writes)
    if (spec.training) base.training = JSON.parse(JSON.stringify(spec.training)) as TrainingInfo;
    return createNoiseBandDenoiser({ base, expert, sigmaMinLj: spec.sigmaMinLj, sigmaMaxLj: spec.sigmaMaxLj });
  } catch (e) {
    base.dispose();
    expert?.dispose();
    throw e;
  }
}
