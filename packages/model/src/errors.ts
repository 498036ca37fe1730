import { MddmError, describeValue } from '@mddm/pbc';

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
 */
export class ModelError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `MODEL_*` codes listed on the class
   */
  constructor(message: string, code = 'MODEL_ERROR') {
    super(message, code);
  }
}

/** @internal Short printable form of a value for error messages (`describeValue` of `@mddm/pbc`). */
export const show = describeValue;

/** @internal Throws `MODEL_BAD_CONFIG` unless `value` is an integer in `[min, max]`. */
export function checkInt(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ModelError(`${name} must be an integer in [${min}, ${max}], got ${show(value)}`, 'MODEL_BAD_CONFIG');
  }
  return value;
}

/** @internal Throws `MODEL_BAD_CONFIG` unless `value` is a finite number in `[min, max]`. */
export function checkNumber(value: unknown, name: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ModelError(`${name} must be a finite number in [${min}, ${max}], got ${show(value)}`, 'MODEL_BAD_CONFIG');
  }
  return value;
}
