/**
 * @packageDocumentation
 * The shipped MDDM data sets: LAMMPS conformations of 1000 particles with the oscillating pair
 * potential in a 10^3 periodic box, loaded in Node (from the package's folder) or in a browser (by URL).
 */
export { DataError } from './errors';
export { DATASET_NAMES, type DatasetName } from './names';
export { loadDataset, type LoadDatasetOptions } from './load';
export { loadDataManifest } from './manifest';
export { replicasOf } from './replicas';
export { loadConditionPool, type ConditionFrame, type ConditionPoolSpec, type LoadConditionPoolOptions } from './conditionPool';
export { loadConditionIndex, type ConditionIndexEntry, type LoadConditionIndexOptions } from './conditionIndex';
export { defaultDataDir } from './paths';
export type { DataSourceOptions } from './source';
export type { DataManifest, PackedSet, PackedConformation } from '@mddm/io/browser';
