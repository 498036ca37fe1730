import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '@mddm/core';
import { MetricsError, entropicTransport, sinkhornDivergence } from '@mddm/metrics';

function cloud(n: number, seed: number, scale = 1): Float64Array {
  const x = new Float64Array(3 * n);
  createRng(seed).fillNormal(x);
  for (let i = 0; i < x.length; i++) x[i] *= scale;
  return x;
}

const cost = (x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number) =>
  0.5 * ((x[3 * i] - y[3 * j]) ** 2 + (x[3 * i + 1] - y[3 * j + 1]) ** 2 + (x[3 * i + 2] - y[3 * j + 2]) ** 2);

/** Primal objective <P, C> + eps KL(P | a x b), computed from a plan (independent of the solver's dual). */
function primal(P: Float64Array, x: Float64Array, y: Float64Array, eps: number): number {
  const n = x.length / 3, m = y.length / 3;
  let v = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const p = P[i * m + j];
    if (p > 0) v += p * cost(x, i, y, j) + eps * p * Math.log(p * n * m);
  }
  return v;
}

describe('entropicTransport', () => {
  it('one point to one point: OT_eps = |x - y|^2 / 2 (the only plan, KL = 0)', () => {
    const x = new Float64Array([0.1, 0.2, 0.3]), y = new Float64Array([1, -1, 0.5]);
    const r = entropicTransport(x, y);
    expect(r.value).toBeCloseTo(cost(x, 0, y, 0), 12);
    expect(sinkhornDivergence(x, y)).toBeCloseTo(cost(x, 0, y, 0), 10);
  });

  it('two points to two points: matches the closed form p = sigma(-Delta / (2 eps)) / 2', () => {
    const x = new Float64Array([0, 0, 0, 0.1, 0, 0]), y = new Float64Array([0.02, 0.03, 0, 0.09, -0.02, 0]);
    for (const eps of [0.0025, 0.01, 0.1]) {
      const C = [[cost(x, 0, y, 0), cost(x, 0, y, 1)], [cost(x, 1, y, 0), cost(x, 1, y, 1)]];
      const delta = C[0][0] + C[1][1] - C[0][1] - C[1][0];
      const p = 0.5 / (1 + Math.exp(delta / (2 * eps)));
      const q = 0.5 - p;
      const closed = p * (C[0][0] + C[1][1]) + q * (C[0][1] + C[1][0]) + eps * (2 * p * Math.log(4 * p) + 2 * q * Math.log(4 * q));
      const r = entropicTransport(x, y, { eps, tolerance: 1e-12 });
      expect(r.value).toBeCloseTo(closed, 10);
      const P = r.plan();
      expect(P[0]).toBeCloseTo(p, 9);
      expect(P[1]).toBeCloseTo(q, 9);
    }
  });

  it("the plan's marginals are the uniform weights, and the dual value equals the primal objective at the plan", () => {
    const x = cloud(37, 1), y = cloud(23, 2, 1.3);
    const r = entropicTransport(x, y, { tolerance: 1e-9 });
    const P = r.plan();
    for (let i = 0; i < 37; i++) {
      let s = 0;
      for (let j = 0; j < 23; j++) s += P[i * 23 + j];
      expect(Math.abs(s * 37 - 1)).toBeLessThan(1e-8);
    }
    for (let j = 0; j < 23; j++) {
      let s = 0;
      for (let i = 0; i < 37; i++) s += P[i * 23 + j];
      expect(Math.abs(s * 23 - 1)).toBeLessThan(1e-8);
    }
    expect(r.value).toBeCloseTo(primal(P, x, y, r.eps), 7);
  });

  it('agrees with plain (non-log) Sinkhorn scaling written independently, at a moderate eps', () => {
    const x = cloud(15, 3, 0.5), y = cloud(12, 4, 0.5);
    const eps = 0.2, n = 15, m = 12;
    const K = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) K[i * m + j] = Math.exp(-cost(x, i, y, j) / eps);
    const u = new Float64Array(n).fill(1), v = new Float64Array(m).fill(1);
    for (let it = 0; it < 5000; it++) {
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < m; j++) s += K[i * m + j] * v[j] / m; u[i] = 1 / s; }
      for (let j = 0; j < m; j++) { let s = 0; for (let i = 0; i < n; i++) s += K[i * m + j] * u[i] / n; v[j] = 1 / s; }
    }
    const P = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) P[i * m + j] = (u[i] * K[i * m + j] * v[j]) / (n * m);
    expect(entropicTransport(x, y, { eps, tolerance: 1e-12 }).value).toBeCloseTo(primal(P, x, y, eps), 9);
  });

  it('throws MetricsError for bad clouds and options, METRICS_NO_CONVERGENCE when capped', () => {
    expect(() => entropicTransport(new Float64Array(4), new Float64Array(3))).toThrow(MetricsError);
    expect(() => entropicTransport(new Float64Array([NaN, 0, 0]), new Float64Array(3))).toThrow(/finite/);
    expect(() => entropicTransport(new Float64Array(3), new Float64Array(3), { blur: -1 })).toThrow(/blur/);
    expect(() => entropicTransport(cloud(30, 1), cloud(30, 2), { maxIterations: 1, tolerance: 1e-15 }))
      .toThrow(expect.objectContaining({ code: 'METRICS_NO_CONVERGENCE' }));
  });
});

describe('sinkhornDivergence', () => {
  it('is exactly |v|^2 / 2 for a rigid shift of any cloud (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }),
      fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
      (n, seed, v) => {
        const x = cloud(n, seed);
        const y = x.map((c, i) => c + v[i % 3]);
        const expected = 0.5 * (v[0] ** 2 + v[1] ** 2 + v[2] ** 2);
        // marginal tolerance 1e-7: reachable in float64 (1e-10 stalls near 8e-8 for some clouds, e.g. n = 11, seed 260123)
        expect(Math.abs(sinkhornDivergence(x, y, { tolerance: 1e-7, maxIterations: 1e6 }) - expected)).toBeLessThan(1e-7);
      },
    ), { numRuns: 15 });
  });

  it('is 0 on identical clouds, symmetric, positive otherwise, and shrinks as the clouds converge in law', () => {
    const x = cloud(60, 1), y = cloud(60, 2);
    expect(Math.abs(sinkhornDivergence(x, x))).toBeLessThan(1e-9);
    const s = sinkhornDivergence(x, y);
    expect(s).toBeGreaterThan(0);
    expect(Math.abs(sinkhornDivergence(y, x) - s) / s).toBeLessThan(1e-5); // default tolerance 1e-3 on the marginals
    const wide = cloud(60, 2, 1.5);
    expect(sinkhornDivergence(x, wide)).toBeGreaterThan(s);
  });

  it('accepts clouds of different sizes and float32 input', () => {
    const s = sinkhornDivergence(Float32Array.from(cloud(40, 5)), cloud(25, 6));
    expect(Number.isFinite(s)).toBe(true);
    expect(s).toBeGreaterThan(0);
  });
});
