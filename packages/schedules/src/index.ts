/**
 * @packageDocumentation
 * MDDM noise schedules, the wrapped variance-exploding forward process, exact posteriors, samplers
 * (ancestral, strided, deterministic), the wrapped-normal score and guidance helpers. Framework-free:
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
export type {
  PosteriorVariance, FinalStep, WrappedDiffusionOptions, StepToOptions, TimestepsOptions, EpsFunction, EpsFunctionAsync, SampleOptions,
} from './diffusion';
export { WrappedDiffusion } from './diffusion';
export { sampleUniformBox } from './uniform';
export {
  WRAPPED_SCORE_CROSSOVER, wrappedNormalScore, wrappedNormalLogDensity, wrappedNormalScoreImageSum, wrappedNormalScoreFourier,
  wrappedNormalScores, wrappedScoreLambda, scoreLambdaTable, wrappedScoreTarget, epsFromScoreTarget,
} from './score';
export { classifierFreeGuidance, inpaint, variationStart } from './guidance';

/** Package name, for diagnostics. */
export const PACKAGE_NAME = '@mddm/schedules';
