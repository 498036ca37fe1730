import { describeValue } from '@mddm/core';
import { RdfError } from './errors';
import { binEdges, isRdfResult, shellVolumes } from './result';
import type { RdfResult } from './result';

/**
 * Running coordination number at the bin edges: `n(r_k) = sum_{b < k} rho g_b 4/3 pi (r_{b+1}^3 - r_b^3)`,
 * the integral of `4 pi r^2 rho g(r) dr` from 0 to `r_k` with g constant on each bin (exactly the
 * histogram's own model, so there is no quadrature error).
 *
 * For an {@link RdfResult}, `rho = pairDensity / referenceCount` (= `(N - 1) / V` for one frame of the
 * full RDF; `N_B / V` for a partial RDF with disjoint sets) and `n(r_k)` equals the mean number of
 * (B-)neighbors j != i within distance `r_k` of a (reference) particle, averaged over all reference
 * particles of all frames: `sum_{b<k} counts_b / referenceCount`, exact up to rounding.
 *
 * @param source - an {@link RdfResult}, or g values `[bins]` (then `options` is required)
 * @param options - for raw g values: `rMax` (LJ length) and `density` rho (LJ length^-3)
 * @returns `[bins + 1]` coordination numbers at `edges` (`n[0] = 0`)
 * @throws {@link RdfError} on a non-finite g, missing / bad `rMax` or `density`
 */
export function coordinationNumber(source: RdfResult | ArrayLike<number>, options?: { rMax: number; density: number }): Float64Array {
  let g: ArrayLike<number>, edges: Float64Array, rho: number;
  if (isRdfResult(source)) {
    g = source.g;
    edges = source.edges;
    rho = source.pairDensity / source.referenceCount;
  } else {
    if (source === null || typeof source !== 'object' || typeof (source as ArrayLike<number>).length !== 'number') {
      throw new RdfError(`coordinationNumber: expected an RdfResult or an array of g values, got ${describeValue(source)}`, 'RDF_BAD_VALUE');
    }
    if (options === undefined) {
      throw new RdfError('coordinationNumber: raw g values need options { rMax, density }', 'RDF_BAD_VALUE');
    }
    if (typeof options.density !== 'number' || !Number.isFinite(options.density) || options.density < 0) {
      throw new RdfError(`coordinationNumber: density must be a finite number >= 0, got ${describeValue(options.density)}`, 'RDF_BAD_VALUE');
    }
    g = source;
    if (g.length === 0) throw new RdfError('coordinationNumber: got an empty g; expected at least one bin', 'RDF_BAD_VALUE');
    edges = binEdges(g.length, options.rMax);
    rho = options.density;
  }
  const shells = shellVolumes(edges);
  const out = new Float64Array(g.length + 1);
  let acc = 0;
  for (let b = 0; b < g.length; b++) {
    const v = g[b];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RdfError(`coordinationNumber: g[${b}] must be a finite number, got ${describeValue(v)}`, 'RDF_BAD_VALUE');
    acc += rho * v * shells[b];
    out[b + 1] = acc;
  }
  return out;
}
