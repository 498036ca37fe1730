import type { MddmErrorOptions } from '@mddm/core';
import { IoError } from '../errors';

/**
 * Raised when LAMMPS is missing, fails, writes output that does not parse, or is given an invalid
 * protocol. An {@link IoError}, so one `instanceof IoError` catches every `@mddm/io` error. Codes:
 * `LAMMPS_NOT_FOUND` (with install instructions), `LAMMPS_FAILED` (non-zero exit; the message
 * ends with the tail of the LAMMPS log), `LAMMPS_BAD_OUTPUT`, `LAMMPS_BAD_PARAMETERS`,
 * `LAMMPS_BAD_PROTOCOL` (a protocol field out of range), `LAMMPS_ABORTED`.
 */
export class LammpsError extends IoError {
  /**
   * @param message - what went wrong
   * @param code - one of the `LAMMPS_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'LAMMPS_FAILED', options?: MddmErrorOptions) {
    super(message, code, {}, options);
  }
}
