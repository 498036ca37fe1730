import { describe, expect, it } from 'vitest';
import { PbcError, periodicRadiusNeighbors } from '../src/index';
import { lengths, refD2 } from './brute';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function checkRadius(x: Float64Array | Float32Array, box: number | number[], rMax: number): number {
  const L = lengths(box);
  const n = x.length / 3;
  const res = periodicRadiusNeighbors(x, box as never, rMax);
  expect(res.n).toBe(n);
  expect(res.offsets.length).toBe(n + 1);
  const errors: string[] = [];
  const fail = (m: string) => void (errors.length < 10 && errors.push(m));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const got = new Map<number, number>();
    for (let p = res.offsets[i]; p < res.offsets[i + 1]; p++) {
      if (got.has(res.indices[p])) fail(`row ${i}: duplicate ${res.indices[p]}`);
      got.set(res.indices[p], res.distances[p]);
      const v = res.vectors.subarray(3 * p, 3 * p + 3);
      if (!(Math.abs(Math.hypot(v[0], v[1], v[2]) - res.distances[p]) < 1e-12)) fail(`row ${i}: |vector| != distance`);
      for (let c = 0; c < 3; c++) if (!(Math.abs(v[c]) <= L[c] / 2)) fail(`row ${i}: vector component ${v[c]} outside [-L/2, L/2]`);
    }
    const want: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i && refD2(x, i, x, j, L) <= rMax * rMax) want.push(j);
    // (no generated pair lies within rounding of the cutoff, so the lists must match exactly)
    const gotSorted = [...got.keys()].sort((a, b) => a - b);
    if (gotSorted.join() !== want.join()) fail(`row ${i}: got [${gotSorted}] want [${want}]`);
    for (const j of want) if (!(Math.abs(got.get(j)! - Math.sqrt(refD2(x, i, x, j, L))) < 1e-12)) fail(`row ${i}: distance to ${j}`);
    total += want.length;
  }
  expect(errors).toEqual([]);
  expect(res.offsets[n]).toBe(total);
  return total;
}

describe('periodicRadiusNeighbors vs brute force', () => {
  it('random, unwrapped, orthorhombic, tiny and large cutoffs', () => {
    const r = rng(11);
    for (const [n, box, rMax] of [
      [300, 8, 1.5], [200, [4, 6, 9], 2], [100, 3, 1.5], [60, [2, 2, 2], 0.3], [150, 10, 0.7],
    ] as [number, number | number[], number][]) {
      const L = lengths(box);
      const x = new Float64Array(3 * n).map((_, i) => (r() * 3 - 1) * L[i % 3]);
      const pairs = checkRadius(x, box, rMax);
      expect(pairs).toBeGreaterThan(0);
    }
  });

  it('duplicates and boundary points, float32', () => {
    const x = Float32Array.of(0, 0, 0, 0, 0, 0, 5, 5, 5, 9.999999, 0, 0, 2.5, 0, 0, -2.5, 0, 0);
    checkRadius(x, 10, 5);
    checkRadius(x, 10, 2.5);
  });

  it.each([
    ['rMax = 0', 0, /> 0.*0/],
    ['negative', -1, /> 0/],
    ['NaN', NaN, /NaN/],
    ['beyond half box', 5.0001, /half the smallest box length \(5\)/],
  ])('throws on %s', (_n, rMax, msg) => {
    const x = new Float64Array(9);
    const fn = () => periodicRadiusNeighbors(x, [10, 12, 14], rMax);
    expect(fn).toThrow(PbcError);
    expect(fn).toThrow(msg);
  });
});
