import { MddmError } from '@mddm/core';

/**
 * Error thrown by `@mddm/edgeconv` for invalid input: a malformed graph, features or global features
 * whose shapes do not match the graph or the layer's config, NaN/Inf values, bad configs, or weights
 * of the wrong shape.
 *
 * Codes: `EDGECONV_BAD_GRAPH`, `EDGECONV_BAD_FEATURES`, `EDGECONV_BAD_GLOBAL`, `EDGECONV_BAD_CONFIG`,
 * `EDGECONV_BAD_WEIGHTS`, `EDGECONV_BAD_K`, `EDGECONV_BAD_POSITIONS`, `EDGECONV_DISPOSED`, `EDGECONV_NO_TAPE`,
 * `EDGECONV_WORKER` (the kernel's worker thread died), `EDGECONV_BAD_THREADS` (`setKernelThreads` with other than 1 or 2).
 */
export class EdgeConvError extends MddmError {
  /**
   * @param message - human-readable message naming the bad value and what is expected
   * @param code - one of the `EDGECONV_*` codes listed on the class
   */
  constructor(message: string, code = 'EDGECONV_ERROR') {
    super(message, code);
  }
}
