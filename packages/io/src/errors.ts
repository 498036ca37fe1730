import { MddmError, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/io` for malformed files and bad arguments. When the problem is in a file,
 * {@link IoError.file} and {@link IoError.line} (1-based) locate it and the message starts with
 * `file:line:`.
 *
 * Codes: `IO_PARSE` (malformed content: truncated frame, wrong atom count, non-numeric field,
 * missing `Lattice`, ...), `IO_UNSUPPORTED` (valid but unsupported, e.g. a triclinic cell),
 * `IO_BAD_FRAME` (a frame given to a writer is invalid), `IO_BAD_ARGUMENT`, `IO_NOT_FOUND`
 * (missing data set or file). LAMMPS failures are the subclass `LammpsError` (`LAMMPS_*` codes).
 */
export class IoError extends MddmError {
  /** File name the error refers to (`'<text>'` for in-memory input), if any. */
  readonly file?: string;
  /** 1-based line number in {@link IoError.file}, if any. */
  readonly line?: number;

  /**
   * @param message - what is wrong: the offending value and what was expected
   * @param code - one of the `IO_*` codes listed on the class
   * @param where - file name and 1-based line number, prefixed to the message as `file:line: `
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'IO_ERROR', where: { file?: string; line?: number } = {}, options?: MddmErrorOptions) {
    const prefix = where.file !== undefined ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
    super(prefix + message, code, options);
    this.file = where.file;
    this.line = where.line;
  }
}
