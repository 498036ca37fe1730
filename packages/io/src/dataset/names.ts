/** Names of the shipped OPP data sets (see the package README for what each holds). */
export const DATASET_NAMES = ['opp-unconditional', 'opp-replicas', 'opp-train', 'opp-test'] as const;

/** A shipped data set name: `'opp-unconditional' | 'opp-replicas' | 'opp-train' | 'opp-test'`. */
export type DatasetName = (typeof DATASET_NAMES)[number];
