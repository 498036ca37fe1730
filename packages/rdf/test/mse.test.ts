import { describe, expect, it } from 'vitest';
import { RdfError, rdf, rdfMse } from '@mddm/rdf';
import { uniformPoints } from './helpers';

describe('rdfMse', () => {
  it('is the mean over bins of the squared difference', () => {
    expect(rdfMse([1, 2, 3, 4], [1, 0, 3, 1])).toBeCloseTo((0 + 4 + 0 + 9) / 4, 15);
    expect(rdfMse(new Float64Array([0.5]), new Float32Array([1.5]))).toBe(1);
    expect(rdfMse([1, 2], [1, 2])).toBe(0);
  });

  it('accepts results and mixes of results and arrays, symmetric', () => {
    const a = rdf(uniformPoints(300, 10, 1), 10), b = rdf(uniformPoints(300, 10, 2), 10);
    let s = 0;
    for (let i = 0; i < 100; i++) s += (a.g[i] - b.g[i]) ** 2;
    expect(rdfMse(a, b)).toBeCloseTo(s / 100, 14);
    expect(rdfMse(a, b.g)).toBe(rdfMse(a, b));
    expect(rdfMse(b, a)).toBe(rdfMse(a, b));
    expect(rdfMse(a, a)).toBe(0);
  });

  it('rejects mismatched lengths / binning and bad values', () => {
    const a = rdf(uniformPoints(100, 10, 1), 10);
    const b = rdf(uniformPoints(100, 10, 1), 10, { bins: 50 });
    const c = rdf(uniformPoints(100, 10, 1), 10, { rMax: 4 });
    expect(() => rdfMse(a, b)).toThrow(/different bin counts \(100 vs 50\)/);
    expect(() => rdfMse(a, c)).toThrow(/different rMax \(5 vs 4\)/);
    expect(() => rdfMse(a, b.g)).toThrow(/100 bins but g2 has 50/);
    expect(() => rdfMse([1, 2], [1])).toThrow(RdfError);
    expect(() => rdfMse([], [])).toThrow(RdfError);
    expect(() => rdfMse([1, NaN], [1, 2])).toThrow(/g1\[1\] must be a finite number, got NaN/);
    expect(() => rdfMse([1, 2], [1, Infinity])).toThrow(RdfError);
    expect(() => rdfMse(null as never, [1])).toThrow(RdfError);
    try {
      rdfMse(a, b);
    } catch (e) {
      expect((e as RdfError).code).toBe('RDF_MISMATCH');
    }
  });
});
