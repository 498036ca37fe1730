import { MddmError, type MddmErrorOptions } from '@mddm/core';

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
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'PBC_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}
