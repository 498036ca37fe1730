import { KnnWorkspace, periodicKnn } from '@mddm/pbc';
import { describe, expect, test } from 'vitest';
import { buildGraph, EdgeConvError, graphFromKnn, validateGraph } from '../src/index';
import type { EdgeGraph } from '../src/index';
import { bruteGraph, maxAbsDiff, randomPositions } from './helpers';

function sameNeighborSets(a: EdgeGraph, b: EdgeGraph): boolean {
  for (let i = 0; i < a.n; i++) {
    const sa = [...a.indices.subarray(i * a.k, (i + 1) * a.k)].sort((x, y) => x - y);
    const sb = [...b.indices.subarray(i * b.k, (i + 1) * b.k)].sort((x, y) => x - y);
    if (sa.join() !== sb.join()) return false;
  }
  return true;
}

/** Vector of edge (i -> j) looked up by neighbor id (order independent). */
function vectorsBySet(g: EdgeGraph): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (let e = 0; e < g.n * g.k; e++) m.set(`${Math.floor(e / g.k)}:${g.indices[e]}`, [...g.vectors.subarray(3 * e, 3 * e + 3)]);
  return m;
}

describe('buildGraph', () => {
  test('periodic: same neighbors and minimum-image vectors as brute force', () => {
    const L = 4;
    const x = randomPositions(120, L, 7);
    const g = buildGraph(x, L, 10);
    const ref = bruteGraph(x, L, 10);
    expect(g.n).toBe(120);
    expect(g.frames).toBe(1);
    expect(sameNeighborSets(g, ref)).toBe(true);
    const a = vectorsBySet(g), b = vectorsBySet(ref);
    let m = 0;
    for (const [key, v] of a) m = Math.max(m, maxAbsDiff(v, b.get(key)!));
    expect(m).toBeLessThan(1e-6);
    // periodicity matters: some vector crosses the boundary
    let crosses = false;
    for (let e = 0; e < g.n * g.k; e++) {
      const i = Math.floor(e / g.k), j = g.indices[e]!;
      if (Math.abs(x[3 * j]! - x[3 * i]! - g.vectors[3 * e]!) > 1) crosses = true;
    }
    expect(crosses).toBe(true);
  });

  test('non-periodic (box null): plain Euclidean kNN and x_j - x_i', () => {
    const x = randomPositions(80, 5, 8);
    const g = buildGraph(x, null, 7);
    const ref = bruteGraph(x, null, 7);
    expect(Array.from(g.indices)).toEqual(Array.from(ref.indices));
    expect(maxAbsDiff(g.vectors, ref.vectors)).toBeLessThan(1e-6);
    expect(sameNeighborSets(g, bruteGraph(x, 5, 7))).toBe(false);
  });

  test('batched frames: global indices, never crossing frames', () => {
    const L = 3;
    const x = randomPositions(3 * 30, L, 9);
    for (const box of [L, null] as const) {
      const g = buildGraph(x, box, 5, { frames: 3 });
      expect(g.frames).toBe(3);
      expect(g.nodesPerFrame).toBe(30);
      expect(sameNeighborSets(g, bruteGraph(x, box, 5, 3))).toBe(true);
      validateGraph(g);
    }
  });

  test('with a workspace: same graph as without, and its arrays are reused while (n, k) stays the same', () => {
    const L = 3;
    const workspace = new KnnWorkspace();
    for (const box of [L, null] as const) {
      const x1 = randomPositions(2 * 40, L, 13), x2 = randomPositions(2 * 40, L, 14);
      const a = buildGraph(x1, box, 6, { frames: 2, workspace });
      expect(Array.from(a.indices)).toEqual(Array.from(buildGraph(x1, box, 6, { frames: 2 }).indices));
      expect(Array.from(a.vectors)).toEqual(Array.from(buildGraph(x1, box, 6, { frames: 2 }).vectors));
      const b = buildGraph(x2, box, 6, { frames: 2, workspace });
      expect(b).not.toBe(a); // a new graph object (validated and cached per object by the layers)...
      expect(b.indices).toBe(a.indices); // ...over the workspace's arrays, refilled in place
      expect(b.vectors).toBe(a.vectors);
      expect(Array.from(b.indices)).toEqual(Array.from(buildGraph(x2, box, 6, { frames: 2 }).indices));
      const c = buildGraph(x2, box, 5, { frames: 2, workspace });
      expect(c.indices).not.toBe(b.indices); // another shape never shares arrays with an older graph
      expect(b.indices.length).toBe(80 * 6);
    }
  });

  test('graphFromKnn copies a pbc kNN result', () => {
    const x = randomPositions(50, 3, 10);
    const knn = periodicKnn(x, 3, 6);
    const g = graphFromKnn(knn);
    expect(g.indices).not.toBe(knn.indices);
    expect(Array.from(g.indices)).toEqual(Array.from(knn.indices));
    expect(g.vectors).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(g.vectors, knn.vectors)).toBeLessThan(1e-6);
    expect(() => graphFromKnn(knn, { frames: 3 })).toThrow(EdgeConvError);
  });

  test('bad input -> EdgeConvError naming the value', () => {
    const x = randomPositions(10, 3, 11);
    expect(() => buildGraph(x, 3, 10)).toThrow(/k must be an integer in \[1, 9\].*got 10/);
    expect(() => buildGraph(x, 3, 0)).toThrow(EdgeConvError);
    expect(() => buildGraph(x, 3, 2.5)).toThrow(EdgeConvError);
    expect(() => buildGraph(x.subarray(0, 29), 3, 2)).toThrow(/positions.length = 29/);
    expect(() => buildGraph(x, 3, 2, { frames: 4 })).toThrow(EdgeConvError);
    const bad = x.slice(); bad[4] = NaN;
    expect(() => buildGraph(bad, null, 2)).toThrow(/positions\[4\] = NaN/);
    expect(() => buildGraph([1, 2, 3] as unknown as Float64Array, null, 1)).toThrow(EdgeConvError);
  });

  test('validateGraph rejects malformed graphs', () => {
    const g = bruteGraph(randomPositions(12, 3, 12), 3, 3, 2);
    const idx = g.indices.slice(); idx[0] = 7; // node 0 (frame 0) -> node 7 (frame 1)
    expect(() => validateGraph({ ...g, indices: idx })).toThrow(/indices\[0\] = 7.*\[0, 6\)/);
    const v = g.vectors.slice(); v[5] = Infinity;
    expect(() => validateGraph({ ...g, vectors: v })).toThrow(/vectors\[5\] = Infinity/);
    expect(() => validateGraph({ ...g, n: 11 })).toThrow(EdgeConvError);
    expect(() => validateGraph({ ...g, indices: new Int32Array(3) })).toThrow(/length n\*k = 36/);
  });
});
