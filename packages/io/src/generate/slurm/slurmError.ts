import type { MddmErrorOptions } from '@mddm/core';
import { IoError } from '../../errors';

/**
 * Raised by the Slurm executor. An {@link IoError}, so one `instanceof IoError` catches every
 * `@mddm/io` error. Codes: `SLURM_NOT_FOUND` (`sbatch`/`squeue` cannot be started on this host),
 * `SLURM_SUBMIT_FAILED` (`sbatch` refused the job array; the message holds its stderr),
 * `SLURM_QUERY_FAILED` (`squeue` failed), `SLURM_BAD_OPTION` (an executor option is invalid),
 * `SLURM_BAD_STATE` (`state.json` unreadable; never overwritten), `SLURM_BUSY` (another live process
 * follows the same work folder).
 * A failing array task is not an exception: it is reported per task with its job id and log path.
 */
export class SlurmError extends IoError {
  /**
   * @param message - what went wrong
   * @param code - one of the `SLURM_*` codes listed on the class
   * @param options - `cause`: the lower-level error this one reports
   */
  constructor(message: string, code = 'SLURM_SUBMIT_FAILED', options?: MddmErrorOptions) {
    super(message, code, {}, options);
  }
}
