import type { RetrievalDraw, SampleOptions } from '@mddm/model';

/** The pretrained models this package ships. */
export const PRETRAINED_NAMES = ['opp-conditional', 'opp-unconditional', 'opp-unconditional-potential'] as const;

/** Name of a shipped pretrained model. */
export type PretrainedName = (typeof PRETRAINED_NAMES)[number];

/** File of a pretrained model's manifest, beside its checkpoint (`models/<name>/model.json`). */
export const PRETRAINED_MANIFEST = 'model.json';

/**
 * What a pretrained model is, how it was made and how good it is: `models/<name>/model.json`.
 * Everything needed to reproduce it (data, recipe, the exact command) and to judge it (measured
 * quality with the commands that measured it).
 */
export interface PretrainedManifest {
  /** Always `'mddm-pretrained'`. */
  format: 'mddm-pretrained';
  /** Format version (1). */
  version: 1;
  /** The model's name. */
  name: PretrainedName;
  /** One-paragraph description. */
  description: string;
  /** Names of the conditions in order (`['k', 'phi', 'T']`), empty for an unconditional model. */
  conditionKeys: string[];
  /** The state point of an unconditional model (e.g. `{ k: 7, phi: 1, T: 0.03 }`). */
  statePoint?: Record<string, number>;
  /** Training data: the shipped sets used and how many conformations. */
  data: { sets: string[]; conformations: number };
  /** The denoiser configuration and training options (JSON). */
  recipe: { model: Record<string, unknown>; training: Record<string, unknown> };
  /** The command that reproduces the weights, run from the repository root. */
  command: string;
  /** Optimizer steps and training wall time (minutes, on the machine named in `machine`). */
  steps: number;
  trainingMinutes: number;
  /** Where it was trained (cores, backend). */
  machine: string;
  /** The recommended sampler (`sample` options, e.g. `BALANCED_SAMPLER` of `@mddm/model`; `guidance`: the classifier-free guidance weight where it measured better). */
  sampler: Pick<SampleOptions, 'sampler' | 'steps' | 'spacing' | 'rho' | 'corrector' | 'guidance' | 'sigmaMinLj'>;
  /**
   * How `mddm sample` and `mddm evaluate` start a conformation by default where it measured better than
   * uniform noise: `nearest-md` = retrieval-initialised sampling (`retrievalSample` of `@mddm/model`) from the
   * frames of the shipped data sets `sets` (the first `counts[set]` of a set that grows, pinning the pool the
   * quality was measured with; `loadConditionPool(init)` of `@mddm/data`), drawn among the `neighbours` nearest in
   * the conditions (distance `scale` per condition; `draw`: how a batch's starts are spread over them, default
   * `'stratified'`, see `RetrievalSampleOptions.draw`), noised to `sigmaLj` (LJ units). Absent: uniform noise.
   */
  init?: { kind: 'nearest-md'; sigmaLj: number; neighbours: number; scale: number[]; sets: string[]; counts?: Record<string, number>; draw?: RetrievalDraw };
  /**
   * The force reading that measured best against the analytic force (`forces` of `@mddm/model`,
   * SPEC §8): the noise level `sigma` (LJ units) and whether to average over the box's symmetries.
   * `mddm forces` uses it by default. Absent: the smallest trained noise level, no average.
   */
  forces?: {
    sigma: number;
    symmetryAverage: boolean;
    /**
     * Noise level (LJ units) for learned-force dynamics (`mddm dynamics`: the plain force, one network
     * evaluation per step), where it measured best; absent: `sigma`.
     */
    dynamicsSigma?: number;
  };
  /** Measured quality (RDF-MSE figures, SPEC §3/§5), each with the command that measured it. */
  quality: Record<string, unknown>;
}
