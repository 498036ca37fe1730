import { describe, expect, it } from 'vitest';
import { RdfError, coordinationNumber, rdf, shellVolumes, binEdges } from '@mddm/rdf';
import { uniformPoints } from './helpers';

/** Mean number of j != i within distance r (minimum image), brute force. */
function meanNeighbors(x: Float64Array, L: number, r: number, A?: number[], B?: number[]): number {
  const n = x.length / 3;
  const all = Array.from({ length: n }, (_, i) => i);
  const a = A ?? all, b = B ?? all;
  let c = 0;
  for (const i of a) for (const j of b) {
    if (i === j) continue;
    let d2 = 0;
    for (let k = 0; k < 3; k++) {
      let d = x[3 * j + k] - x[3 * i + k];
      d -= L * Math.round(d / L);
      d2 += d * d;
    }
    if (Math.sqrt(d2) < r) c++;
  }
  return c / a.length;
}

describe('coordinationNumber', () => {
  it('equals the brute-force mean neighbor count within r at every bin edge', () => {
    const x = uniformPoints(400, 8, 3);
    const res = rdf(x, 8, { bins: 20 });
    const cn = coordinationNumber(res);
    expect(cn.length).toBe(21);
    expect(cn[0]).toBe(0);
    for (let k = 1; k <= 20; k += 3) expect(cn[k]).toBeCloseTo(meanNeighbors(x, 8, res.edges[k]), 10);
    expect(cn[20]).toBeCloseTo(meanNeighbors(x, 8, 4), 10);
  });

  it('partial RDF: mean number of B neighbors per A particle', () => {
    const x = uniformPoints(300, 8, 4);
    const A = Array.from({ length: 100 }, (_, i) => i), B = Array.from({ length: 250 }, (_, i) => i + 50);
    const res = rdf(x, 8, { bins: 16, indicesA: A, indicesB: B });
    const cn = coordinationNumber(res);
    for (const k of [4, 9, 16]) expect(cn[k]).toBeCloseTo(meanNeighbors(x, 8, res.edges[k], A, B), 10);
  });

  it('raw g: the running integral of 4 pi r^2 rho g dr (closed form for g = 1 and g linear per bin)', () => {
    const g = new Float64Array(50).fill(1);
    const cn = coordinationNumber(g, { rMax: 2.5, density: 0.8 });
    const e = binEdges(50, 2.5);
    for (let k = 0; k <= 50; k++) expect(cn[k]).toBeCloseTo(0.8 * (4 / 3) * Math.PI * e[k] ** 3, 10);
    // piecewise-constant g: compare with a fine midpoint quadrature of 4 pi r^2 rho g(r)
    const g2 = Float64Array.from({ length: 10 }, (_, b) => (b % 3) + 0.5);
    const cn2 = coordinationNumber(g2, { rMax: 1, density: 2 });
    let q = 0;
    const steps = 200000;
    for (let s = 0; s < steps; s++) {
      const r = (s + 0.5) / steps;
      q += 4 * Math.PI * r * r * 2 * g2[Math.floor(r * 10)] / steps;
    }
    expect(cn2[10]).toBeCloseTo(q, 6);
    expect(shellVolumes(e).length).toBe(50);
  });

  it('bad input', () => {
    expect(() => coordinationNumber([1, 2])).toThrow(/need options \{ rMax, density \}/);
    expect(() => coordinationNumber([1, NaN], { rMax: 1, density: 1 })).toThrow(RdfError);
    expect(() => coordinationNumber([1], { rMax: -1, density: 1 })).toThrow(RdfError);
    expect(() => coordinationNumber([1], { rMax: 1, density: NaN })).toThrow(RdfError);
    expect(() => coordinationNumber([], { rMax: 1, density: 1 })).toThrow(RdfError);
  });
});
