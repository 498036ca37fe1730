import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumImage, periodicKnn, periodicRadiusNeighbors, wrap } from '../src/index';
import { refD2, refRow } from './brute';

const RUNS = 1000;

/** A box: three lengths, from tiny to large, sometimes cubic. */
const boxArb = fc.oneof(
  fc.double({ min: 0.05, max: 30, noNaN: true }).map((L) => [L, L, L] as [number, number, number]),
  fc.tuple(fc.double({ min: 0.05, max: 30, noNaN: true }), fc.double({ min: 0.05, max: 30, noNaN: true }), fc.double({ min: 0.05, max: 30, noNaN: true })),
);

/**
 * Points as fractions of the box (so every box gets a sensible cloud), some exactly on the
 * boundary, some duplicated, some several box lengths away (unwrapped).
 */
const fracPointsArb = (minN: number, maxN: number) =>
  fc.array(
    fc.tuple(
      fc.oneof({ weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 0.5, -1e-12, 1 - 1e-12) }),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.integer({ min: -3, max: 3 }),
    ),
    { minLength: minN, maxLength: maxN },
  );

function toPositions(frac: [number, number, number, number][], L: number[], dupEvery = 7): Float64Array {
  const n = frac.length;
  const x = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const src = i % dupEvery === dupEvery - 1 ? frac[i - 1] : frac[i]; // some exact duplicates
    x[3 * i] = (src[0] + src[3]) * L[0];
    x[3 * i + 1] = src[1] * L[1];
    x[3 * i + 2] = (src[2] - src[3]) * L[2];
  }
  return x;
}

/** Sorted neighbor distances of each row must match; sets must match below the k-th distance. */
function sameNeighbors(a: { indices: Int32Array; distances: Float64Array }, rowA: number, b: { indices: Int32Array; distances: Float64Array }, rowB: number, k: number, mapB: (j: number) => number, tol: number): boolean {
  const da = a.distances.subarray(rowA * k, rowA * k + k), db = b.distances.subarray(rowB * k, rowB * k + k);
  for (let t = 0; t < k; t++) if (!(Math.abs(da[t] - db[t]) <= tol)) return false;
  const dk = da[k - 1];
  const setB = new Set(Array.from(b.indices.subarray(rowB * k, rowB * k + k), mapB));
  for (let t = 0; t < k; t++) {
    if (da[t] < dk - 2 * tol && !setB.has(a.indices[rowA * k + t])) return false;
  }
  return true;
}

describe('fast-check properties', () => {
  it('kNN equals brute force for random boxes, k, unwrapped/boundary/duplicate points', () => {
    fc.assert(
      fc.property(boxArb, fracPointsArb(2, 40), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (L, frac, kf) => {
        const x = toPositions(frac, L);
        const n = frac.length;
        const k = 1 + Math.floor(kf * (n - 1));
        const res = periodicKnn(x, L, k);
        const tol = 1e-12 * Math.max(...L);
        for (let i = 0; i < n; i++) {
          const row = refRow(x, x, i, L, true);
          for (let t = 0; t < k; t++) {
            if (!(Math.abs(res.distances[i * k + t] - Math.sqrt(row[t].d2)) <= tol)) return false;
            const j = res.indices[i * k + t];
            if (j === i || !(Math.abs(Math.sqrt(refD2(x, i, x, j, L)) - res.distances[i * k + t]) <= tol)) return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('kNN equals brute force for clustered clouds (offset table must widen)', () => {
    fc.assert(
      fc.property(
        boxArb, fc.integer({ min: 60, max: 300 }), fc.double({ min: 1e-3, max: 0.05, noNaN: true }), fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (L, n, spread, clustered, kk, seed) => {
          let s = seed;
          const rnd = () => ((s = (Math.imul(s, 48271) % 2147483647) >>> 0) / 2147483647);
          const x = new Float64Array(3 * n);
          const centre = [rnd(), rnd(), rnd()];
          for (let i = 0; i < n; i++) {
            for (let c = 0; c < 3; c++) x[3 * i + c] = (i < clustered * n ? centre[c] + spread * rnd() : rnd()) * L[c];
          }
          const k = Math.min(kk, n - 1);
          const res = periodicKnn(x, L, k);
          const tol = 1e-12 * Math.max(...L);
          // the sparse points (last rows) and a few clustered ones
          const rows = [0, 1, Math.floor(n / 3)];
          for (let i = Math.ceil(clustered * n); i < n; i++) rows.push(i);
          for (const i of rows) {
            const row = refRow(x, x, i, L, true);
            for (let t = 0; t < k; t++) if (!(Math.abs(res.distances[i * k + t] - Math.sqrt(row[t].d2)) <= tol)) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('translation invariance: translate by any vector and wrap', () => {
    fc.assert(
      fc.property(
        boxArb, fracPointsArb(2, 30), fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })), fc.integer({ min: 1, max: 29 }),
        (L, frac, v, kk) => {
          const x = toPositions(frac, L);
          const n = frac.length;
          const k = Math.min(kk, n - 1);
          const y = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) y[i] = x[i] + v[i % 3];
          const a = periodicKnn(x, L, k);
          const b = periodicKnn(wrap(y, L), L, k);
          const tol = 1e-9 * (Math.max(...L) + 100);
          for (let i = 0; i < n; i++) if (!sameNeighbors(a, i, b, i, k, (j) => j, tol)) return false;
          return true;
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('permutation equivariance', () => {
    fc.assert(
      fc.property(boxArb, fracPointsArb(2, 30).chain((f) => fc.tuple(fc.constant(f), fc.shuffledSubarray(Array.from({ length: f.length }, (_, i) => i), { minLength: f.length }))), fc.integer({ min: 1, max: 29 }),
        (L, [frac, perm], kk) => {
          const x = toPositions(frac, L);
          const n = frac.length;
          const k = Math.min(kk, n - 1);
          // y[p] = x[perm[p]]
          const y = new Float64Array(3 * n);
          for (let p = 0; p < n; p++) y.set(x.subarray(3 * perm[p], 3 * perm[p] + 3), 3 * p);
          const a = periodicKnn(x, L, k);
          const b = periodicKnn(y, L, k);
          for (let p = 0; p < n; p++) {
            // row p of y is row perm[p] of x; neighbor q of y is point perm[q] of x
            if (!sameNeighbors(a, perm[p], b, p, k, (q) => perm[q], 0)) return false;
          }
          return true;
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('radius neighbors equal brute force', () => {
    fc.assert(
      fc.property(boxArb, fracPointsArb(1, 30), fc.double({ min: 0.01, max: 1, noNaN: true }), (L, frac, rf) => {
        const x = toPositions(frac, L);
        const n = frac.length;
        const rMax = rf * 0.5 * Math.min(...L);
        const res = periodicRadiusNeighbors(x, L, rMax);
        const tol = 1e-12 * Math.max(...L);
        for (let i = 0; i < n; i++) {
          const got = new Set(Array.from(res.indices.subarray(res.offsets[i], res.offsets[i + 1])));
          if (got.size !== res.offsets[i + 1] - res.offsets[i] || got.has(i)) return false;
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            const d = Math.sqrt(refD2(x, i, x, j, L));
            if (d < rMax - tol && !got.has(j)) return false;
            if (d > rMax + tol && got.has(j)) return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  for (const T of [Float64Array, Float32Array]) {
    it(`${T.name}: wrap range, idempotence and periodicity wrap(x + nL) == wrap(x)`, () => {
      fc.assert(
        fc.property(
          fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
          fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 3, maxLength: 30 }),
          fc.integer({ min: -1000, max: 1000 }),
          (L, vals, nShift) => {
            const m = vals.length - (vals.length % 3);
            const x = T.from(vals.slice(0, m));
            const w = wrap(x, L);
            for (let i = 0; i < m; i++) if (!(w[i] >= 0 && w[i] < L) || Object.is(w[i], -0)) return false;
            const ww = wrap(w, L);
            for (let i = 0; i < m; i++) if (ww[i] !== w[i]) return false;
            const shifted = T.from(Array.from(x, (v) => v + nShift * L));
            const ws = wrap(shifted, L);
            // equal up to the rounding of x + nL (periodic distance, float32 has 2^-23 relative precision)
            const eps = T === Float32Array ? 2 ** -21 : 2 ** -50;
            for (let i = 0; i < m; i++) {
              const diff = Math.abs(ws[i] - w[i]);
              const tol = eps * (Math.abs(x[i]) + Math.abs(nShift * L) + L);
              if (!(Math.min(diff, L - diff) <= tol)) return false;
            }
            return true;
          },
        ),
        { numRuns: RUNS },
      );
    });

    it(`${T.name}: minimum image components within [-L/2, L/2] and congruent mod L`, () => {
      fc.assert(
        fc.property(
          fc.tuple(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true })),
          fc.array(fc.double({ min: -1e5, max: 1e5, noNaN: true }), { minLength: 3, maxLength: 30 }),
          (L, vals) => {
            const m = vals.length - (vals.length % 3);
            const v = T.from(vals.slice(0, m));
            const mi = minimumImage(v, L);
            const eps = T === Float32Array ? 2 ** -21 : 2 ** -50;
            for (let i = 0; i < m; i++) {
              const Li = L[i % 3];
              if (!(Math.abs(mi[i]) <= Li / 2)) return false;
              const q = (v[i] - mi[i]) / Li;
              if (!(Math.abs(q - Math.round(q)) <= (eps * (Math.abs(v[i]) + Li)) / Li + 1e-9)) return false;
            }
            return true;
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('queries option', () => {
  it('queries equal to the data points: distance 0 first, then the self-excluded distances', () => {
    fc.assert(
      fc.property(boxArb, fracPointsArb(3, 25), fc.integer({ min: 1, max: 20 }), (L, frac, kk) => {
        // distances only: a duplicate of point i may take the place of i itself (both at 0)
        const x = toPositions(frac, L);
        const n = frac.length;
        const k = Math.min(kk, n - 1);
        const q = periodicKnn(x, L, k + 1, { queries: x });
        const s = periodicKnn(x, L, k);
        for (let i = 0; i < n; i++) {
          if (q.distances[i * (k + 1)] > 1e-12 * Math.max(...L)) return false;
          for (let t = 0; t < k; t++) if (Math.abs(q.distances[i * (k + 1) + t + 1] - s.distances[i * k + t]) > 1e-12 * Math.max(...L)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
