import { describeValue } from '@mddm/core';
import { DataError } from './errors';

/**
 * Names of the shipped OPP data sets (see the package README for what each holds):
 * `opp-unconditional`, `opp-replicas`, `opp-train`, `opp-test`, and the evaluation replicas
 * `opp-test-replicas`, `opp-train-replicas` (more LAMMPS runs at `opp-test`'s / `opp-train`'s
 * parameters; see {@link replicasOf}), and `opp-state-frames` (20 more independent runs at the
 * unconditional state point, for training on a thermal ensemble), and `opp-train-ext` (the
 * extension of the training set: up to 800 more Latin-hypercube draws over `opp-train`'s ranges,
 * packed as far as generated; the manifest's `count` says how many), `opp-train-ext2` (a second,
 * independent hypercube of 800, packed the same way), and `opp-train-twins` (one more run at each
 * `opp-train` set from 0025 on: multimodality to train on).
 */
export const DATASET_NAMES = ['opp-unconditional', 'opp-replicas', 'opp-train', 'opp-test', 'opp-test-replicas', 'opp-train-replicas', 'opp-state-frames', 'opp-train-ext', 'opp-train-twins', 'opp-train-ext2'] as const;

/** A shipped data set name, one of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/**
 * Checks a data set name.
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` unless it is one of {@link DATASET_NAMES}
 * @internal
 */
export function checkDatasetName(name: unknown): asserts name is DatasetName {
  if (!(DATASET_NAMES as readonly unknown[]).includes(name)) {
    throw new DataError(`unknown data set ${describeValue(name)}; expected one of ${DATASET_NAMES.map((n) => `'${n}'`).join(', ')}`, 'DATA_BAD_ARGUMENT');
  }
}
