import { MddmError, checkNumber as checkLimits, describeValue, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/model` for invalid input or unusable files. The message names the
 * offending value and what was expected.
 *
 * Codes:
 * - `MODEL_BAD_CONFIG`: a denoiser / training / sampling option is out of range.
 * - `MODEL_BAD_INPUT`: positions, boxes, conditions or data sets of the wrong shape or value.
 * - `MODEL_CONFIG_MISMATCH`: a checkpoint was written for a different denoiser configuration.
 * - `MODEL_CHECKPOINT_MISSING`: a checkpoint directory or one of its files does not exist.
 * - `MODEL_CHECKPOINT_CORRUPT`: a checkpoint file is truncated, has a bad checksum or bad JSON.
 * - `MODEL_BACKEND_UNAVAILABLE`: the requested TensorFlow.js backend cannot be loaded.
 * - `MODEL_NO_BACKEND`: no TensorFlow.js backend is selected yet (call `await selectBackend()` first).
 * - `MODEL_SIGMA_OUT_OF_RANGE`: a noise level outside the band the denoiser was trained on.
 */
export class ModelError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `MODEL_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports (e.g. the `PbcError` of a bad box)
   */
  constructor(message: string, code = 'MODEL_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}

const badConfig = (message: string) => new ModelError(message, 'MODEL_BAD_CONFIG');

/**
 * @internal Throws `MODEL_BAD_CONFIG` unless `value` is an integer in `[min, max]`; the message gives
 * the readable limits of `@mddm/core` (`"an integer >= 1"` when there is no upper bound).
 */
export function checkInt(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return checkLimits(value, name, { integer: true, min, max }, badConfig);
}

/** @internal Throws `MODEL_BAD_CONFIG` unless `value` is a finite number in `[min, max]` (readable limits). */
export function checkNumber(value: unknown, name: string, min = -Infinity, max = Infinity): number {
  return checkLimits(value, name, { min, max }, badConfig);
}
