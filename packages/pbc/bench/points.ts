/** Deterministic uniform points in [0, L)^3 (xorshift-based, independent of Math.random). */
export function uniformPoints(n: number, L: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const x = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    x[i] = (s / 4294967296) * L;
  }
  return x;
}
