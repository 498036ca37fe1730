import { MddmError, type MddmErrorOptions } from '@mddm/core';

/**
 * Error thrown by `@mddm/metrics`. Codes:
 * - `METRICS_BAD_INPUT`: point clouds that are not flat finite `[N, 3]` arrays, or a bad option;
 * - `METRICS_NO_CONVERGENCE`: Sinkhorn did not reach the tolerance within `maxIterations`.
 */
export class MetricsError extends MddmError {
  /**
   * @param message - what was wrong, naming the value
   * @param code - one of the `METRICS_*` codes
   * @param options - `cause`
   */
  constructor(message: string, code = 'METRICS_ERROR', options?: MddmErrorOptions) {
    super(message, code, options);
  }
}
