import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RdfError, ensembleMetrics, rdfMse } from '../src/index';

/** Brute force straight from SPEC §5's formulas, written independently of the implementation. */
function bruteForce(x: number[][], y: number[][]) {
  const d = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
  let paper = 0;
  for (const s of x) paper += d(s, y[0]);
  let floor = 0;
  for (let r = 1; r < y.length; r++) floor += d(y[r], y[0]);
  let prec = 0;
  for (const s of x) {
    let m = Infinity;
    for (const r of y) m = Math.min(m, d(s, r));
    prec += m;
  }
  let cov = 0;
  for (const r of y) {
    let m = Infinity;
    for (const s of x) m = Math.min(m, d(r, s));
    cov += m;
  }
  let md = 0;
  for (let r = 0; r < y.length; r++) {
    let m = Infinity;
    for (let q = 0; q < y.length; q++) if (q !== r) m = Math.min(m, d(y[r], y[q]));
    md += m;
  }
  return { paperStyle: paper / x.length, paperFloor: floor / (y.length - 1), precision: prec / x.length, coverage: cov / y.length, mdFloor: md / y.length };
}

describe('ensembleMetrics (SPEC §5)', () => {
  it('matches a brute-force evaluation of the formulas', () => {
    const curve = (bins: number) => fc.array(fc.double({ min: 0, max: 8, noNaN: true }), { minLength: bins, maxLength: bins });
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 12 }).chain((bins) =>
      fc.tuple(fc.array(curve(bins), { minLength: 6, maxLength: 6 }), fc.array(curve(bins), { minLength: 5, maxLength: 5 }))), (M, R, [xs, ys]) => {
      const x = xs.slice(0, M), y = ys.slice(0, R);
      const got = ensembleMetrics(x, y);
      const want = bruteForce(x, y);
      for (const k of Object.keys(want) as (keyof typeof want)[]) expect(got[k]).toBeCloseTo(want[k], 10);
      // standard errors: sqrt(sum (v - mean)^2 / (n - 1) / n), NaN for a single value
      const seOf = (v: number[]) => (v.length < 2 ? NaN : Math.sqrt(v.reduce((a, b) => a + (b - v.reduce((p, q) => p + q, 0) / v.length) ** 2, 0) / (v.length - 1) / v.length));
      const d = (a: number[], b: number[]) => a.reduce((q, v, i) => q + (v - b[i]) ** 2, 0) / a.length;
      const wantSe = seOf(x.map((s) => d(s, y[0]))), wantFloorSe = seOf(y.slice(1).map((r) => d(r, y[0])));
      if (M === 1) expect(got.paperStyleSe).toBeNaN();
      else expect(got.paperStyleSe).toBeCloseTo(wantSe, 10);
      if (R === 2) expect(got.paperFloorSe).toBeNaN();
      else expect(got.paperFloorSe).toBeCloseTo(wantFloorSe, 10);
      expect(got.samples).toBe(M);
      expect(got.references).toBe(R);
    }));
  });

  it('a generator that reproduces both MD polymorphs reaches the floors; one average structure does not', () => {
    // Two MD outcomes A and B (two replicas each): a bimodal set.
    const A = [0, 4, 1, 1], B = [0, 1, 3, 1];
    const y = [A, A, B, B];
    const both = ensembleMetrics([A, B], y);
    expect(both.precision).toBe(0);
    expect(both.coverage).toBe(0);
    expect(both.mdFloor).toBe(0);
    expect(both.paperStyle).toBeCloseTo(rdfMse(B, A) / 2, 12); // half the samples are the other polymorph
    // two values 0 and D: standard deviation D / sqrt(2), over sqrt(2) samples: D / 2
    expect(both.paperStyleSe).toBeCloseTo(rdfMse(B, A) / 2, 12);
    const average = A.map((a, i) => (a + B[i]) / 2);
    const avg = ensembleMetrics([average, average], y);
    expect(avg.precision).toBeGreaterThan(0.5);
    expect(avg.coverage).toBeCloseTo(avg.precision, 12);
    const onlyA = ensembleMetrics([A, A], y);
    expect(onlyA.precision).toBe(0);
    expect(onlyA.coverage).toBeCloseTo(rdfMse(A, B) / 2, 12); // B is never generated
  });

  it('rejects too few curves and mismatched binnings', () => {
    expect(() => ensembleMetrics([], [[1], [2]])).toThrow(RdfError);
    expect(() => ensembleMetrics([[1]], [[1]])).toThrow(/at least 2/);
    expect(() => ensembleMetrics([[1, 2]], [[1], [2]])).toThrow(/bins/);
  });
});
