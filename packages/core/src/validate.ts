import { describeValue } from './describeValue';
import type { MddmError } from './errors';

/**
 * Allowed values of a number option. Bounds are inclusive (`min`, `max`) or exclusive (`above`,
 * `below`); unbounded sides are left out. `integer: true` also requires a safe integer.
 */
export interface NumberLimits {
  /** Require a (safe) integer. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound (e.g. `above: 0` for "> 0"). */
  readonly above?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Exclusive upper bound. */
  readonly below?: number;
}

/** Builds the error a check throws, e.g. `(m) => new PbcError(m, 'PBC_BAD_K')`. */
export type ErrorFactory = (message: string) => MddmError;

// Bounds at or beyond the safe-integer range say nothing a reader needs ("an integer >= 1" instead
// of "an integer in [1, 9007199254740991]").
const hasMin = (v: number | undefined): v is number => v !== undefined && v > -Number.MAX_SAFE_INTEGER;
const hasMax = (v: number | undefined): v is number => v !== undefined && v < Number.MAX_SAFE_INTEGER;

/**
 * Readable form of {@link NumberLimits}: `"an integer >= 1"`, `"a finite number in [0, 1]"`,
 * `"a finite number > 0"`, `"an integer in [2, 64]"`, `"a finite number > 0 and <= 1"`.
 *
 * @param limits - the allowed values
 * @returns a phrase that completes "x must be ..."
 */
export function describeLimits(limits: NumberLimits): string {
  const kind = limits.integer ? 'an integer' : 'a finite number';
  const { min, above, max, below } = limits;
  if (hasMin(min) && hasMax(max) && above === undefined && below === undefined) return `${kind} in [${min}, ${max}]`;
  const parts: string[] = [];
  if (hasMin(above)) parts.push(`> ${above}`);
  else if (hasMin(min)) parts.push(`>= ${min}`);
  if (hasMax(below)) parts.push(`< ${below}`);
  else if (hasMax(max)) parts.push(`<= ${max}`);
  return parts.length === 0 ? kind : `${kind} ${parts.join(' and ')}`;
}

/**
 * Whether `value` is a finite number (a safe integer when `limits.integer`) within `limits`.
 *
 * @param value - anything
 * @param limits - the allowed values
 * @returns `true` when `value` is allowed
 */
export function withinLimits(value: unknown, limits: NumberLimits): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (limits.integer && !Number.isSafeInteger(value)) return false;
  if (limits.min !== undefined && !(value >= limits.min)) return false;
  if (limits.above !== undefined && !(value > limits.above)) return false;
  if (limits.max !== undefined && !(value <= limits.max)) return false;
  if (limits.below !== undefined && !(value < limits.below)) return false;
  return true;
}

/**
 * Check a number option and return it, or throw `error("<name> must be <limits>, got <value>")`.
 *
 * @example
 * ```ts
 * checkNumber(k, 'k', { integer: true, min: 1 }, (m) => new PbcError(m, 'PBC_BAD_K'));
 * // PbcError: k must be an integer >= 1, got 0
 * ```
 *
 * @param value - the value to check
 * @param name - how the message names it (e.g. `'options.steps'`)
 * @param limits - the allowed values
 * @param error - builds the package's own error from the message
 * @returns `value`, typed as a number
 * @throws whatever `error` returns, when the value is not allowed
 */
export function checkNumber(value: unknown, name: string, limits: NumberLimits, error: ErrorFactory): number {
  if (!withinLimits(value, limits)) throw error(`${name} must be ${describeLimits(limits)}, got ${describeValue(value)}`);
  return value;
}
