/**
 * @packageDocumentation
 * The MDDM denoiser: training, sampling and checkpoints on TensorFlow.js.
 */
export const PACKAGE_NAME = '@mddm/model';
