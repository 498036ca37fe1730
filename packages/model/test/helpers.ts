import { createDenoiser, type DenoiserConfig } from '../src/index';

/** A tiny denoiser for fast tests. */
export function tinyDenoiser(extra: DenoiserConfig = {}) {
  return createDenoiser({ k: 8, layers: 2, width: 8, hidden: [8], headHidden: [16], ...extra });
}

/** Deterministic jittered simple-cubic lattice of m^3 particles, spacing 1, box m. */
export function lattice(m: number, jitter = 0.1, seed = 1): Float64Array {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const pos = new Float64Array(m * m * m * 3);
  let q = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++)
      for (let k = 0; k < m; k++) {
        pos[q++] = i + 0.5 + jitter * (r() - 0.5);
        pos[q++] = j + 0.5 + jitter * (r() - 0.5);
        pos[q++] = k + 0.5 + jitter * (r() - 0.5);
      }
  return pos;
}
