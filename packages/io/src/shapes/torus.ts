import { checkNumber, createRng, describeValue } from '@mddm/core';
import { IoError } from '../errors';

/** Options of {@link sampleTorus}. */
export interface TorusOptions {
  /** Major radius R: distance from the z axis to the centre of the tube (default 1). */
  majorRadius?: number;
  /** Minor radius r: radius of the tube (default 0.4; must be < R). */
  minorRadius?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
}

const bad = (message: string) => new IoError(message, 'IO_BAD_ARGUMENT');

/**
 * `n` points uniform IN AREA on the torus about the z axis (paper Appendix B: R = 1, r = 0.4):
 * `(R + r cos theta) (cos phi, sin phi) , r sin theta`. Uniform angles would crowd the inner side;
 * the area element is `r (R + r cos theta) dtheta dphi`, so theta is drawn by rejection: propose
 * `theta ~ U(0, 2 pi)`, accept with probability `(R + r cos theta) / (R + r)`; phi is uniform.
 * Seeded (`createRng` of `@mddm/core`; the number of draws per point varies, the stream is fixed).
 *
 * @param n - number of points (integer >= 1)
 * @param options - `majorRadius` (default 1), `minorRadius` (default 0.4), `seed` (default 0)
 * @returns flat `[n, 3]` Float64Array (length units of the radii), centred at the origin
 * @throws IoError `IO_BAD_ARGUMENT` for a bad `n`, radii (need 0 < r < R) or seed
 */
export function sampleTorus(n: number, options: TorusOptions = {}): Float64Array {
  checkNumber(n, 'n', { integer: true, min: 1 }, bad);
  if (!options || typeof options !== 'object') throw bad(`options must be an object, got ${describeValue(options)}`);
  const R = checkNumber(options.majorRadius ?? 1, 'majorRadius', { above: 0 }, bad);
  const r = checkNumber(options.minorRadius ?? 0.4, 'minorRadius', { above: 0, below: R }, bad);
  const rng = createRng(checkNumber(options.seed ?? 0, 'seed', { integer: true, min: 0 }, bad));
  const x = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    let theta = 0;
    for (;;) {
      theta = 2 * Math.PI * rng.uniform();
      if (rng.uniform() * (R + r) <= R + r * Math.cos(theta)) break;
    }
    const phi = 2 * Math.PI * rng.uniform();
    const rho = R + r * Math.cos(theta);
    x[3 * i] = rho * Math.cos(phi);
    x[3 * i + 1] = rho * Math.sin(phi);
    x[3 * i + 2] = r * Math.sin(theta);
  }
  return x;
}
