/**
 * @packageDocumentation
 * `@mddm/pbc`: periodic boxes — wrap, minimum image, exact periodic kNN and cutoff neighbor lists
 * (cell lists, O(N)). No runtime dependencies beyond `@mddm/core`, browser-safe. Lengths are in LJ
 * units; point sets are flat row-major `[N, 3]` `Float32Array | Float64Array`.
 */
export { PbcError } from './errors';
// Re-exported from @mddm/core (their one definition) so 0.1 imports from @mddm/pbc keep working.
export { MddmError, describeValue } from '@mddm/core';
export type { Box, BoxLike, OrthorhombicBox } from './box';
export { boxLengthsInto, toBox } from './box';
export type { Vec3Array } from './positions';
export { validatePositions } from './positions';
export { wrap, wrapScalar } from './wrap';
export { minimumImage, minimumImageDistance } from './minimumImage';
export { meanDisplacement } from './displacement';
export type { KnnResult } from './knnResult';
export type { PeriodicKnnBatchOptions, PeriodicKnnOptions } from './knn';
export { periodicKnn, periodicKnnBatch } from './knn';
export { KnnWorkspace } from './workspace';
export type { RadiusNeighbors } from './radius';
export { periodicRadiusNeighbors } from './radius';
export { PairList, periodicPairs } from './pairList';
