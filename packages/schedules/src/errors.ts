import { MddmError, checkNumber, describeValue, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/schedules` for invalid input. The message names the offending value and
 * what is expected.
 *
 * Codes:
 * - `SCHEDULE_BAD_T`: number of steps `T` is not an integer >= 1
 * - `SCHEDULE_T_RANGE`: a timestep `t` is not an integer in the allowed range (e.g. `0..T`, `1..T`)
 * - `SCHEDULE_LENGTH`: array lengths do not match (or are not a multiple of 3), or a bad `out` buffer
 * - `SCHEDULE_NAN`: a NaN / infinite value in an input array or scalar
 * - `SCHEDULE_BAD_SCHEDULE`: schedule values that are negative, non-finite or not strictly increasing
 * - `SCHEDULE_BAD_ARG`: any other bad argument (box, seed, sigma, eta, option value, RNG state)
 */
export class ScheduleError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `SCHEDULE_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports (e.g. the `PbcError` of a bad box)
   */
  constructor(message: string, code = 'SCHEDULE_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}

/** @internal Throw unless `T` is an integer >= 1. */
export function checkT(T: unknown, fn: string): number {
  return checkNumber(T, `${fn}: T (number of diffusion steps)`, { integer: true, min: 1 }, (m) => new ScheduleError(m, 'SCHEDULE_BAD_T'));
}

/** @internal Throw unless `t` is an integer in `lo..hi`. */
export function checkStep(t: unknown, lo: number, hi: number, fn: string, name = 't'): number {
  if (typeof t !== 'number' || !Number.isInteger(t) || t < lo || t > hi) {
    throw new ScheduleError(`${fn}: ${name} must be an integer in ${lo}..${hi}, got ${describeValue(t)}`, 'SCHEDULE_T_RANGE');
  }
  return t;
}

/** @internal Throw unless `v` is a finite number. */
export function checkFinite(v: unknown, fn: string, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ScheduleError(`${fn}: ${name} must be a finite number, got ${describeValue(v)}`, 'SCHEDULE_NAN');
  }
  return v;
}

/** @internal Throw unless `a` is a Float32Array/Float64Array whose length is a multiple of 3. Returns N. */
export function checkVec3(a: unknown, fn: string, name: string): number {
  if (!(a instanceof Float64Array || a instanceof Float32Array)) {
    throw new ScheduleError(`${fn}: ${name} must be a Float32Array or Float64Array (flat [N, 3]), got ${describeValue(a)}`, 'SCHEDULE_LENGTH');
  }
  if (a.length % 3 !== 0) {
    throw new ScheduleError(`${fn}: ${name}.length must be a multiple of 3 (flat [N, 3]), got ${a.length}`, 'SCHEDULE_LENGTH');
  }
  return a.length / 3;
}

/** @internal Throw unless `b` is a float array with the same length as `a` (named `aName`). */
export function checkSameLength(a: ArrayLike<number>, b: unknown, fn: string, aName: string, bName: string): void {
  if (!(b instanceof Float64Array || b instanceof Float32Array)) {
    throw new ScheduleError(`${fn}: ${bName} must be a Float32Array or Float64Array, got ${describeValue(b)}`, 'SCHEDULE_LENGTH');
  }
  if (b.length !== a.length) {
    throw new ScheduleError(`${fn}: ${bName}.length (${b.length}) must equal ${aName}.length (${a.length})`, 'SCHEDULE_LENGTH');
  }
}

/** @internal Throw unless `out` (if given) has the same constructor and length as `src`. */
export function checkOut(src: Float32Array | Float64Array, out: unknown, fn: string): void {
  if (out === undefined) return;
  if (!(out instanceof Float64Array || out instanceof Float32Array) || out.constructor !== src.constructor || out.length !== src.length) {
    throw new ScheduleError(
      `${fn}: out must be a ${src.constructor.name} of length ${src.length} (same type and length as the input), got ${describeValue(out)}`,
      'SCHEDULE_LENGTH',
    );
  }
}

/**
 * @internal Called after a hot loop produced a non-finite value at flat index `i`: find which input
 * is to blame and throw a `SCHEDULE_NAN` error naming it.
 */
export function throwNonFinite(
  fn: string, i: number, inputs: ReadonlyArray<readonly [string, ArrayLike<number> | null | undefined]>, offset = 0,
): never {
  for (const [name, arr] of inputs) {
    if (arr && !Number.isFinite(arr[i])) {
      throw new ScheduleError(`${fn}: ${name}[${i + offset}] must be finite, got ${describeValue(arr[i])}`, 'SCHEDULE_NAN');
    }
  }
  throw new ScheduleError(`${fn}: non-finite result at index ${i + offset} (inputs too large?)`, 'SCHEDULE_NAN');
}
