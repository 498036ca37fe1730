/**
 * Base class of every error thrown by an mddm package. Each package derives its own typed error
 * (e.g. {@link PbcError}) from it, so callers can catch all library errors with one `instanceof` check.
 *
 * The message always names the offending value and what was expected.
 */
export class MddmError extends Error {
  /** Stable machine-readable error code, e.g. `'PBC_BAD_BOX'`. */
  readonly code: string;

  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - stable machine-readable code (default `'MDDM_ERROR'`)
   */
  constructor(message: string, code = 'MDDM_ERROR') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Error thrown by `@mddm/pbc` for invalid input: bad box, positions whose length is not a multiple
 * of 3, NaN/Inf coordinates, invalid `k` or `rMax`, mismatched `out` buffers.
 *
 * Codes: `PBC_BAD_BOX`, `PBC_BAD_POSITIONS`, `PBC_BAD_K`, `PBC_BAD_RMAX`, `PBC_BAD_OUT`,
 * `PBC_BAD_INDEX`, `PBC_BAD_FRAMES`.
 */
export class PbcError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `PBC_*` codes listed on the class
   */
  constructor(message: string, code = 'PBC_ERROR') {
    super(message, code);
  }
}

/**
 * Short printable form of an arbitrary value for error messages: numbers as written (`-0` kept),
 * strings quoted, arrays as their first 6 items, typed arrays as `Float64Array(length 3000)`,
 * other objects by constructor name. Every mddm package's errors use it.
 *
 * @param value - anything
 * @returns a one-line description, never throws
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.slice(0, 6).map(describeValue).join(', ')}${value.length > 6 ? ', ...' : ''}]`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/** @internal Short alias of {@link describeValue} used inside this package. */
export const describe = describeValue;
