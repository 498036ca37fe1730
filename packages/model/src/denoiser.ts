import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { KnnWorkspace, toBox, validatePositions, wrap, type BoxLike, type Vec3Array } from '@mddm/pbc';
import { encodeTime, recenter, type TimeEncoding } from '@mddm/schedules';
import { AGGREGATIONS, buildGraph, pbcEdgeConv, type Aggregation, type EdgeGraph, type PbcEdgeConv, type PbcEdgeConvConfig } from '@mddm/edgeconv';
import { ModelError, checkInt } from './errors';
import { MlpHead, mlpHead, type Activation, type MlpHeadConfig } from './head';
import { requireBackend } from './backend';
import { globalInputRows } from './globalInput';
import { checkEncoders, decodeConditionsInto, encodedWidth, type ConditionEncoder } from './conditions';
import { POTENTIAL_INPUT_FEATURES, checkPotentialInput, potentialFeaturesInto, type PotentialInput, type ResolvedPotentialInput } from './potentialInput';
import type { DenoiserLike, DenoiserSpecBase } from './denoiserLike';

/** How the per-layer node features reach the output head. */
export type Readout = 'concat' | 'last';

/**
 * How the conditions reach the network:
 * - `'concat'` (the paper, Sec. 4.2): the encoded conditions are appended to the global input `g`,
 *   which enters the first linear map of every PBC-Conv layer and the output head (an additive bias);
 * - `'film'` (FiLM / adaLN-zero style): `g = [time]` only; an embedding MLP of `[time, encoded
 *   conditions]` gives every layer a scale and shift of its output features,
 *   `f_l <- f_l * (1 + gamma_l) + beta_l`. The embedding's last layer starts at zero, so training
 *   starts from the unconditional network and the conditions act multiplicatively on every layer.
 */
export type Conditioning = 'concat' | 'film';

/**
 * Configuration of {@link createDenoiser}. Every field is optional; the defaults are the paper's
 * network (Sec. 4.2): 8 PBC-Conv layers of 32 features, periodic kNN with k = 32, an MLP with two
 * hidden layers of 32 inside each layer, max aggregation, DGCNN-style concatenation of all layer
 * outputs and `g`, and an output MLP with two hidden layers of 128.
 */
export interface DenoiserConfig {
  /** Neighbours per particle in the periodic kNN graph (default 32). */
  k?: number;
  /** Number of PBC-Conv layers (default 8). */
  layers?: number;
  /** Output features of every PBC-Conv layer (default 32). */
  width?: number;
  /** Hidden widths of the MLP `h` inside each PBC-Conv layer (default `[32, 32]`). */
  hidden?: number[];
  /** Hidden widths of the output MLP (default `[128, 128]`). */
  headHidden?: number[];
  /** Activation of every MLP (default `'relu'`). */
  activation?: Activation;
  /** Aggregation over the k neighbours (default `'max'`, Eq. 1). */
  aggregation?: Aggregation;
  /** `'concat'` (default): head sees all layer outputs + g; `'last'`: only the last layer + g. */
  readout?: Readout;
  /** Number of conditioning inputs appended to `g = [t/T, ...]` (default 0: unconditional). */
  conditions?: number;
  /**
   * Range `[lo, hi]` of every condition over the data set; conditions are fed as `(c - lo)/(hi - lo)`
   * (SPEC §2). Default `[0, 1]` for each (fed raw).
   */
  conditionRanges?: [number, number][];
  /**
   * Encoding of every condition (see {@link ConditionEncoder}; e.g. `OPP_CONDITION_ENCODERS`).
   * Overrides `conditionRanges`; its length sets `conditions`.
   */
  conditionEncoders?: ConditionEncoder[];
  /** How the conditions reach the network (default `'concat'`, the paper's). */
  conditioning?: Conditioning;
  /**
   * Reserve a "no condition" input for classifier-free guidance (default false): one more global
   * feature, 1 when conditions are given and 0 (with the encoded conditions zeroed) for the null
   * condition (a `null` row in {@link Denoiser.globalInput}).
   */
  nullCondition?: boolean;
  /** Hidden widths of the FiLM embedding MLP (default `[64, 64]`; only with `conditioning: 'film'`). */
  filmHidden?: number[];
  /** Edge-convolution kernel of `@mddm/edgeconv` (default `'auto'`). */
  kernel?: 'auto' | 'fused' | 'composed';
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Time input encoding (default `'t/T'`, the paper's). */
  timeEncoding?: TimeEncoding;
  /** Point clouds only: each particle also sees its position relative to its frame's centroid (see {@link DenoiserParts.centroidInput}; default false). */
  centroidInput?: boolean;
  /** The pair potential of the conditions as first-layer node features (see {@link DenoiserParts.potentialInput}; default none). */
  potentialInput?: PotentialInput;
  /**
   * A global context path after every PBC-Conv layer (see {@link DenoiserParts.context}; default
   * false): each layer's features are pooled over the frame and fed back to every particle, so the
   * network sees the whole box instead of ~3 LJ around each particle.
   */
  globalContext?: boolean;
}

/**
 * The input of one forward pass of a {@link Denoiser}: the kNN graph, plus the first layer's node
 * features: with `centroidInput` every node's position relative to its frame's centroid (`[n, 3]`),
 * with `potentialInput` its potential features (`[n, 4]`), float32.
 */
export interface DenoiserGraph extends EdgeGraph {
  /** First-layer node features `[n, F]` flat (only with `centroidInput` or `potentialInput`). */
  readonly nodeInput?: Float32Array;
}

/** Facts about the training data, recorded by `train` and used to warn at sampling time. */
export interface TrainingInfo {
  /** Particles per training conformation. */
  n: number;
  /** Box lengths of the training conformations `[Lx, Ly, Lz]`. */
  box: [number, number, number];
  /** Number density `n / volume` of the training data. */
  density: number;
  /** Noise schedule the model was trained with. */
  schedule: { name: string; T: number; a: number[] };
  /** Training target: `'eps'` or `'score'`. */
  target: 'eps' | 'score';
  /** Largest timestep drawn in training (`sample` starts there by default). */
  tMax?: number;
  /** Names of the conditions, in order, when they were read from frame metadata (e.g. `['k', 'phi', 'T']`). */
  conditionKeys?: string[];
  /**
   * `false` when trained on non-periodic point clouds (frames with `box: null`; then `box` holds the
   * noise length scale `[1, 1, 1]` and `density` is 0). Absent: periodic.
   */
  periodic?: boolean;
  /**
   * Smallest noise std (LJ units) that `sample` descends to by default (`SolverOptions.sigmaMinLj`),
   * when the model was trained below the levels sampling needs: a force extension trains down to
   * ~0.001 LJ, where nothing forms, and its default grid would spend levels there. Absent: the
   * smallest trained level.
   */
  sampleSigmaMinLj?: number;
  /**
   * The last `drawnConditions` conditions describe the structure of a frame, not parameters a user gives
   * (`TrainOptions.drawnConditions`); `drawConditions` fills them in from {@link TrainingInfo.conditionRows}.
   */
  drawnConditions?: number;
  /** Raw condition rows of every training frame `[frames][conditions]`, recorded with `drawnConditions`. */
  conditionRows?: number[][];
  /** Defaults of `drawConditions` for this model (`TrainOptions.draw`): neighbours and distance scale. */
  draw?: { neighbours?: number; scale?: number[] };
}

/**
 * Complete, JSON-serialisable description of a denoiser (what checkpoints store). Rebuild one with
 * {@link denoiserFromSpec}.
 */
export interface DenoiserSpec extends DenoiserSpecBase {
  /** Format tag, always `'mddm-denoiser'`. */
  format: 'mddm-denoiser';
  /** Format version (1). */
  version: 1;
  /**
   * Architecture in the spec registry: `'mddm'` (absent in specs written before the registry) or
   * `'energy'` (an `EnergyDenoiser`: the same layers, `eps_hat = sigma grad_x E`).
   */
  kind?: 'mddm' | 'energy';
  /** Energy denoisers only: noise std (LJ units) at `tau = 0` and `tau = 1` of the `'log-sigma'` time input. */
  sigmaRangeLj?: [number, number];
  /** Energy denoisers only: what the network outputs (absent = `'energy'`); see `EnergyOutput`. */
  energyOutput?: 'energy' | 'sigma-energy';
  /** Neighbours per particle. */
  k: number;
  /** Readout of the layer features. */
  readout: Readout;
  /** Number of conditions. */
  conditions: number;
  /** Normalisation range of every condition. */
  conditionRanges: [number, number][];
  /** Configuration of every PBC-Conv layer, in order. */
  layers: PbcEdgeConvConfig[];
  /** Configuration of the output head. */
  head: Required<MlpHeadConfig>;
  /** Time input encoding (absent in older specs: `'t/T'`). */
  timeEncoding?: TimeEncoding;
  /** Condition encoders (absent: linear over `conditionRanges`). */
  conditionEncoders?: ConditionEncoder[];
  /** How conditions enter (absent: `'concat'`). */
  conditioning?: Conditioning;
  /** Whether a null condition is reserved (absent: false). */
  nullCondition?: boolean;
  /** FiLM embedding MLP (only with `conditioning: 'film'`). */
  film?: Required<MlpHeadConfig>;
  /** Whether the first layer sees centroid-relative positions (absent: false). */
  centroidInput?: boolean;
  /** The potential features of the first layer (absent: none). */
  potentialInput?: PotentialInput;
  /** The global context MLPs, one per layer (absent: none). */
  context?: Required<MlpHeadConfig>[];
  /** Training facts, once trained. */
  training?: TrainingInfo;
}

/** Parts assembled by {@link composeDenoiser}. */
export interface DenoiserParts {
  /** Neighbours per particle of the graph built for every forward pass. */
  k: number;
  /** PBC-Conv layers: the first has `inFeatures` 0, each next one the previous `outFeatures`; all `globalFeatures = 1 + conditions`. */
  layers: PbcEdgeConv[];
  /** Output head: `inFeatures` = sum of layer outputs + G (`'concat'`) or last output + G (`'last'`); `outFeatures` 3. */
  head: MlpHead;
  /** Default `'concat'`. */
  readout?: Readout;
  /** Number of conditions (default 0). */
  conditions?: number;
  /** Normalisation ranges of the conditions (default `[0, 1]` each). */
  conditionRanges?: [number, number][];
  /** Time input encoding (default `'t/T'`). */
  timeEncoding?: TimeEncoding;
  /** Condition encoders (default: linear over `conditionRanges`). */
  conditionEncoders?: ConditionEncoder[];
  /** Default `'concat'`. */
  conditioning?: Conditioning;
  /** Default false. */
  nullCondition?: boolean;
  /**
   * FiLM embedding (required with `conditioning: 'film'`): `inFeatures` = `globalFeatures`,
   * `outFeatures` = 2 x the sum of the layers' `outFeatures` (gamma then beta, layer by layer).
   */
  film?: MlpHead;
  /**
   * Point clouds only (default false): the first layer's node features are each particle's position
   * relative to its frame's centroid, `x_i - mean_j x_j` (so `layers[0].inFeatures` is 3). The model
   * stays translation invariant, and a local network learns the cloud's global size, which relative
   * vectors within k neighbours do not carry (on the shapes task MDDM's samples otherwise come out
   * 4-9% too small: docs/shapes-and-baseline.md). A periodic box has no centre: such a denoiser
   * rejects a box.
   */
  centroidInput?: boolean;
  /**
   * Periodic conditional models (default none): the first layer's node features are the pair
   * potential the conditions describe, evaluated on the noisy configuration ({@link PotentialInput}:
   * each particle's energy and force over T; so `layers[0].inFeatures` is 4). The conditions then
   * reach the network twice: as numbers (global input / FiLM) and as the potential they define.
   * The null condition gives zero features.
   */
  potentialInput?: PotentialInput;
  /**
   * Global context (default none): one MLP per layer, `W -> ... -> W` for a layer of W output
   * features. After layer l (and its FiLM modulation) every particle's features get the frame mean
   * of that layer's features, mapped by the MLP: `f_i <- f_i + c_l(mean_j f_j)`. A PBC-Conv stack is
   * local (8 layers over 12 neighbours see ~3 LJ), so on its own it cannot make one choice for the
   * whole box; where MD makes two polymorphs at the same conditions it learns their average
   * (docs/conditional.md). The mean is permutation, translation and N invariant; `createDenoiser`
   * zero-initialises each MLP's last layer, so training starts from the local network.
   */
  context?: MlpHead[];
}

/**
 * The MDDM noise predictor `eps_theta(x_t, t/T, conditions)`: a periodic kNN graph, a stack of
 * PBC-Conv layers and an output head. Translation invariant (only minimum-image difference vectors
 * enter), local (each layer sees k neighbours), and independent of N and of the box size.
 *
 * Units: positions in LJ units; the output is the noise `eps` in the units of the forward process
 * `x_t = wrap(x_0 + L sqrt(a_t) eps)` (dimensionless, ~N(0, 1)).
 */
export class Denoiser implements DenoiserLike<DenoiserGraph> {
  /** Architecture name in the spec registry ({@link DenoiserLike.kind}). */
  readonly kind = 'mddm' as const;
  /** Only minimum-image (or, without a box, plain) difference vectors enter: true. */
  readonly translationInvariant = true;
  /** Neighbours per particle. */
  readonly k: number;
  /** PBC-Conv layers, in order. */
  readonly layers: readonly PbcEdgeConv[];
  /** Output head. */
  readonly head: MlpHead;
  /** Readout of the layer features. */
  readonly readout: Readout;
  /** Number of conditions after `t/T` in the global input. */
  readonly conditions: number;
  /** Normalisation range `[lo, hi]` of each condition. */
  readonly conditionRanges: [number, number][];
  /** Time input encoding. */
  readonly timeEncoding: TimeEncoding;
  /** Encoder of every condition. */
  readonly conditionEncoders: ConditionEncoder[];
  /** How conditions enter the network. */
  readonly conditioning: Conditioning;
  /** Whether a null condition (classifier-free guidance) is reserved. */
  readonly nullCondition: boolean;
  /** FiLM embedding MLP (`conditioning: 'film'`), else null. */
  readonly film: MlpHead | null;
  /** Whether the first layer sees centroid-relative positions (point clouds only). */
  readonly centroidInput: boolean;
  /** The potential features of the first layer, or null. */
  readonly potentialInput: ResolvedPotentialInput | null;
  /** The global context MLP of every layer ({@link DenoiserParts.context}), or null. */
  readonly context: readonly MlpHead[] | null;
  /** Size of the global input rows `g = [time, encoded conditions..., (condition flag)]` of {@link Denoiser.globalInput}. */
  readonly globalFeatures: number;
  /** Global features every layer and the head see: `globalFeatures` (concat) or 1 (film: time only). */
  readonly layerGlobalFeatures: number;
  /** Training facts (set by `train` and by checkpoints). */
  training: TrainingInfo | undefined;
  private readonly workspace = new KnnWorkspace();
  private disposed = false;

  /** Use {@link createDenoiser} or {@link composeDenoiser}. @internal */
  constructor(parts: DenoiserParts) {
    this.k = checkInt(parts.k, 'k', 1);
    this.readout = parts.readout ?? 'concat';
    if (this.readout !== 'concat' && this.readout !== 'last') {
      throw new ModelError(`readout must be 'concat' | 'last', got ${describeValue(this.readout)}`, 'MODEL_BAD_CONFIG');
    }
    this.conditions = checkInt(parts.conditionEncoders?.length ?? parts.conditions ?? 0, 'conditions', 0, 1000);
    if (parts.conditions !== undefined && parts.conditions !== this.conditions) {
      throw new ModelError(`conditions (${parts.conditions}) must equal conditionEncoders.length (${this.conditions})`, 'MODEL_BAD_CONFIG');
    }
    const ranges = parts.conditionRanges
      ?? parts.conditionEncoders?.map((e) => (e.kind === 'periodic' ? [0, e.period] : e.range) as [number, number])
      ?? Array.from({ length: this.conditions }, () => [0, 1] as [number, number]);
    if (!Array.isArray(ranges) || ranges.length !== this.conditions) {
      throw new ModelError(`conditionRanges must have one [lo, hi] per condition (${this.conditions}), got ${describeValue(ranges)}`, 'MODEL_BAD_CONFIG');
    }
    ranges.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[1] > r[0])) {
        throw new ModelError(`conditionRanges[${i}] must be [lo, hi] with finite lo < hi, got ${describeValue(r)}`, 'MODEL_BAD_CONFIG');
      }
    });
    this.conditionRanges = ranges.map((r) => [r[0], r[1]] as [number, number]);
    this.conditionEncoders = checkEncoders(parts.conditionEncoders ?? this.conditionRanges.map((range) => ({ kind: 'linear', range })));
    this.conditioning = parts.conditioning ?? 'concat';
    if (this.conditioning !== 'concat' && this.conditioning !== 'film') {
      throw new ModelError(`conditioning must be 'concat' | 'film', got ${describeValue(this.conditioning)}`, 'MODEL_BAD_CONFIG');
    }
    this.nullCondition = parts.nullCondition ?? false;
    if (this.nullCondition && this.conditions === 0) {
      throw new ModelError(`nullCondition needs a conditional denoiser (conditions > 0)`, 'MODEL_BAD_CONFIG');
    }
    const encoded = this.conditionEncoders.reduce((s, e) => s + encodedWidth(e), 0);
    this.globalFeatures = 1 + encoded + (this.nullCondition ? 1 : 0);
    this.layerGlobalFeatures = this.conditioning === 'film' ? 1 : this.globalFeatures;
    this.timeEncoding = parts.timeEncoding ?? 't/T';
    if (this.timeEncoding !== 't/T' && this.timeEncoding !== 'log-sigma') {
      throw new ModelError(`timeEncoding must be 't/T' | 'log-sigma', got ${describeValue(this.timeEncoding)}`, 'MODEL_BAD_CONFIG');
    }
    if (!Array.isArray(parts.layers) || parts.layers.length === 0) {
      throw new ModelError(`layers must be a non-empty array of PbcEdgeConv, got ${describeValue(parts.layers)}`, 'MODEL_BAD_CONFIG');
    }
    this.centroidInput = parts.centroidInput ?? false;
    if (typeof this.centroidInput !== 'boolean') {
      throw new ModelError(`centroidInput must be true or false, got ${describeValue(parts.centroidInput)}`, 'MODEL_BAD_CONFIG');
    }
    this.potentialInput = parts.potentialInput === undefined ? null : checkPotentialInput(parts.potentialInput, this.conditionEncoders);
    if (this.potentialInput && this.centroidInput) throw new ModelError(`centroidInput (point clouds) and potentialInput (periodic) exclude each other`, 'MODEL_BAD_CONFIG');
    let prev = this.centroidInput ? 3 : this.potentialInput ? POTENTIAL_INPUT_FEATURES : 0;
    let total = 0;
    parts.layers.forEach((layer, i) => {
      const c = layer.config;
      if (c.inFeatures !== prev) {
        const what = i > 0 ? "the previous layer's outFeatures" : this.centroidInput ? 'the centroid-relative position' : this.potentialInput ? 'the potential features' : 'no node input';
        throw new ModelError(`layers[${i}].inFeatures must be ${prev} (${what}), got ${c.inFeatures}`, 'MODEL_BAD_CONFIG');
      }
      if (c.globalFeatures !== this.layerGlobalFeatures) {
        throw new ModelError(`layers[${i}].globalFeatures must be ${this.layerGlobalFeatures} (the global input the layers see), got ${c.globalFeatures}`, 'MODEL_BAD_CONFIG');
      }
      prev = c.outFeatures;
      total += c.outFeatures;
    });
    this.layers = [...parts.layers];
    this.head = parts.head;
    const headIn = (this.readout === 'concat' ? total : prev) + this.layerGlobalFeatures;
    if (this.head.config.inFeatures !== headIn) {
      throw new ModelError(`head.inFeatures must be ${headIn} for readout '${this.readout}', got ${this.head.config.inFeatures}`, 'MODEL_BAD_CONFIG');
    }
    if (this.head.config.outFeatures !== 3) {
      throw new ModelError(`head.outFeatures must be 3 (a noise vector per particle), got ${this.head.config.outFeatures}`, 'MODEL_BAD_CONFIG');
    }
    this.film = this.conditioning === 'film' ? checkFilm(parts.film, this.globalFeatures, 2 * total, this.conditions) : null;
    this.context = parts.context === undefined ? null : checkContext(parts.context, this.layers);
  }

  /** The variables of the film embedding and the context MLPs, after the layers and the head. */
  private get extraWeights(): tf.Variable[] {
    return [...(this.film?.trainableWeights ?? []), ...(this.context?.flatMap((c) => c.trainableWeights) ?? [])];
  }

  /** All trainable variables (layers in order, then the head). */
  get trainableWeights(): tf.Variable[] {
    return [...this.layers.flatMap((l) => l.trainableWeights), ...this.head.trainableWeights, ...this.extraWeights];
  }

  /** Smallest number of particles per frame: k + 1 (every particle needs k neighbours). */
  get minParticles(): number {
    return this.k + 1;
  }

  /** @returns the number of trainable scalars */
  countParams(): number {
    return this.layers.reduce((s, l) => s + l.countParams(), 0) + this.head.countParams() + (this.film?.countParams() ?? 0)
      + (this.context?.reduce((s, c) => s + c.countParams(), 0) ?? 0);
  }

  /**
   * Builds the periodic kNN graph of a batch of frames (built once per denoising step, shared by all layers).
   * @param positions - `[frames * N, 3]` flat, LJ units, inside the box
   * @param box - the common box of all frames, or `null` for non-periodic point clouds (Euclidean kNN)
   * @param frames - number of frames in `positions`
   * @param global - the global input rows of this pass (`[frames, globalFeatures]`, {@link Denoiser.globalInput}):
   *   a `potentialInput` denoiser reads the conditions from them; others ignore it
   * @returns the graph, with the centroid-relative positions for a `centroidInput` denoiser and the
   *   potential features for a `potentialInput` one
   * @throws ModelError `MODEL_BAD_INPUT` for a box given to a `centroidInput` denoiser, or a
   *   `potentialInput` denoiser given no box or no global rows
   */
  buildGraph(positions: Vec3Array, box: BoxLike | null, frames = 1, global?: Float32Array): DenoiserGraph {
    if (this.centroidInput && box !== null) {
      throw new ModelError(`this denoiser has centroidInput (point clouds only): a periodic box has no centre, so pass box null`, 'MODEL_BAD_INPUT');
    }
    const graph = buildGraph(positions, box, this.k, { frames, workspace: this.workspace });
    // recenter (the sampler's own re-centring) on a float64 copy, then float32 for the network
    if (this.centroidInput) return { ...graph, nodeInput: Float32Array.from(recenter(Float64Array.from(positions), frames)) };
    if (this.potentialInput) return { ...graph, nodeInput: this.potentialFeatures(positions, box, frames, global) };
    return graph;
  }

  /** The `[n, 4]` potential features of a batch, conditions decoded from its global rows. */
  private potentialFeatures(positions: Vec3Array, box: BoxLike | null, frames: number, global: Float32Array | undefined): Float32Array {
    if (box === null) throw new ModelError(`this denoiser has potentialInput (periodic only): give the box`, 'MODEL_BAD_INPUT');
    const G = this.globalFeatures;
    const fixed = this.potentialInput!.params;
    if (!fixed && !(global instanceof Float32Array && global.length === frames * G)) {
      throw new ModelError(`this denoiser has potentialInput: buildGraph needs the global input rows ([${frames}, ${G}] from globalInput), got ${describeValue(global)}`, 'MODEL_BAD_INPUT');
    }
    const lengths = checkBox(box);
    const n = positions.length / 3;
    const per = n / frames;
    const out = new Float32Array(n * POTENTIAL_INPUT_FEATURES);
    const raw = [0, 0, 0];
    for (let f = 0; f < frames; f++) {
      let params = fixed ?? null;
      if (!fixed) {
        const row = global!.subarray(f * G, (f + 1) * G);
        decodeConditionsInto(row, 1, this.conditionEncoders, raw);
        params = this.nullCondition && row[G - 1] === 0 ? null : { k: raw[0], phi: raw[1], T: raw[2] };
      }
      potentialFeaturesInto(out, f * per, positions.subarray(3 * f * per, 3 * (f + 1) * per), lengths, params, this.potentialInput!);
    }
    return out;
  }

  /**
   * Global input rows `g = [time, encoded conditions..., (condition flag)]` for every frame ({@link globalInputRows}).
   * @param tau - time input per frame (`[frames]`) or one value for all frames: `t/T`, or
   *   {@link encodeTime} of the denoiser's `timeEncoding`
   * @param frames - number of frames
   * @param conditions - raw conditions: one array of length `conditions` for all frames, or `[frames][conditions]`;
   *   with `nullCondition`, a `null` row (or `null` for all frames) is the null condition of classifier-free guidance
   * @returns Float32Array `[frames, globalFeatures]`: time, encoded conditions, and the condition flag if reserved
   * @throws ModelError `MODEL_BAD_INPUT` for conditions of the wrong length or non-finite values
   */
  globalInput(tau: number | ArrayLike<number>, frames: number, conditions?: ArrayLike<number> | (ArrayLike<number> | null)[] | null): Float32Array {
    return globalInputRows(this, tau, frames, conditions);
  }

  /**
   * Differentiable forward pass on a prebuilt graph.
   * @param graph - from {@link Denoiser.buildGraph} (n = frames * N nodes)
   * @param global - `[frames, G]` global input from {@link Denoiser.globalInput}
   * @returns predicted noise `[n, 3]`
   */
  apply(graph: DenoiserGraph, global: tf.Tensor2D): tf.Tensor2D {
    this.checkAlive();
    return tf.tidy(() => {
      const feats: tf.Tensor2D[] = [];
      const frames = graph.frames;
      const N = graph.nodesPerFrame;
      const G = this.layerGlobalFeatures;
      const layerGlobal = this.film ? tf.slice(global, [0, 0], [frames, 1]) : global;
      const emb = this.film ? this.film.apply(global) : null; // [frames, 2 * sum of widths]
      const nodeInput = graph.nodeInput;
      const F0 = this.layers[0].config.inFeatures;
      if (F0 > 0 && !(nodeInput && nodeInput.length === graph.n * F0)) {
        throw new ModelError(`this denoiser has ${this.centroidInput ? 'centroidInput' : 'potentialInput'}: build its input with denoiser.buildGraph`, 'MODEL_BAD_INPUT');
      }
      let f: tf.Tensor2D | null = F0 > 0 ? tf.tensor2d(nodeInput!, [graph.n, F0]) : null;
      let offset = 0;
      for (const [l, layer] of this.layers.entries()) {
        let out = layer.apply(graph, f, layerGlobal);
        if (emb) {
          const W = layer.config.outFeatures;
          out = modulate(out, emb, offset, W, frames, N);
          offset += 2 * W;
        }
        if (this.context) out = addContext(out, this.context[l], frames, N);
        feats.push(out);
        f = out;
      }
      const gNodes = tf.reshape(tf.tile(tf.reshape(layerGlobal, [frames, 1, G]), [1, N, 1]), [frames * N, G]) as tf.Tensor2D;
      const x = this.readout === 'concat' ? tf.concat([...feats, gNodes], 1) : tf.concat([f as tf.Tensor2D, gNodes], 1);
      return this.head.apply(x as tf.Tensor2D);
    });
  }

  /**
   * Predicts the noise for a batch of frames (no gradient). Positions outside the box are wrapped
   * into it first (documented behaviour: the model is periodic, so this changes nothing physical).
   * @param positions - `[frames * N, 3]` flat, LJ units
   * @param box - common box of all frames, or `null` for non-periodic point clouds (not wrapped)
   * @param tau - diffusion fraction t/T in [0, 1], per frame or one for all
   * @param options - `frames` (default 1) and raw `conditions`
   * @returns predicted noise `[frames * N, 3]` (Float32Array)
   * @throws ModelError `MODEL_BAD_INPUT` for bad positions, frames or conditions
   */
  predict(
    positions: Vec3Array,
    box: BoxLike | null,
    tau: number | ArrayLike<number>,
    options: { frames?: number; conditions?: ArrayLike<number> | (ArrayLike<number> | null)[] | null } = {},
  ): Float32Array {
    this.checkAlive();
    const frames = options.frames ?? 1;
    const n = checkPositions(positions, 'positions');
    if (!Number.isInteger(frames) || frames < 1 || n % frames !== 0) {
      throw new ModelError(`frames must be a positive integer dividing N = ${n}, got ${describeValue(frames)}`, 'MODEL_BAD_INPUT');
    }
    if (n / frames <= this.k) {
      throw new ModelError(`each frame needs more than k = ${this.k} particles, got ${n / frames}`, 'MODEL_BAD_INPUT');
    }
    const g = this.globalInput(tau, frames, options.conditions);
    const wrapped = box === null ? Float64Array.from(positions) : wrap(Float64Array.from(positions), box);
    const graph = this.buildGraph(wrapped, box, frames, g);
    const out = tf.tidy(() => this.apply(graph, tf.tensor2d(g, [frames, this.globalFeatures])));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  /** @returns copies of all weights (layers, then head); the caller disposes them */
  getWeights(): tf.Tensor[] {
    return [...this.layers.flatMap((l) => l.getWeights()), ...this.head.getWeights(), ...(this.film?.getWeights() ?? []),
      ...(this.context?.flatMap((c) => c.getWeights()) ?? [])];
  }

  /**
   * Overwrites all weights (order of {@link Denoiser.getWeights}).
   * @throws ModelError `MODEL_CONFIG_MISMATCH` if the count or a shape differs
   */
  setWeights(weights: tf.Tensor[]): void {
    // every variable, not trainableWeights: a subclass may freeze some (EnergyDenoiser's last head bias)
    const vars = [...this.layers.flatMap((l) => l.trainableWeights), ...this.head.trainableWeights, ...this.extraWeights];
    if (weights.length !== vars.length) {
      throw new ModelError(`denoiser expects ${vars.length} weight tensors, got ${weights.length}`, 'MODEL_CONFIG_MISMATCH');
    }
    vars.forEach((v, i) => {
      if (v.shape.join(',') !== weights[i].shape.join(',')) {
        throw new ModelError(`weight ${i} (${v.name}) must have shape [${v.shape}], got [${weights[i].shape}]`, 'MODEL_CONFIG_MISMATCH');
      }
    });
    let o = 0;
    for (const l of this.layers) {
      const c = l.trainableWeights.length;
      l.setWeights(weights.slice(o, o + c));
      o += c;
    }
    for (const part of [this.head, this.film, ...(this.context ?? [])]) {
      if (!part) continue;
      const c = part.trainableWeights.length;
      part.setWeights(weights.slice(o, o + c));
      o += c;
    }
  }

  /** @returns the JSON-serialisable description of this denoiser (see {@link denoiserFromSpec}) */
  toSpec(): DenoiserSpec {
    const spec: DenoiserSpec = {
      format: 'mddm-denoiser',
      version: 1,
      kind: 'mddm',
      k: this.k,
      readout: this.readout,
      conditions: this.conditions,
      conditionRanges: this.conditionRanges.map((r) => [r[0], r[1]] as [number, number]),
      layers: this.layers.map((l) => ({ ...l.getConfig() })),
      head: this.head.getConfig(),
      timeEncoding: this.timeEncoding,
      conditionEncoders: this.conditionEncoders.map((e) => ({ ...e })) as ConditionEncoder[],
      conditioning: this.conditioning,
      nullCondition: this.nullCondition,
      ...(this.film ? { film: this.film.getConfig() } : {}),
      ...(this.centroidInput ? { centroidInput: true } : {}),
      ...(this.potentialInput ? { potentialInput: JSON.parse(JSON.stringify(this.potentialInput)) as PotentialInput } : {}),
      ...(this.context ? { context: this.context.map((c) => c.getConfig()) } : {}),
    };
    if (this.training) spec.training = JSON.parse(JSON.stringify(this.training)) as TrainingInfo;
    return spec;
  }

  /** Frees all variables. The denoiser cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.layers) l.dispose();
    this.head.dispose();
    this.film?.dispose();
    this.context?.forEach((c) => c.dispose());
  }

  private checkAlive(): void {
    if (this.disposed) throw new ModelError('this denoiser has been disposed', 'MODEL_BAD_INPUT');
  }
}

/** Applies the FiLM modulation `f * (1 + gamma) + beta` of one layer, gamma/beta per frame from `emb`. */
function modulate(f: tf.Tensor2D, emb: tf.Tensor2D, offset: number, W: number, frames: number, N: number): tf.Tensor2D {
  const gamma = tf.reshape(tf.slice(emb, [0, offset], [frames, W]), [frames, 1, W]);
  const beta = tf.reshape(tf.slice(emb, [0, offset + W], [frames, W]), [frames, 1, W]);
  const f3 = tf.reshape(f, [frames, N, W]);
  return tf.reshape(tf.add(tf.mul(f3, tf.add(gamma, 1)), beta), [frames * N, W]) as tf.Tensor2D;
}

/**
 * Adds the global context of one layer: `f_i + c(mean_j f_j)`, the mean over each frame's N particles.
 * The mean (not the max or the sum) keeps the context independent of N, so one model serves any box.
 */
function addContext(f: tf.Tensor2D, context: MlpHead, frames: number, N: number): tf.Tensor2D {
  const W = f.shape[1];
  const pooled = tf.mean(tf.reshape(f, [frames, N, W]), 1) as tf.Tensor2D; // [frames, W]
  const c = tf.reshape(context.apply(pooled), [frames, 1, W]);
  return tf.reshape(tf.add(tf.reshape(f, [frames, N, W]), c), [frames * N, W]) as tf.Tensor2D;
}

function checkContext(context: MlpHead[], layers: readonly PbcEdgeConv[]): MlpHead[] {
  if (!Array.isArray(context) || context.length !== layers.length) {
    throw new ModelError(`context must hold one MlpHead per layer (${layers.length}), got ${describeValue(context)}`, 'MODEL_BAD_CONFIG');
  }
  context.forEach((c, i) => {
    const W = layers[i].config.outFeatures;
    if (!(c instanceof MlpHead) || c.config.inFeatures !== W || c.config.outFeatures !== W) {
      throw new ModelError(`context[${i}] must be an MlpHead mapping ${W} -> ${W} features (layers[${i}].outFeatures)`, 'MODEL_BAD_CONFIG');
    }
  });
  return [...context];
}

function checkFilm(film: MlpHead | undefined, inFeatures: number, outFeatures: number, conditions: number): MlpHead {
  if (conditions === 0) throw new ModelError(`conditioning 'film' needs a conditional denoiser (conditions > 0)`, 'MODEL_BAD_CONFIG');
  if (!film) throw new ModelError(`conditioning 'film' needs a film embedding MlpHead`, 'MODEL_BAD_CONFIG');
  if (film.config.inFeatures !== inFeatures || film.config.outFeatures !== outFeatures) {
    throw new ModelError(`film must map ${inFeatures} -> ${outFeatures} features, got ${film.config.inFeatures} -> ${film.config.outFeatures}`, 'MODEL_BAD_CONFIG');
  }
  return film;
}

/** @internal Validates flat positions; a pbc error becomes a ModelError with the PbcError as `cause`. Returns N. */
export function checkPositions(positions: Vec3Array, name: string): number {
  if (!(positions instanceof Float64Array) && !(positions instanceof Float32Array)) {
    throw new ModelError(`${name} must be a Float64Array or Float32Array [N*3], got ${describeValue(positions)}`, 'MODEL_BAD_INPUT');
  }
  try {
    return validatePositions(positions, name);
  } catch (e) {
    // the PbcError already names the value (`name`); keep it, with its code, as the cause
    throw new ModelError((e as Error).message, 'MODEL_BAD_INPUT', { cause: e });
  }
}

/** @internal Validates a box; a pbc error becomes a ModelError with the PbcError as `cause`. */
export function checkBox(box: BoxLike, name = 'box'): [number, number, number] {
  try {
    const b = toBox(box);
    return [b.lengths[0], b.lengths[1], b.lengths[2]];
  } catch (e) {
    // pbc says "box length L must be ..."; name which box (e.g. `data[3].box`) only when it is not just `box`
    const message = (e as Error).message;
    throw new ModelError(name === 'box' ? message : `${name}: ${message}`, 'MODEL_BAD_INPUT', { cause: e });
  }
}

/**
 * Assembles a denoiser from parts: any graph size `k`, any stack of `@mddm/edgeconv` layers, any head.
 *
 * @example
 * ```ts
 * const G = 1; // t/T only
 * const layers = [pbcEdgeConv({ inFeatures: 0, globalFeatures: G, outFeatures: 64, aggregation: 'mean' }),
 *                 pbcEdgeConv({ inFeatures: 64, globalFeatures: G, outFeatures: 64, aggregation: 'mean' })];
 * const denoiser = composeDenoiser({ k: 16, layers, head: mlpHead({ inFeatures: 128 + G, hidden: [64] }) });
 * ```
 * @throws ModelError `MODEL_BAD_CONFIG` if the parts do not fit together
 */
export function composeDenoiser(parts: DenoiserParts): Denoiser {
  return new Denoiser(parts);
}

/**
 * Creates the MDDM denoiser (defaults: the paper's architecture, see {@link DenoiserConfig}).
 * With the defaults and no conditions it has 82,435 parameters (the paper reports 101,891; see the README).
 * @param config - see {@link DenoiserConfig}
 * @throws ModelError `MODEL_BAD_CONFIG` for out-of-range options
 */
export function createDenoiser(config: DenoiserConfig = {}): Denoiser {
  requireBackend('createDenoiser');
  const k = checkInt(config.k ?? 32, 'k', 1);
  const nLayers = checkInt(config.layers ?? 8, 'layers', 1, 64);
  const width = checkInt(config.width ?? 32, 'width', 1);
  const hidden = config.hidden ?? [32, 32];
  const headHidden = config.headHidden ?? [128, 128];
  const activation = config.activation ?? 'relu';
  const aggregation = config.aggregation ?? 'max';
  if (!(AGGREGATIONS as readonly string[]).includes(aggregation)) {
    throw new ModelError(`aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${describeValue(aggregation)}`, 'MODEL_BAD_CONFIG');
  }
  const encoders = config.conditionEncoders ? checkEncoders(config.conditionEncoders) : undefined;
  const conditions = checkInt(encoders?.length ?? config.conditions ?? 0, 'conditions', 0, 1000);
  const conditioning = config.conditioning ?? 'concat';
  const nullCondition = config.nullCondition ?? false;
  const seed = checkInt(config.seed ?? 0, 'seed', 0, 2 ** 31 - 1);
  const readout = config.readout ?? 'concat';
  if (!Array.isArray(hidden)) throw new ModelError(`hidden must be an array of widths, got ${describeValue(hidden)}`, 'MODEL_BAD_CONFIG');
  hidden.forEach((h, i) => checkInt(h, `hidden[${i}]`, 1));
  const encoded = encoders ? encoders.reduce((s, e) => s + encodedWidth(e), 0) : conditions;
  const Gall = 1 + encoded + (nullCondition ? 1 : 0);
  const G = conditioning === 'film' ? 1 : Gall;
  const layers: PbcEdgeConv[] = [];
  for (let i = 0; i < nLayers; i++) {
    layers.push(
      pbcEdgeConv({
        inFeatures: i > 0 ? width : config.centroidInput ? 3 : config.potentialInput ? POTENTIAL_INPUT_FEATURES : 0,
        globalFeatures: G,
        hidden: [...hidden],
        outFeatures: width,
        activation,
        aggregation,
        kernel: config.kernel ?? 'auto',
        seed: seed * 1000 + i + 1,
        name: `pbcconv${i}`,
      }),
    );
  }
  const headIn = (readout === 'concat' ? nLayers * width : width) + G;
  const head = mlpHead({ inFeatures: headIn, hidden: headHidden, outFeatures: 3, activation, seed: seed * 1000 + 999, name: 'head' });
  const film = conditioning === 'film' && conditions > 0
    ? zeroLastLayer(mlpHead({ inFeatures: Gall, hidden: config.filmHidden ?? [64, 64], outFeatures: 2 * nLayers * width, activation: 'silu', seed: seed * 1000 + 998, name: 'film' }))
    : undefined;
  if (config.globalContext !== undefined && typeof config.globalContext !== 'boolean') {
    throw new ModelError(`globalContext must be true or false, got ${describeValue(config.globalContext)}`, 'MODEL_BAD_CONFIG');
  }
  // one hidden layer of W with SiLU: a nonlinear map of the pooled features (a linear one could only
  // shift every particle by a linear order statistic); zero last layer: starts as the local network
  const context = config.globalContext
    ? layers.map((_, i) => zeroLastLayer(mlpHead({ inFeatures: width, hidden: [width], outFeatures: width, activation: 'silu', seed: seed * 1000 + 900 + i, name: `context${i}` })))
    : undefined;
  return new Denoiser({
    k, layers, head, readout, conditions, conditionRanges: config.conditionRanges, timeEncoding: config.timeEncoding,
    conditionEncoders: encoders, conditioning, nullCondition, film, centroidInput: config.centroidInput, potentialInput: config.potentialInput, context,
  });
}

/** Zero-initialises the output layer (adaLN-zero): the modulation starts as the identity. */
function zeroLastLayer(mlp: MlpHead): MlpHead {
  const w = mlp.trainableWeights;
  for (const v of w.slice(-2)) tf.tidy(() => v.assign(tf.zerosLike(v)));
  return mlp;
}

/**
 * Rebuilds an MDDM denoiser from its {@link DenoiserSpec} (fresh weights; load them with
 * `setWeights`). The registry's `denoiserFromSpec` calls it for `kind: 'mddm'` (or no kind).
 * @throws ModelError `MODEL_BAD_CONFIG` / `MODEL_CHECKPOINT_CORRUPT` for an invalid spec
 */
export function mddmDenoiserFromSpec(spec: DenoiserSpec): Denoiser {
  const d = new Denoiser(denoiserPartsFromSpec(spec));
  if (spec.training) d.training = JSON.parse(JSON.stringify(spec.training)) as TrainingInfo;
  return d;
}

/**
 * @internal The constructor parts (layers and head with fresh weights, options) a spec describes:
 * shared by the `'mddm'` and `'energy'` kinds.
 * @throws ModelError `MODEL_CHECKPOINT_CORRUPT` if this is not a denoiser spec
 */
export function denoiserPartsFromSpec(spec: DenoiserSpec): ConstructorParameters<typeof Denoiser>[0] {
  if (!spec || spec.format !== 'mddm-denoiser' || spec.version !== 1 || !Array.isArray(spec.layers)) {
    throw new ModelError(`not an mddm-denoiser spec (version 1): ${describeValue(spec)}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  return {
    k: spec.k,
    layers: spec.layers.map((c) => pbcEdgeConv({ ...c })),
    head: mlpHead({ ...spec.head }),
    readout: spec.readout,
    conditions: spec.conditions,
    conditionRanges: spec.conditionRanges,
    timeEncoding: spec.timeEncoding,
    conditionEncoders: spec.conditionEncoders,
    conditioning: spec.conditioning,
    nullCondition: spec.nullCondition,
    film: spec.film ? mlpHead({ ...spec.film }) : undefined,
    centroidInput: spec.centroidInput,
    potentialInput: spec.potentialInput,
    context: spec.context === undefined ? undefined : Array.isArray(spec.context) ? spec.context.map((c) => mlpHead({ ...c })) : (spec.context as unknown as MlpHead[]),
  };
}

