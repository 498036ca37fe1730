/**
 * @packageDocumentation
 * MDDM noise schedules, the wrapped variance-exploding forward process, exact posteriors, samplers
 * (one driver, `runSampler`, over ancestral / strided / deterministic predictors and a Langevin corrector), timestep spacings and time encodings, the wrapped-normal score and guidance helpers. Framework-free:
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
export type { TimestepSpacing, TimeEncoding } from './timesteps';
export { samplingTimesteps, timestepCdf, drawFromCdf, encodeTime } from './timesteps';
export { sampleUniformBox } from './uniform';
export {
  WRAPPED_SCORE_CROSSOVER, wrappedNormalScore, wrappedNormalLogDensity, wrappedNormalScoreImageSum, wrappedNormalScoreFourier,
  wrappedNormalScores, wrappedScoreLambda, scoreLambdaTable, wrappedScoreTarget, epsFromScoreTarget,
} from './score';
export { classifierFreeGuidance, classifierFreeGuidanceEps, inpaint, variationStart } from './guidance';

