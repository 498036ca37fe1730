import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MddmError, PbcError } from '@mddm/pbc';
import { RdfError, RdfWorkspace, coordinationNumber, rdf, shellVolumes } from '@mddm/rdf';
import { bruteCounts, cubicLattice, mulberry32, sum, uniformPoints } from './helpers';

const arr = (a: ArrayLike<number>) => Array.from(a);

describe('rdf: equality with an O(N^2) brute-force histogram', () => {
  const cases: { name: string; n: number; L: number | [number, number, number]; rMax?: number; bins?: number; opts?: object }[] = [
    { name: 'SPEC default (L = 10, rMax = 5, all pairs)', n: 600, L: 10 },
    { name: 'cells m = 1 (nc = 3, edge case)', n: 500, L: 9, rMax: 3, opts: { method: 'cells', cellsPerCutoff: 1 } },
    { name: 'cells m = 1 (nc = 5)', n: 700, L: 10, rMax: 2, opts: { method: 'cells', cellsPerCutoff: 1 } },
    { name: 'cells m = 2', n: 900, L: 11, rMax: 2.1, opts: { method: 'cells', cellsPerCutoff: 2 } },
    { name: 'cells m = 3', n: 900, L: 12, rMax: 3, opts: { method: 'cells', cellsPerCutoff: 3 } },
    { name: 'auto, dense', n: 1500, L: 9.5, rMax: 2.5 },
    { name: 'non-cubic box, cells', n: 800, L: [14, 8.5, 11], rMax: 2.0, bins: 37, opts: { method: 'cells' } },
    { name: 'non-cubic box, brute', n: 400, L: [14, 8.5, 11], bins: 50, opts: { method: 'brute' } },
    { name: 'sparse, tiny rMax (grid capped)', n: 1500, L: 30, rMax: 0.9, bins: 10, opts: { method: 'cells' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const x = uniformPoints(c.n, c.L, c.n + 7);
      const Ls = typeof c.L === 'number' ? [c.L, c.L, c.L] : c.L;
      const rMax = c.rMax ?? Math.min(...Ls) / 2;
      const bins = c.bins ?? 100;
      const res = rdf(x, c.L as never, { rMax: c.rMax, bins: c.bins, ...c.opts });
      expect(res.rMax).toBe(rMax);
      expect(res.bins).toBe(bins);
      const ref = bruteCounts(x, c.L, rMax, bins);
      expect(sum(ref)).toBeGreaterThan(100); // the case is not vacuous
      expect(arr(res.counts)).toEqual(arr(ref));
      // g from the SPEC formula
      const V = Ls[0] * Ls[1] * Ls[2];
      const shells = shellVolumes(res.edges);
      for (let b = 0; b < bins; b++) {
        expect(res.g[b]).toBeCloseTo(ref[b] / ((c.n * (c.n - 1)) / V * shells[b]), 12);
      }
      expect(res.n).toBe(c.n);
      expect(res.volume).toBeCloseTo(V, 9);
      expect(res.frames).toBe(1);
    });
  }

  it('every method and cellsPerCutoff gives identical counts', () => {
    const x = uniformPoints(2000, 14, 3);
    const ref = rdf(x, 14, { rMax: 2.3, method: 'brute' }).counts;
    for (const m of [1, 2, 3] as const) {
      expect(arr(rdf(x, 14, { rMax: 2.3, method: 'cells', cellsPerCutoff: m }).counts)).toEqual(arr(ref));
    }
    expect(arr(rdf(x, 14, { rMax: 2.3 }).counts)).toEqual(arr(ref));
  });

  it('accepts Float32Array and unwrapped coordinates (positions are wrapped internally)', () => {
    const x64 = uniformPoints(500, 10, 11);
    const x32 = Float32Array.from(x64);
    const r32 = rdf(x32, 10);
    expect(arr(r32.counts)).toEqual(arr(bruteCounts(Float64Array.from(x32), 10, 5, 100)));
    // shift by whole box lengths (exact in float64 for these magnitudes? not always: compare to brute on the shifted input)
    const shifted = x64.map((v, i) => v + 10 * ((i % 7) - 3));
    expect(arr(rdf(shifted, 10).counts)).toEqual(arr(bruteCounts(shifted, 10, 5, 100)));
  });

  it('rMax = 5.0 and 100 bins by default for the 10^3 box; edges, centers', () => {
    const r = rdf(uniformPoints(50, 10, 1), 10);
    expect(r.rMax).toBe(5);
    expect(r.bins).toBe(100);
    expect(r.edges.length).toBe(101);
    expect(r.edges[0]).toBe(0);
    expect(r.edges[100]).toBe(5);
    expect(r.edges[20]).toBeCloseTo(1, 15);
    expect(r.centers[0]).toBeCloseTo(0.025, 15);
    expect(r.centers[99]).toBeCloseTo(4.975, 15);
    expect(r.pairDensity).toBeCloseTo((50 * 49) / 1000, 15);
    expect(r.referenceCount).toBe(50);
  });

  it('reuses a workspace across calls with different sizes without changing results', () => {
    const ws = new RdfWorkspace();
    const a = uniformPoints(3000, 15, 1), b = uniformPoints(200, 8, 2);
    const ra = rdf(a, 15, { rMax: 2.5, workspace: ws });
    const rb = rdf(b, 8, { workspace: ws });
    const ra2 = rdf(a, 15, { rMax: 2.5, workspace: ws });
    expect(arr(ra2.counts)).toEqual(arr(ra.counts));
    expect(arr(rb.counts)).toEqual(arr(bruteCounts(b, 8, 4, 100)));
  });
});

describe('rdf: ideal gas (uniform random points)', () => {
  it('g = 1 within the Poisson error of each bin count (chi-square and per-bin 6 sigma)', () => {
    // U_b = unordered pairs in bin b is a sum of M = N(N-1)/2 pairwise-independent indicators with
    // p_b = shell_b / V (periodic uniform points: given x_i, d_ij and d_ik are independent), so
    // Var U_b = M p_b (1 - p_b) exactly, and g_b - 1 = (U_b - M p_b) / (M p_b).
    const N = 5000, L = 10;
    const res = rdf(uniformPoints(N, L, 2024), L);
    const M = (N * (N - 1)) / 2;
    const shells = shellVolumes(res.edges);
    let chi2 = 0;
    for (let b = 0; b < res.bins; b++) {
      const p = shells[b] / L ** 3;
      const mu = M * p;
      const sigmaG = Math.sqrt(mu * (1 - p)) / mu;
      const z = (res.g[b] - 1) / sigmaG;
      chi2 += z * z;
      if (mu >= 30) expect(Math.abs(z)).toBeLessThan(6);
    }
    // chi-square with 100 degrees of freedom: mean 100, sd ~ 14 (a bit more for the few small-count bins)
    expect(chi2).toBeGreaterThan(100 - 6 * 15);
    expect(chi2).toBeLessThan(100 + 6 * 15);
  });

  it('a wrong normalization (N^2 instead of N(N-1)) is detected at small N (test has power)', () => {
    // With N = 40 the factor N / (N - 1) = 1.026 is ~20 sigma over 200 frames; our exact normalization passes.
    let num = 0, den = 0;
    const N = 40, L = 6;
    for (let f = 0; f < 400; f++) {
      const r = rdf(uniformPoints(N, L, 1000 + f), L, { bins: 1 });
      num += r.counts[0];
      den += r.pairDensity * shellVolumes(r.edges)[0];
    }
    const g = num / den;
    const mu = den / 2; // expected unordered pairs
    const sigma = Math.sqrt(mu) / mu;
    expect(Math.abs(g - 1)).toBeLessThan(5 * sigma);
    expect(Math.abs((g * (N - 1)) / N - 1)).toBeGreaterThan(5 * sigma);
  });
});

describe('rdf: perfect simple-cubic lattice', () => {
  // number of integer vectors v with |v|^2 = k (k <= 24 < 25, so components are in -4..4)
  const r3 = (k: number) => {
    let c = 0;
    for (let a = -4; a <= 4; a++) for (let b = -4; b <= 4; b++) for (let d = -4; d <= 4; d++) if (a * a + b * b + d * d === k) c++;
    return c;
  };

  for (const offset of [0, 0.5]) {
    it(`10^3 sites in L = 10 (offset ${offset}): shells at sqrt(k), peaks at 1, sqrt 2, sqrt 3 with 6, 12, 8 neighbors`, () => {
      const N = 1000;
      const res = rdf(cubicLattice(10, 1, offset), 10);
      const expected = new Float64Array(100);
      for (let k = 1; k < 25; k++) expected[Math.floor(Math.sqrt(k) * 20 + 1e-9)] += N * r3(k);
      expect(arr(res.counts)).toEqual(arr(expected));
      // the first three shells: bins containing 1, sqrt 2, sqrt 3
      for (const [r, z] of [[1, 6], [Math.SQRT2, 12], [Math.sqrt(3), 8]]) {
        const b = Math.floor(r * 20 + 1e-9);
        expect(res.edges[b]).toBeLessThanOrEqual(r + 1e-12);
        expect(res.edges[b + 1]).toBeGreaterThan(r);
        expect(res.counts[b]).toBe(N * z);
        expect(res.g[b]).toBeGreaterThan(res.g[b - 1]);
        expect(res.g[b]).toBeGreaterThan(res.g[b + 1]);
      }
      expect(sum(res.counts.subarray(0, 20))).toBe(0);
      // cumulative coordination numbers 6, 18, 26 just past each shell
      const cn = coordinationNumber(res);
      expect(cn[21]).toBeCloseTo(6, 10);
      expect(cn[28]).toBeCloseTo(6, 10);
      expect(cn[29]).toBeCloseTo(18, 10);
      expect(cn[35]).toBeCloseTo(26, 10);
      expect(cn[40]).toBeCloseTo(26, 10);
      expect(cn[41]).toBeCloseTo(32, 10); // + 6 at r = 2
    });
  }

  it('the cell-list path gives the same lattice counts (L = 12, rMax = 3)', () => {
    const x = cubicLattice(12, 1, 0.5);
    const c = rdf(x, 12, { rMax: 3, bins: 60, method: 'cells', cellsPerCutoff: 2 });
    const b = rdf(x, 12, { rMax: 3, bins: 60, method: 'brute' });
    expect(arr(c.counts)).toEqual(arr(b.counts));
    expect(c.counts[20]).toBe(1728 * 6);
  });
});

describe('rdf: invariances (fast-check)', () => {
  const setup = fc.record({
    n: fc.integer({ min: 2, max: 300 }),
    L: fc.double({ min: 3, max: 20, noNaN: true }),
    frac: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
    bins: fc.integer({ min: 1, max: 120 }),
    seed: fc.integer({ min: 0, max: 1e9 }),
  });

  it('translation invariance (any shift, any method)', () => {
    fc.assert(
      fc.property(setup, fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })),
        fc.constantFrom('auto', 'cells', 'brute'), ({ n, L, frac, bins, seed }, t, method) => {
          const x = uniformPoints(n, L, seed);
          const y = x.map((v, i) => v + t[i % 3]);
          const rMax = frac * L;
          const a = rdf(x, L, { rMax, bins, method: method as 'auto' });
          const b = rdf(y, L, { rMax, bins, method: method as 'auto' });
          // counts are integers; a pair within ~1e-14 of a bin edge could flip, which never happens in practice
          expect(arr(b.counts)).toEqual(arr(a.counts));
        }),
      { numRuns: 60 },
    );
  });

  it('permutation invariance', () => {
    fc.assert(
      fc.property(setup, fc.integer(), ({ n, L, frac, bins, seed }, pseed) => {
        const x = uniformPoints(n, L, seed);
        const rnd = mulberry32(pseed);
        const perm = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const y = new Float64Array(3 * n);
        perm.forEach((p, i) => y.set(x.subarray(3 * p, 3 * p + 3), 3 * i));
        const rMax = frac * L;
        expect(arr(rdf(y, L, { rMax, bins }).counts)).toEqual(arr(rdf(x, L, { rMax, bins }).counts));
        expect(arr(rdf(y, L, { rMax, bins, method: 'cells' }).counts)).toEqual(arr(rdf(x, L, { rMax, bins, method: 'brute' }).counts));
      }),
      { numRuns: 60 },
    );
  });

  it('matches brute force on random small configurations (all methods)', () => {
    fc.assert(
      fc.property(setup, ({ n, L, frac, bins, seed }) => {
        const x = uniformPoints(n, L, seed);
        const rMax = frac * L;
        const ref = arr(bruteCounts(x, L, rMax, bins));
        for (const method of ['auto', 'cells', 'brute'] as const) expect(arr(rdf(x, L, { rMax, bins, method }).counts)).toEqual(ref);
      }),
      { numRuns: 60 },
    );
  });
});

describe('rdf: partial (A-B) RDFs', () => {
  const N = 900, L = 11;
  const x = uniformPoints(N, L, 5);
  const rnd = mulberry32(9);
  const isA = Array.from({ length: N }, () => rnd() < 0.3);
  const A = isA.flatMap((v, i) => (v ? [i] : []));
  const B = isA.flatMap((v, i) => (v ? [] : [i]));

  for (const method of ['brute', 'cells'] as const) {
    it(`disjoint sets (${method}): brute-force counts and N_A N_B / V normalization`, () => {
      const r = rdf(x, L, { rMax: 2.5, indicesA: A, indicesB: B, method });
      expect(arr(r.counts)).toEqual(arr(bruteCounts(x, L, 2.5, 100, A, B)));
      expect(r.pairDensity).toBeCloseTo((A.length * B.length) / L ** 3, 12);
      expect(r.referenceCount).toBe(A.length);
    });

    it(`overlapping sets (${method}): i == j excluded, (N_A N_B - |A ∩ B|) / V`, () => {
      const A2 = A.concat(B.slice(0, 50));
      const B2 = B.slice(20).concat(A.slice(0, 30));
      const overlap = 30 + 30;
      const r = rdf(x, L, { rMax: 2.5, indicesA: A2, indicesB: B2, method });
      expect(arr(r.counts)).toEqual(arr(bruteCounts(x, L, 2.5, 100, A2, B2)));
      expect(r.pairDensity).toBeCloseTo((A2.length * B2.length - overlap) / L ** 3, 12);
    });

    it(`A = B subset (${method}) equals the RDF of that subset alone`, () => {
      const shuffled = A.slice().reverse();
      const r = rdf(x, L, { rMax: 2.5, indicesA: A, indicesB: shuffled, method });
      const sub = new Float64Array(A.length * 3);
      A.forEach((p, i) => sub.set(x.subarray(3 * p, 3 * p + 3), 3 * i));
      const s = rdf(sub, L, { rMax: 2.5, method });
      expect(arr(r.counts)).toEqual(arr(s.counts));
      expect(arr(r.g)).toEqual(arr(s.g));
    });
  }

  it('A-all partial (only indicesA given) matches brute force', () => {
    const r = rdf(x, L, { rMax: 2.5, indicesA: A });
    expect(arr(r.counts)).toEqual(arr(bruteCounts(x, L, 2.5, 100, A)));
    expect(r.pairDensity).toBeCloseTo((A.length * N - A.length) / L ** 3, 12);
  });

  it('AA + AB + BA + BB = full counts for a partition', () => {
    const o = { rMax: 2.5 };
    const full = rdf(x, L, o).counts;
    const parts = [[A, A], [A, B], [B, A], [B, B]].map(([a, b]) => rdf(x, L, { ...o, indicesA: a, indicesB: b }).counts);
    for (let k = 0; k < 100; k++) expect(parts[0][k] + parts[1][k] + parts[2][k] + parts[3][k]).toBe(full[k]);
  });
});

describe('rdf: bad input gets a typed error', () => {
  const x = uniformPoints(10, 10, 1);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(MddmError);
      return (e as MddmError).code;
    }
    throw new Error('expected a throw');
  };
  it('rMax, bins, method', () => {
    expect(code(() => rdf(x, 10, { rMax: 5.01 }))).toBe('RDF_BAD_RMAX');
    expect(() => rdf(x, 10, { rMax: 5.01 })).toThrow(/rMax must be <= half the shortest box edge \(5\).*5\.01/);
    expect(code(() => rdf(x, [10, 10, 6], { rMax: 4 }))).toBe('RDF_BAD_RMAX');
    expect(code(() => rdf(x, 10, { rMax: 0 }))).toBe('RDF_BAD_RMAX');
    expect(code(() => rdf(x, 10, { rMax: NaN }))).toBe('RDF_BAD_RMAX');
    expect(code(() => rdf(x, 10, { bins: 0 }))).toBe('RDF_BAD_BINS');
    expect(code(() => rdf(x, 10, { bins: 2.5 }))).toBe('RDF_BAD_BINS');
    expect(code(() => rdf(x, 10, { method: 'fast' as never }))).toBe('RDF_BAD_VALUE');
    expect(code(() => rdf(x, 10, { cellsPerCutoff: 4 as never }))).toBe('RDF_BAD_VALUE');
    expect(() => rdf(x, 10, { bins: -1 })).toThrow(RdfError);
  });
  it('index sets', () => {
    expect(code(() => rdf(x, 10, { indicesA: [0, 10] }))).toBe('RDF_BAD_INDICES');
    expect(() => rdf(x, 10, { indicesA: [0, 10] })).toThrow(/index 10 .*out of range.*10 particles/);
    expect(code(() => rdf(x, 10, { indicesB: [1, 1] }))).toBe('RDF_BAD_INDICES');
    expect(code(() => rdf(x, 10, { indicesA: [0, 1], indicesB: [2, 2] }))).toBe('RDF_BAD_INDICES');
    expect(code(() => rdf(x, 10, { indicesA: [] }))).toBe('RDF_BAD_INDICES');
    expect(code(() => rdf(x, 10, { indicesA: [0.5] }))).toBe('RDF_BAD_INDICES');
    expect(code(() => rdf(x, 10, { indicesA: [-1] }))).toBe('RDF_BAD_INDICES');
    expect(code(() => rdf(x, 10, { indicesA: [3], indicesB: [3] }))).toBe('RDF_TOO_FEW_PAIRS');
    // after an error the workspace scratch is clean: a valid call still agrees with brute force
    const ws = new RdfWorkspace();
    expect(() => rdf(x, 10, { indicesA: [0, 1], indicesB: [2, 99], workspace: ws })).toThrow(RdfError);
    const r = rdf(x, 10, { indicesA: [0, 1], indicesB: [1, 2], workspace: ws });
    expect(arr(r.counts)).toEqual(arr(bruteCounts(x, 10, 5, 100, [0, 1], [1, 2])));
    expect(r.pairDensity).toBeCloseTo(3 / 1000, 15);
  });
  it('positions and box (PbcError from @mddm/pbc), too few particles', () => {
    expect(() => rdf(new Float64Array([0, 0, NaN, 1, 1, 1]), 10)).toThrow(PbcError);
    expect(() => rdf(new Float64Array(5), 10)).toThrow(PbcError);
    expect(() => rdf(x, -1)).toThrow(PbcError);
    expect(code(() => rdf(new Float64Array(3), 10))).toBe('RDF_TOO_FEW_PAIRS');
    expect(code(() => rdf(new Float64Array(0), 10))).toBe('RDF_TOO_FEW_PAIRS');
  });
});
