/**
 * @packageDocumentation
 * MDDM noise schedules, the wrapped variance-exploding forward process, exact posteriors, samplers
 * (one driver, `runSampler`, over ancestral / strided / deterministic predictors, the probability-flow ODE solvers Euler, EDM Heun, EDM stochastic and DPM-Solver++(2M) on sigma grids, and a Langevin corrector), timestep spacings and time encodings, the wrapped-normal score and guidance helpers. Framework-free:
 * flat `Float32Array | Float64Array` `[N, 3]` arrays with `out` parameters.
 *
 * Units (SPEC §1, same as `mddm_torch.py`): `a_t` is the noise variance in box-fraction units; the
 * forward displacement along axis `d` is `L_d * sqrt(a_t) * eps`.
 */
export { ScheduleError } from './errors';
export type { NoiseSchedule } from './schedule';
export { cosineSchedule, geometricSchedule, linearSchedule, scheduleFromFunction, wrappedUniformityDeviation } from './schedule';
export type { Rng, RngState } from './rng';
export { createRng } from './rng';
export type { PosteriorVariance, FinalStep, WrappedDiffusionOptions, StepToOptions, TimestepsOptions } from './diffusion';
export { WrappedDiffusion } from './diffusion';
export type {
  EpsFunction, NoiseSource, SamplerContext, Predictor, Corrector, LangevinCorrectorOptions, SamplerStep, SamplerOptions, SamplerResult,
} from './sampler';
export { runSampler, ancestralPredictor, langevinCorrector } from './sampler';
export type { NoiseSpacing, NoiseLevelsOptions } from './noise-levels';
export { sigmaAt, timestepAt, noiseLevels } from './noise-levels';
export { eulerPredictor } from './sampler-euler';
export { heunPredictor } from './sampler-heun';
export type { EdmStochasticOptions } from './sampler-edm-stochastic';
export { edmStochasticPredictor } from './sampler-edm-stochastic';
export { dpmSolver2MPredictor } from './sampler-dpmpp-2m';
export type { TimestepSpacing, TimeEncoding } from './timesteps';
export { samplingTimesteps, timestepCdf, drawFromCdf, encodeTime } from './timesteps';
export { sampleUniformBox } from './uniform';
export {
  WRAPPED_SCORE_CROSSOVER, wrappedNormalScore, wrappedNormalLogDensity, wrappedNormalScoreImageSum, wrappedNormalScoreFourier,
  wrappedNormalScores, wrappedScoreLambda, scoreLambdaTable, wrappedScoreTarget, epsFromScoreTarget,
} from './score';
export { classifierFreeGuidance, classifierFreeGuidanceEps, inpaint, variationStart } from './guidance';

export { EuclideanDiffusion } from './euclideanDiffusion';
export { sampleGaussianCloud } from './gaussianCloud';
export { recenter } from './recenter';
