import { MddmError, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/rdf` for invalid input. The message names the offending value and what is
 * expected.
 *
 * Codes:
 * - `RDF_BAD_BINS`: `bins` is not an integer >= 1
 * - `RDF_BAD_RMAX`: `rMax` is not finite and > 0, or exceeds half the shortest box edge
 * - `RDF_BAD_INDICES`: an index set is empty, has a non-integer, out-of-range or duplicate entry
 * - `RDF_TOO_FEW_PAIRS`: a frame has no ordered pair (i, j), i != j (e.g. a single particle)
 * - `RDF_MISMATCH`: two curves / results / frames that must agree do not (length, bins, rMax)
 * - `RDF_BAD_VALUE`: a non-finite or otherwise invalid number (g, r, width, density, ...)
 * - `RDF_EMPTY`: nothing to report (accumulator without frames, plot without curves)
 */
export class RdfError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `RDF_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'RDF_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}
