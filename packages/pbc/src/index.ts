/**
 * @packageDocumentation
 * `@mddm/pbc`: periodic boxes — wrap, minimum image, exact periodic kNN and cutoff neighbor lists
 * (cell lists, O(N)). No runtime dependencies, browser-safe. Lengths are in LJ units; point sets
 * are flat row-major `[N, 3]` `Float32Array | Float64Array`.
 */
export { MddmError, PbcError, describeValue } from './errors';
export type { Box, BoxLike, OrthorhombicBox } from './box';
export { toBox } from './box';
export type { Vec3Array } from './positions';
export { validatePositions } from './positions';
export { wrap } from './wrap';
export { minimumImage, minimumImageDistance } from './minimumImage';
export type { KnnResult, PeriodicKnnOptions } from './knn';
export { periodicKnn, periodicKnnBatch } from './knn';
export { KnnWorkspace } from './workspace';
export type { RadiusNeighbors } from './radius';
export { periodicRadiusNeighbors } from './radius';
