/**
 * @internal Small seeded PRNG (mulberry32) used for deterministic weight initialization.
 * Returns a function producing uniform floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @internal Fills `out` with U(-limit, limit) samples from `rand`.
 */
export function fillUniform(out: Float32Array, limit: number, rand: () => number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rand() - 1) * limit;
  return out;
}
