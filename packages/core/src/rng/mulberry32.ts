import { describeValue } from '../describeValue';
import { CoreError } from '../errors';

/**
 * mulberry32: a tiny seeded stream of 32-bit uniforms in `[0, 1)` (`k / 2^32`, 32 random bits).
 *
 * Use {@link createRng} for new code (53-bit uniforms, normals, integers, serializable state). This
 * stream exists because seeded outputs depend on it bit for bit: the `@mddm/io` data plans (the
 * shipped parameter draws and file ids) and `@mddm/edgeconv`'s deterministic weight initialization.
 *
 * @param seed - an integer; only its low 32 bits are used (`seed` and `seed + 2^32` give the same stream)
 * @returns a function returning the next uniform in `[0, 1)` on each call
 * @throws {@link CoreError} `CORE_BAD_SEED` if `seed` is not an integer
 */
export function mulberry32(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new CoreError(`mulberry32: seed must be an integer, got ${describeValue(seed)}`, 'CORE_BAD_SEED');
  }
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
