/**
 * @packageDocumentation
 * `@mddm/core`: what every mddm package shares. The {@link MddmError} base class (each package
 * derives its own error from it), {@link describeValue} for error messages, number checks with
 * readable limits ({@link checkNumber}, {@link describeLimits}) and the seeded random generators
 * ({@link createRng}, and {@link mulberry32} for the streams existing data depends on). No runtime
 * dependencies, browser-safe.
 */
export { CoreError, MddmError, type MddmErrorOptions } from './errors';
export { describeValue } from './describeValue';
export { checkNumber, describeLimits, withinLimits, type ErrorFactory, type NumberLimits } from './validate';
export { createRng, type Rng, type RngState } from './rng/createRng';
export { mulberry32 } from './rng/mulberry32';
