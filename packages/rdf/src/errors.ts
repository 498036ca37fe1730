import { MddmError } from '@mddm/pbc';

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
   */
  constructor(message: string, code = 'RDF_ERROR') {
    super(message, code);
  }
}

/** @internal Short printable form of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `Array(length ${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
