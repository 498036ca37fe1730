/**
 * @packageDocumentation
 * The MDDM denoiser (Ferguson, Chen & Kara 2025) on TensorFlow.js: a periodic graph network
 * assembled from `@mddm/pbc` graphs and `@mddm/edgeconv` layers, training with Algorithm 1
 * (`train`), sampling with Algorithm 2 (`sample`), atomic checkpoints and backend selection.
 */
export { ModelError } from './errors';
export { selectBackend, ensureBackend, requireBackend, type BackendName, type SelectBackendOptions } from './backend';
export { MlpHead, mlpHead, type MlpHeadConfig, type Activation } from './head';
export {
  Denoiser,
  createDenoiser,
  composeDenoiser,
  mddmDenoiserFromSpec,
  type DenoiserConfig,
  type DenoiserParts,
  type DenoiserSpec,
  type DenoiserGraph,
  type Readout,
  type Conditioning,
  type TrainingInfo,
} from './denoiser';
export {
  OPP_CONDITION_ENCODERS,
  OPP_CONDITION_KEYS,
  conditionsOutOfRange,
  decodeConditionsInto,
  encodeConditionsInto,
  encodedWidth,
  type ConditionEncoder,
} from './conditions';
export { OPP_POTENTIAL_INPUT, POTENTIAL_INPUT_FEATURES, potentialFeaturesInto, type PotentialInput } from './potentialInput';
export { CUBE_SYMMETRIES, applySymmetry, boxSymmetries, rotateBackVectors } from './augment';
export { Adam, type AdamConfig, type AdamState } from './adam';
export {
  CHECKPOINT_MANIFEST,
  writeCheckpoint,
  readCheckpoint,
  applyCheckpoint,
  saveDenoiser,
  loadDenoiser,
  type CheckpointManifest,
  type CheckpointData,
  type CheckpointWeights,
} from './checkpoint';
export { WeightAverage } from './ema';
export { train, type TrainOptions, type TrainResult, type TrainProgress, type TrainingFrame, type TrainTarget } from './train';
export { drawConditions, drawnConditionCount, nearestTrainingFrames, nearestConditionRows, checkDrawOptions, DRAW_NEIGHBOURS, type DrawConditionsOptions } from './drawConditions';
export { sample, type SampleOptions, type SampleResult, type SampleProgress, type SampleConditions, type DenoiserEps } from './sample';
export type { RestartOptions } from './restart';
export { BALANCED_SAMPLER, DEFAULT_SAMPLER, FAST_SAMPLER, INPAINT_SAMPLER, QUALITY_SAMPLER, RESTART_SAMPLER, SAMPLERS, SOLVER_CHOICE_KEYS, type SamplerName, type SolverOptions } from './solvers';
export { trainedNoiseRange, timeInputAtSigma, type TrainedNoiseRange } from './noiseLevel';
export { forces, denoiserForceField, type ForceOptions } from './forces';
export { forceAgreement, type ForceAgreement } from './forceAgreement';
export { inpaintSample, repaintPredictor, type CorrectorFixed, type InpaintOptions } from './inpaint';
export { variation, type VariationOptions, type VariationResult } from './variation';
export { retrievalSample, retrievalNeighbours, type RetrievalNeighbourOptions, type RetrievalDraw, type RetrievalFrame, type RetrievalSampleOptions, type RetrievalSampleResult } from './retrievalSample';
export { EnergyDenoiser, createEnergyDenoiser, energyDenoiserFromSpec, type EnergyDenoiserConfig, type EnergyOutput } from './energyDenoiser';
export { NoiseBandDenoiser, createNoiseBandDenoiser, noiseBandDenoiserFromSpec, type NoiseBandConfig, type NoiseBandSpec } from './noiseBandDenoiser';
export type { DenoiserLike, DenoiserSpecBase, PredictOptions } from './denoiserLike';
export { denoiserFromSpec, registerDenoiserKind, denoiserKinds, type DenoiserFactory } from './registry';
export { globalInputRows, type GlobalInputLayout } from './globalInput';
export { Transolver, createTransolver, transolverFromSpec, type TransolverSpec, type TransolverInput } from './transolver/transolver';
export type { TransolverConfig, ResolvedTransolverConfig } from './transolver/config';
