import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairList, PbcError, periodicPairs } from '../src/index';
import { lengths, refD2 } from './brute';

/** Checks a half list against the O(N^2) reference: every pair within rMax exactly once, distances and vectors right. */
function checkPairs(x: Float64Array | Float32Array, box: number | number[], rMax: number, out?: PairList): number {
  const L = lengths(box);
  const n = x.length / 3;
  const res = periodicPairs(x, box as never, rMax, out);
  const got = new Map<string, number>();
  const errors: string[] = [];
  const fail = (m: string) => void (errors.length < 10 && errors.push(m));
  for (let p = 0; p < res.count; p++) {
    const i = res.first[p], j = res.second[p];
    const key = `${Math.min(i, j)},${Math.max(i, j)}`;
    if (i === j) fail(`pair ${p}: self pair ${i}`);
    if (got.has(key)) fail(`pair ${key} twice`);
    got.set(key, p);
    const v = res.vectors.subarray(3 * p, 3 * p + 3);
    if (!(Math.abs(Math.hypot(v[0], v[1], v[2]) - res.distances[p]) < 1e-12)) fail(`pair ${key}: |vector| != distance`);
    for (let c = 0; c < 3; c++) if (!(Math.abs(v[c]) <= L[c] / 2)) fail(`pair ${key}: component ${v[c]} outside [-L/2, L/2]`);
    // the vector points from first to second: adding it to first's position lands on second's image
    for (let c = 0; c < 3; c++) {
      const d = x[3 * j + c] - x[3 * i + c] - v[c];
      if (!(Math.abs(d - L[c] * Math.round(d / L[c])) < 1e-9)) fail(`pair ${key}: vector is not x_second - x_first`);
    }
  }
  let want = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d2 = refD2(x, i, x, j, L);
      if (d2 > rMax * rMax) continue;
      want++;
      const p = got.get(`${i},${j}`);
      if (p === undefined) fail(`missing pair ${i},${j} at ${Math.sqrt(d2)}`);
      else if (!(Math.abs(res.distances[p] - Math.sqrt(d2)) < 1e-12)) fail(`pair ${i},${j}: distance`);
    }
  }
  expect(errors).toEqual([]);
  expect(res.count).toBe(want);
  return want;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

describe('periodicPairs (half neighbour list) vs brute force', () => {
  it('random, unwrapped, orthorhombic; small boxes where the stencil wraps onto itself', () => {
    const r = rng(5);
    for (const [n, box, rMax] of [
      [400, 10, 3], [300, 8, 1.5], [200, [4, 6, 9], 2], [100, 3, 1.5], [60, [2, 2, 2], 0.3], [150, 10, 0.7], [80, [3, 7, 20], 1.4], [5, 10, 5],
    ] as [number, number | number[], number][]) {
      const L = lengths(box);
      const x = new Float64Array(3 * n).map((_, i) => (r() * 3 - 1) * L[i % 3]);
      expect(checkPairs(x, box, rMax)).toBeGreaterThan(0);
    }
  });

  it('duplicates and boundary points, float32', () => {
    const x = Float32Array.of(0, 0, 0, 0, 0, 0, 5, 5, 5, 9.999999, 0, 0, 2.5, 0, 0, -2.5, 0, 0);
    checkPairs(x, 10, 5);
    checkPairs(x, 10, 2.5);
  });

  it('property: any box, cutoff and points', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 60 }), fc.tuple(fc.double({ min: 1, max: 12, noNaN: true }), fc.double({ min: 1, max: 12, noNaN: true }), fc.double({ min: 1, max: 12, noNaN: true })),
      fc.double({ min: 0.01, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1e6 }),
      (n, box, frac, seed) => {
        const r = rng(seed);
        const L = [...box];
        const x = new Float64Array(3 * n).map((_, i) => (r() * 2 - 0.5) * L[i % 3]);
        checkPairs(x, L, frac * 0.5 * Math.min(...L));
      },
    ), { numRuns: 150 });
  });

  it('a reused PairList allocates nothing once grown and gives the same pairs', () => {
    const r = rng(9);
    const x = new Float64Array(3000).map(() => r() * 10);
    const list = new PairList();
    const a = periodicPairs(x, 10, 3, list);
    expect(a).toBe(list);
    const count = a.count;
    const buffers = [a.first, a.second, a.distances, a.vectors, a.sorted, a.cellStart, a.stencil];
    const firstPairs = Array.from(a.first.subarray(0, count));
    for (let s = 0; s < 3; s++) periodicPairs(x, 10, 3, list);
    const after = [list.first, list.second, list.distances, list.vectors, list.sorted, list.cellStart, list.stencil];
    after.forEach((b, i) => expect(b).toBe(buffers[i]));
    expect(list.count).toBe(count);
    expect(Array.from(list.first.subarray(0, count))).toEqual(firstPairs);
    // a smaller problem in the grown list is still right
    checkPairs(x.subarray(0, 300), 10, 2, list);
  });

  it.each([
    ['rMax = 0', 0, /> 0.*0/],
    ['NaN', NaN, /NaN/],
    ['beyond half box', 5.0001, /half the smallest box length \(5\)/],
  ])('throws a PbcError on %s', (_n, rMax, msg) => {
    const fn = () => periodicPairs(new Float64Array(9), [10, 12, 14], rMax);
    expect(fn).toThrow(PbcError);
    expect(fn).toThrow(msg);
  });

  it('throws a PbcError on an out that is not a PairList', () => {
    expect(() => periodicPairs(new Float64Array(9), 10, 1, {} as PairList)).toThrow(/out must be a PairList/);
  });
});
