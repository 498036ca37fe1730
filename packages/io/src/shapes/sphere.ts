import { checkNumber, createRng, describeValue } from '@mddm/core';
import { IoError } from '../errors';

/** Options of {@link sampleSphere}. */
export interface SphereOptions {
  /** Sphere radius (length units, default 1). */
  radius?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
}

const bad = (message: string) => new IoError(message, 'IO_BAD_ARGUMENT');

/**
 * `n` points uniform on a sphere centred at the origin (paper Appendix B: the unit sphere): the
 * directions of standard-normal 3-vectors, scaled to `radius`. Seeded (`createRng` of `@mddm/core`).
 *
 * @param n - number of points (integer >= 1; the paper's task uses 1024)
 * @param options - `radius` (default 1), `seed` (default 0)
 * @returns flat `[n, 3]` Float64Array (length units of `radius`)
 * @throws IoError `IO_BAD_ARG` for a bad `n`, radius or seed
 */
export function sampleSphere(n: number, options: SphereOptions = {}): Float64Array {
  checkNumber(n, 'n', { integer: true, min: 1 }, bad);
  if (!options || typeof options !== 'object') throw bad(`options must be an object, got ${describeValue(options)}`);
  const radius = checkNumber(options.radius ?? 1, 'radius', { above: 0 }, bad);
  const rng = createRng(checkNumber(options.seed ?? 0, 'seed', { integer: true, min: 0 }, bad));
  const x = new Float64Array(3 * n);
  const v = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    let r = 0;
    while (!(r > 1e-12)) {
      rng.fillNormal(v);
      r = Math.hypot(v[0], v[1], v[2]);
    }
    for (let c = 0; c < 3; c++) x[3 * i + c] = (radius * v[c]) / r;
  }
  return x;
}
