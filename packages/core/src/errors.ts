/** Options of {@link MddmError}: the lower-level error this one was raised for. */
export interface MddmErrorOptions {
  /** The error that caused this one (kept, with its own `code`, for diagnostics). */
  cause?: unknown;
}

/**
 * Base class of every error thrown by an mddm package. Each package derives its own typed error
 * (`PbcError`, `RdfError`, `ScheduleError`, `IoError`, `EdgeConvError`, `ModelError`, {@link CoreError})
 * from it, so callers can catch all library errors with one `instanceof` check and switch on `code`.
 *
 * The message names the offending value once and what was expected. When a package reports an
 * error raised by a lower package, the lower error is kept as `cause` (with its own code).
 */
export class MddmError extends Error {
  /** Stable machine-readable error code, e.g. `'PBC_BAD_BOX'`. */
  readonly code: string;

  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - stable machine-readable code (default `'MDDM_ERROR'`)
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'MDDM_ERROR', options?: MddmErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Error thrown by `@mddm/core` for invalid input: a seed that is not a safe integer, a bad random
 * generator state, bad arguments of a generator method.
 *
 * Codes: `CORE_BAD_SEED`, `CORE_BAD_STATE`, `CORE_BAD_ARG`.
 */
export class CoreError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `CORE_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'CORE_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}
