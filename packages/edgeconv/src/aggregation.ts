/**
 * Aggregation of the messages over the k neighbors of a node: `max` (the paper), `mean` or `sum`.
 * Shared with `@mddm/model`, whose denoiser configures its layers with it.
 */
export type Aggregation = 'max' | 'mean' | 'sum';

/** Every {@link Aggregation}, in the order error messages list them. */
export const AGGREGATIONS: readonly Aggregation[] = ['max', 'mean', 'sum'];
