import { MddmError, type MddmErrorOptions } from '@mddm/core';

/**
 * Error of the `mddm` command line: a missing, unknown or malformed flag, an unknown model, a file it
 * cannot read or write. The CLI prints its message as one line and exits non-zero.
 *
 * Codes: `CLI_USAGE` (bad flags or arguments: exit 2), `CLI_NOT_FOUND` (unknown model, missing
 * file: exit 1), `CLI_IO` (cannot write an output: exit 1).
 */
export class CliError extends MddmError {
  /**
   * @param message - one line naming the bad value and what is expected
   * @param code - one of the `CLI_*` codes listed on the class
   * @param options - `cause`: the lower-level error
   */
  constructor(message: string, code = 'CLI_USAGE', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}
