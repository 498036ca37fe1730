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

/**
 * The best measured few-NFE sampler for the pretrained unconditional model (`bench:sampling`,
 * docs/fast-sampling.md): DPM-Solver++(2M) on 30 levels of EDM's rho = 7 grid, plus 9 Langevin
 * corrector steps (r = 0.8) at each of the 18 levels below 0.3 LJ of noise: 192 NFE, RDF-MSE 0.0174
 * (0.0172-0.0175, 2 seeds) against the MD replicas vs 0.0127 for the default sampler (1,290 NFE), in
 * 0.15x its time. It does not reach the default's quality, so it is an option, not the default.
 */
export const FAST_SAMPLER = {
  sampler: 'dpm2m', steps: 30, spacing: 'karras', corrector: { steps: 9, r: 0.8, sigmaMaxLj: 0.3 },
} as const satisfies SolverOptions & { steps: number; corrector: { steps: number; r: number; sigmaMaxLj: number } };

/** One of {@link SAMPLERS}. */
export type SamplerName = (typeof SAMPLERS)[number];

/** The solver options of `sample` (a part of `SampleOptions`). */
export interface SolverOptions {
  /** Which sampler (see {@link SAMPLERS}); default `'ancestral'`. */
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
 * @internal Validates the solver options and builds the predictor and level grid for `sample`.
 * @throws ModelError `MODEL_BAD_CONFIG` for an unknown sampler or spacing, a bad rho / churn, or `continuous` with the ancestral sampler / a score target
 */
export function resolveSolver(o: SolverOptions, schedule: NoiseSchedule, start: number, steps: number, eta: number, scoreTarget: boolean): ResolvedSolver {
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
  const explicit = continuous || spacing === 'karras';
  return {
    predictor,
    timesteps: explicit ? noiseLevels(schedule, steps, { spacing, rho, start, discrete: !continuous }) : undefined,
    spacing: spacing === 'karras' ? 'uniform' : spacing,
  };
}
