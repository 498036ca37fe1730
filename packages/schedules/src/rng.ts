// The random source lives in @mddm/core (one definition); @mddm/schedules re-exports it because
// every sampler here takes one.
export { createRng, type Rng, type RngState } from '@mddm/core';
