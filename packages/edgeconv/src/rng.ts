// The one mulberry32 lives in @mddm/core (the weight initialization's stream is unchanged).
export { mulberry32 } from '@mddm/core';

/**
 * @internal Fills `out` with U(-limit, limit) samples from `rand`.
 */
export function fillUniform(out: Float32Array, limit: number, rand: () => number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (2 * rand() - 1) * limit;
  return out;
}
