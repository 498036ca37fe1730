/**
 * @packageDocumentation
 * Periodic boxes: wrap, minimum image, periodic kNN and cutoff neighbor lists (cell lists, O(N)). No runtime dependencies.
 */
export const PACKAGE_NAME = '@mddm/pbc';
