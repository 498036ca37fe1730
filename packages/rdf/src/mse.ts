import { describeValue } from '@mddm/core';
import { RdfError } from './errors';
import { isRdfResult } from './result';
import type { RdfResult } from './result';

function curveOf(x: ArrayLike<number> | RdfResult, name: string): ArrayLike<number> {
  if (isRdfResult(x)) return x.g;
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    throw new RdfError(`rdfMse: ${name} must be an array of g values or an RdfResult, got ${describeValue(x)}`, 'RDF_BAD_VALUE');
  }
  return x as ArrayLike<number>;
}

/**
 * RDF-MSE (SPEC §3): the mean over bins of `(g1_b - g2_b)^2`. Both curves must use the same binning.
 *
 * @param g1 - g values `[bins]` or an {@link RdfResult}
 * @param g2 - g values `[bins]` or an {@link RdfResult}
 * @returns the mean squared difference (dimensionless, >= 0)
 * @throws {@link RdfError} `RDF_MISMATCH` if the lengths differ or two results have different `bins` /
 *   `rMax`; `RDF_BAD_VALUE` on an empty curve or a non-finite value
 */
export function rdfMse(g1: ArrayLike<number> | RdfResult, g2: ArrayLike<number> | RdfResult): number {
  if (isRdfResult(g1) && isRdfResult(g2)) {
    if (g1.bins !== g2.bins) {
      throw new RdfError(`rdfMse: the two RDFs have different bin counts (${g1.bins} vs ${g2.bins}); compare RDFs with the same binning`, 'RDF_MISMATCH');
    }
    if (Math.abs(g1.rMax - g2.rMax) > 1e-12 * Math.max(g1.rMax, g2.rMax)) {
      throw new RdfError(`rdfMse: the two RDFs have different rMax (${g1.rMax} vs ${g2.rMax}); compare RDFs with the same binning`, 'RDF_MISMATCH');
    }
  }
  const a = curveOf(g1, 'g1'), b = curveOf(g2, 'g2');
  if (a.length !== b.length) {
    throw new RdfError(`rdfMse: g1 has ${a.length} bins but g2 has ${b.length}; they must have the same length`, 'RDF_MISMATCH');
  }
  if (a.length === 0) throw new RdfError('rdfMse: got empty curves; expected at least one bin', 'RDF_BAD_VALUE');
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RdfError(`rdfMse: g1[${i}] must be a finite number, got ${describeValue(x)}`, 'RDF_BAD_VALUE');
    if (typeof y !== 'number' || !Number.isFinite(y)) throw new RdfError(`rdfMse: g2[${i}] must be a finite number, got ${describeValue(y)}`, 'RDF_BAD_VALUE');
    const d = x - y;
    s += d * d;
  }
  return s / a.length;
}
