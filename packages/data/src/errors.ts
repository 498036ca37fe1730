import { MddmError, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/data` when a data set cannot be loaded.
 *
 * Codes: `DATA_BAD_ARGUMENT` (unknown data set name, bad options), `DATA_NOT_FOUND` (the set is not
 * packed in the data folder, or the server answers 404), `DATA_FETCH_FAILED` (a network error or
 * another HTTP status), `DATA_UNSUPPORTED` (no `fetch` / `DecompressionStream` in this runtime).
 * A malformed data file is an `IoError` of `@mddm/io` (the XYZ parser's), naming the file or URL.
 */
export class DataError extends MddmError {
  /** The file or URL the error refers to, if any. */
  readonly source?: string;

  /**
   * @param message - what is wrong: the offending value and what was expected
   * @param code - one of the `DATA_*` codes listed on the class
   * @param source - the file or URL concerned, appended to the message
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'DATA_ERROR', source?: string, options?: MddmErrorOptions) {
    super(source === undefined ? message : `${message} (${source})`, code, options);
    this.source = source;
  }
}
