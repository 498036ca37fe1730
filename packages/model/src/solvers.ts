import { describeValue } from '@mddm/core';
import {
  ancestralPredictor, dpmSolver2MPredictor, edmStochasticPredictor, eulerPredictor, heunPredictor, noiseLevels,
  type EdmStochasticOptions, type NoiseSchedule, type NoiseSpacing, type Predictor,
} from '@mddm/schedules';
import { ModelError, checkNumber } from './errors';

/**
 * The samplers `sample` offers (`SampleOptions.sampler`), all on `runSampler` of `@mddm/schedules`:
 * - `'ancestral'` (default): Algorithm 2 and its strided / DDIM family (`eta`), + optional Langevin corrector;
 * - `'euler'`: Euler on the probability-flow ODE (= DDIM, eta 0), 1 NFE per step, first order;
 * - `'heun'`: EDM's deterministic sampler (Karras et al. 2022 Alg. 1), 2 NFE per step (1 on the last), second order;
 * - `'edm'`: EDM's stochastic sampler (Alg. 2, "churn" `SampleOptions.churn`), 2 NFE per step;
 * - `'dpm2m'`: DPM-Solver++(2M) (Lu et al. 2022 Alg. 2), 1 NFE per step, second order (multistep).
 */
export const SAMPLERS = ['ancestral', 'euler', 'heun', 'edm', 'dpm2m'] as const;

type CorrectedPreset = SolverOptions & { steps: number; corrector: { steps: number; r: number; sigmaMaxLj: number } };

/*
 * Why the presets below look the way they do (docs/fast-sampling.md, `bench:sampling` on the
 * pretrained unconditional model, 6 seeds): the structure's quality comes from Langevin corrector
 * steps at the smallest noise levels, where each step is a short stretch of dynamics of every
 * particle in its cage under the learned score. Dropping the corrector on the two levels below
 * 0.03 LJ made RDF-MSE 4x worse (0.063 vs 0.017 at 100 NFE); spreading the same steps up to 0.3 LJ
 * was worse than concentrating them on the 4 smallest levels of the rho = 7 grid (0.01-0.08 LJ), and
 * more levels with fewer steps each was worse still. The ODE predictor (1 NFE per level) only has to
 * bring the state there. The number of levels in the band depends on the model's trained noise
 * range (the grid spans it); the NFE quoted are for a model trained on 0.0102-1.5 LJ.
 */

/**
 * The best measured sampler at <= 100 network evaluations: DPM-Solver++(2M) on 11 levels of EDM's
 * rho = 7 grid, plus 22 Langevin corrector steps (r = 1) at each level below 0.075 LJ of noise (4
 * levels): 99 NFE, RDF-MSE 0.0136 (0.0130-0.0143, 6 seeds) against the MD replicas, vs 0.0099 for
 * the 1,620-NFE {@link QUALITY_SAMPLER} (`mddm sample --sampler fast`). Until 2026-12-01 this name
 * held DPM-Solver++(2M) 30 levels + 9 Langevin steps (r 0.8) below 0.3 LJ (192 NFE).
 */
export const FAST_SAMPLER = {
  sampler: 'dpm2m', steps: 11, spacing: 'karras', corrector: { steps: 22, r: 1, sigmaMaxLj: 0.075 },
} as const satisfies CorrectedPreset;

/**
 * The best measured trade-off (the pretrained models' recommended sampler, `mddm sample --sampler balanced`): DPM-Solver++(2M) on 12
 * levels of EDM's rho = 7 grid, plus 47 Langevin corrector steps (r = 1) at each level below
 * 0.06 LJ (4 levels): 200 NFE, RDF-MSE 0.0109 (0.0094-0.0132, 6 seeds), 8x fewer evaluations than
 * {@link QUALITY_SAMPLER} (0.0099) for 10% more error.
 */
export const BALANCED_SAMPLER = {
  sampler: 'dpm2m', steps: 12, spacing: 'karras', corrector: { steps: 47, r: 1, sigmaMaxLj: 0.06 },
} as const satisfies CorrectedPreset;

/**
 * The previous recommendation: the ancestral sampler on 60 log-spaced levels, plus 30 Langevin
 * corrector steps (r = 0.4) at each level below 0.8 LJ: 1,620 NFE, RDF-MSE 0.0099 (0.0083-0.0107,
 * 6 seeds) on the model of 2026-12-01, 0.0105 (0.0082-0.0136) on the shipped one, where
 * {@link RESTART_SAMPLER} (0.0073, 1,415 NFE) is better (`mddm sample --sampler quality`).
 */
export const QUALITY_SAMPLER = {
  sampler: 'ancestral', steps: 60, spacing: 'log-sigma', corrector: { steps: 30, r: 0.4, sigmaMaxLj: 0.8 },
} as const satisfies CorrectedPreset;

/**
 * The best measured quality on the pretrained unconditional model: {@link BALANCED_SAMPLER}, then 5
 * restarts (Xu et al. 2023, `SampleOptions.restart`): the sample is noised again to 0.12 LJ and
 * denoised by the same sampler on 8 levels, 5 times. 1,415 NFE, RDF-MSE 0.0073 (0.0063-0.0084,
 * 6 seeds; 5 of the 6 better than the same seed's balanced sample), against 0.0097 for balanced and
 * 0.0105 for {@link QUALITY_SAMPLER} in the same run (`bench:sampling`; docs/unconditional-recipe.md;
 * `mddm sample --sampler restart`). The restart level is in
 * LJ units of an OPP system at density 1 (about a tenth of the particle spacing); for another
 * system pick it by the same sweep (`examples/restart-sampling.ts`).
 */
export const RESTART_SAMPLER = {
  ...BALANCED_SAMPLER, restart: { sigmaLj: 0.12, count: 5, steps: 8 },
} as const satisfies CorrectedPreset & { restart: { sigmaLj: number; count: number; steps: number } };

/**
 * The inpainting preset (`mddm inpaint`'s default and `examples/inpaint.ts`'s, for `inpaintSample`):
 * {@link QUALITY_SAMPLER}'s 60 ancestral levels with twice its Langevin steps (60 per level below
 * 0.8 LJ, r = 0.4): 3,180 NFE. The generated particles have to settle against fixed ones they did not
 * choose, at every level; with the fixed particles re-drawn after each Langevin step
 * (`InpaintOptions.correctorFixed`) the extra steps are what brought the regenerated half of an MD frame
 * within 2x of unconditional samples on `opp-unconditional` (x < L/2 kept, 8 samples: RDF-MSE 0.0140
 * against 0.0076, 1.85x; with 30 steps 0.0181, 2.4x; docs/seed-paper-tools.md).
 */
export const INPAINT_SAMPLER = {
  sampler: 'ancestral', steps: 60, spacing: 'log-sigma', corrector: { steps: 60, r: 0.4, sigmaMaxLj: 0.8 },
} as const satisfies CorrectedPreset;

/**
 * What {@link sample} runs when it is given no solver option at all (none of `sampler`, `steps`,
 * `spacing`, `rho`, `churn`, `continuous`, `eta`, `corrector`, `start`, `init`) on a periodic box:
 * {@link BALANCED_SAMPLER}'s DPM-Solver++(2M) on 12 levels of the rho = 7 grid, with its 47 Langevin
 * steps (r = 1) at the `correctorLevels` = 4 smallest levels of that grid. For the pretrained models
 * (trained on 0.0102-1.5 LJ) that band is exactly `BALANCED_SAMPLER`'s (below 0.06 LJ, 200 NFE,
 * RDF-MSE 0.0109 vs 0.0110 for the paper-style default of 1,290 NFE); counting levels instead of
 * LJ keeps the default meaningful for a model of another system or unit of length.
 * Point clouds (`box: null`) keep Algorithm 2: on the briefly trained shape models the ODE solvers
 * were 2.5x worse and a corrector shrank the clouds (docs/shapes-and-baseline.md).
 */
export const DEFAULT_SAMPLER = {
  sampler: 'dpm2m', steps: 12, spacing: 'karras', corrector: { steps: 47, r: 1 }, correctorLevels: 4,
} as const;

/** The options that choose a sampler: with any of them set, {@link sample} builds exactly what they say (Algorithm 2 for what is left unset). */
export const SOLVER_CHOICE_KEYS = ['sampler', 'steps', 'spacing', 'rho', 'churn', 'continuous', 'eta', 'corrector', 'start', 'init'] as const;

/**
 * @internal The corrector band (LJ) that holds the `levels` smallest nonzero noise levels of a
 * grid and no other: from 0 up to halfway (geometrically) between the `levels`-th and the next.
 * @param sigmasLj - noise std (LJ) of every grid level, any order
 */
export function smallestLevelsBand(sigmasLj: ArrayLike<number>, levels: number): { sigmaMinLj: number; sigmaMaxLj: number } {
  const s = Array.from(sigmasLj).filter((v) => v > 0).sort((a, b) => a - b);
  if (s.length <= levels) return { sigmaMinLj: 0, sigmaMaxLj: Infinity };
  return { sigmaMinLj: 0, sigmaMaxLj: Math.sqrt(s[levels - 1] * s[levels]) };
}

/** One of {@link SAMPLERS}. */
export type SamplerName = (typeof SAMPLERS)[number];

/** The solver options of `sample` (a part of `SampleOptions`). */
export interface SolverOptions {
  /**
   * Which sampler (see {@link SAMPLERS}); default `'ancestral'` once any solver option is given.
   * Without any (see {@link SOLVER_CHOICE_KEYS}) on a periodic box, `sample` runs {@link DEFAULT_SAMPLER}.
   */
  sampler?: SamplerName;
  /**
   * Spacing of the levels: `'uniform'` in t, `'log-sigma'` (even in log noise std) or `'karras'`
   * (EDM's rho grid, Karras et al. 2022 Eq. 5; `noiseLevels` of `@mddm/schedules`). Default
   * `'uniform'` for `'ancestral'`, `'karras'` for the ODE samplers.
   */
  spacing?: NoiseSpacing;
  /** EDM's rho of the `'karras'` spacing (default 7). */
  rho?: number;
  /** Churn of `sampler: 'edm'` (`gamma`, band `sigmaMinLj..sigmaMaxLj`, `sNoise`); see `edmStochasticPredictor`. */
  churn?: EdmStochasticOptions;
  /**
   * Fractional noise levels (ODE samplers only): the grid is not snapped to the schedule's integer
   * timesteps and the network gets a fractional time input (`encodeTime` is log-linear between
   * timesteps). Default false: levels snapped to timesteps (exact solver maths on the snapped grid;
   * every `afterStep` / guide sees integer `t`). Not with a wrapped-score-trained model.
   */
  continuous?: boolean;
  /**
   * Smallest noise std of the level grid, LJ units (length units of the box): the grid stops at the
   * largest timestep whose noise is <= this, and the final step goes from there to 0. Default: the
   * smallest trained level. For a model trained below the levels that sampling needs (e.g. a force
   * extension down to 0.001 LJ): its grid would otherwise spend levels where nothing forms. Inside
   * the sampled range (>= the smallest level, below the first one), else `MODEL_BAD_CONFIG`.
   */
  sigmaMinLj?: number;
}

/** @internal What {@link resolveSolver} adds to the `runSampler` options. */
export interface ResolvedSolver {
  predictor: Predictor;
  /** Explicit level grid (ODE samplers and `'karras'` spacing), else undefined (the ancestral grid from steps/spacing/start). */
  timesteps?: Float64Array;
  /** The integer spacing for `samplingTimesteps` when `timesteps` is undefined. */
  spacing: 'uniform' | 'log-sigma';
}

/**
 * @internal The last (smallest) timestep of the grid for `sigmaMinLj` (see {@link SolverOptions.sigmaMinLj}),
 * else for the model's `trainedSigmaMinLj` (`TrainingInfo.sampleSigmaMinLj`) when the grid starts above it:
 * the largest t with `L sqrt(a_t) <= sigmaMinLj`; 1 when neither applies.
 * @throws ModelError `MODEL_BAD_CONFIG` below the smallest level or not below the first one
 */
export function gridEnd(sigmaMinLj: number | undefined, schedule: NoiseSchedule, boxLength: number, start: number, trainedSigmaMinLj?: number): number {
  // The model's own default end (a force extension's generative range) applies only where the grid
  // starts above it (a variation from a smaller noise level keeps the whole range below its start).
  if (sigmaMinLj === undefined && trainedSigmaMinLj !== undefined && trainedSigmaMinLj < boxLength * schedule.sqrtA[start]) sigmaMinLj = trainedSigmaMinLj;
  if (sigmaMinLj === undefined) return 1;
  const lo = boxLength * schedule.sqrtA[1], hi = boxLength * schedule.sqrtA[start];
  if (typeof sigmaMinLj !== 'number' || !(sigmaMinLj >= lo * (1 - 1e-9) && sigmaMinLj < hi)) {
    throw new ModelError(`sigmaMinLj must be a noise std in [${lo}, ${hi}) LJ (from the smallest level to below the first one), got ${describeValue(sigmaMinLj)}`, 'MODEL_BAD_CONFIG');
  }
  let end = 1;
  while (end + 1 < start && boxLength * schedule.sqrtA[end + 1] <= sigmaMinLj) end++;
  return end;
}

/**
 * @internal Validates the solver options and builds the predictor and level grid for `sample`.
 * @throws ModelError `MODEL_BAD_CONFIG` for an unknown sampler or spacing, a bad rho / churn, or `continuous` with the ancestral sampler / a score target
 */
export function resolveSolver(o: SolverOptions, schedule: NoiseSchedule, start: number, steps: number, eta: number, scoreTarget: boolean, end = 1): ResolvedSolver {
  const name = o.sampler ?? 'ancestral';
  if (!(SAMPLERS as readonly string[]).includes(name)) throw new ModelError(`sampler must be one of ${SAMPLERS.join(', ')}, got ${describeValue(name)}`, 'MODEL_BAD_CONFIG');
  const ode = name !== 'ancestral';
  const spacing = o.spacing ?? (ode ? 'karras' : 'uniform');
  if (spacing !== 'uniform' && spacing !== 'log-sigma' && spacing !== 'karras') {
    throw new ModelError(`spacing must be 'uniform' | 'log-sigma' | 'karras', got ${describeValue(spacing)}`, 'MODEL_BAD_CONFIG');
  }
  const rho = checkNumber(o.rho ?? 7, 'rho', 0.1, 100);
  const continuous = o.continuous ?? false;
  if (continuous && !ode) throw new ModelError(`continuous levels need an ODE sampler (euler, heun, edm, dpm2m), not ${name}`, 'MODEL_BAD_CONFIG');
  if (continuous && scoreTarget) throw new ModelError('continuous levels are not supported for a wrapped-score-trained model (its eps conversion is tabulated per timestep)', 'MODEL_BAD_CONFIG');
  if (o.churn !== undefined && name !== 'edm') throw new ModelError(`churn is an option of sampler 'edm', not ${describeValue(name)}`, 'MODEL_BAD_CONFIG');
  let predictor: Predictor;
  try {
    predictor = name === 'ancestral' ? ancestralPredictor({ eta })
      : name === 'euler' ? eulerPredictor()
        : name === 'heun' ? heunPredictor()
          : name === 'edm' ? edmStochasticPredictor(o.churn ?? {})
            : dpmSolver2MPredictor();
  } catch (e) {
    throw new ModelError(`sampler '${name}': ${(e as Error).message}`, 'MODEL_BAD_CONFIG', { cause: e });
  }
  const explicit = continuous || spacing === 'karras' || end > 1;
  return {
    predictor,
    timesteps: explicit ? noiseLevels(schedule, steps, { spacing, rho, start, end, discrete: !continuous }) : undefined,
    spacing: spacing === 'karras' ? 'uniform' : spacing,
  };
}
