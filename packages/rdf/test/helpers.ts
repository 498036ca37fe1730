import { mulberry32 } from '@mddm/core';

/** Deterministic PRNG for tests: the one mulberry32 of `@mddm/core`, uniform in [0, 1). */
export { mulberry32 };

/** N uniform random points in [0, Lx) x [0, Ly) x [0, Lz). */
export function uniformPoints(n: number, L: number | [number, number, number], seed: number): Float64Array {
  const [lx, ly, lz] = typeof L === 'number' ? [L, L, L] : L;
  const rnd = mulberry32(seed);
  const x = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    x[3 * i] = rnd() * lx;
    x[3 * i + 1] = rnd() * ly;
    x[3 * i + 2] = rnd() * lz;
  }
  return x;
}

/**
 * Independent O(N^2) reference: ordered pairs (i in A, j in B, i != j) whose minimum-image distance
 * (Math.round convention, no wrapping) is < rMax, histogrammed with floor(r / dr).
 */
export function bruteCounts(
  x: ArrayLike<number>, L: number | [number, number, number], rMax: number, bins: number,
  A?: ArrayLike<number>, B?: ArrayLike<number>,
): Float64Array {
  const [lx, ly, lz] = typeof L === 'number' ? [L, L, L] : L;
  const n = x.length / 3;
  const all = Array.from({ length: n }, (_, i) => i);
  const a = A ? Array.from(A) : all, b = B ? Array.from(B) : all;
  const dr = rMax / bins;
  const h = new Float64Array(bins);
  for (const i of a) {
    for (const j of b) {
      if (i === j) continue;
      let dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
      dx -= lx * Math.round(dx / lx);
      dy -= ly * Math.round(dy / ly);
      dz -= lz * Math.round(dz / lz);
      const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (r < rMax) h[Math.min(Math.floor(r / dr), bins - 1)]++;
    }
  }
  return h;
}

/** Simple-cubic lattice with spacing a, m x m x m sites, coordinates (i + offset) * a. */
export function cubicLattice(m: number, a = 1, offset = 0): Float64Array {
  const x = new Float64Array(3 * m * m * m);
  let p = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    x[p++] = (i + offset) * a; x[p++] = (j + offset) * a; x[p++] = (k + offset) * a;
  }
  return x;
}

/** Sum of an array. */
export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
