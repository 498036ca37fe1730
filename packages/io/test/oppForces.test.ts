import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IoError, oppEnergy, oppForces, oppTotalEnergy } from '../src/index';

const P = { k: 7, phi: 1 };

/** Jittered lattice: m^3 particles, spacing 1.1, box 1.1 m (no pair closer than ~0.8). */
function lattice(m: number, seed = 1, jitter = 0.25): { x: Float64Array; L: number } {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const a = 1.1;
  const x = new Float64Array(3 * m ** 3);
  let q = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    x[q++] = a * (i + 0.5) + jitter * (r() - 0.5);
    x[q++] = a * (j + 0.5) + jitter * (r() - 0.5);
    x[q++] = a * (k + 0.5) + jitter * (r() - 0.5);
  }
  return { x, L: a * m };
}

describe('oppForces', () => {
  it('is minus the gradient of the total energy (central finite differences)', () => {
    const { x, L } = lattice(6);
    const { forces, energy } = oppForces(x, L, P, { cutoff: 3 });
    expect(energy).toBeCloseTo(oppTotalEnergy(x, L, P), 10);
    const h = 1e-6;
    for (const i of [0, 7, 50, 101, 215]) {
      for (let d = 0; d < 3; d++) {
        const y = Float64Array.from(x);
        y[3 * i + d] += h;
        const ep = oppTotalEnergy(y, L, P);
        y[3 * i + d] -= 2 * h;
        const em = oppTotalEnergy(y, L, P);
        const fd = -(ep - em) / (2 * h);
        expect(Math.abs(forces[3 * i + d] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('matches a brute-force O(N^2) minimum-image sum and sums to zero (Newton 3)', () => {
    const { x, L } = lattice(6, 3);
    const n = x.length / 3;
    const { forces } = oppForces(x, L, P);
    const brute = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = [0, 1, 2].map((c) => { let v = x[3 * j + c] - x[3 * i + c]; v -= L * Math.round(v / L); return v; });
      const r = Math.hypot(d[0], d[1], d[2]);
      if (r >= 3) continue;
      const h = 1e-7;
      const f = -(oppEnergy(r + h, P) - oppEnergy(r - h, P)) / (2 * h); // independent: numerical -dU/dr
      for (let c = 0; c < 3; c++) brute[3 * i + c] -= (f * d[c]) / r;
    }
    let sx = 0;
    for (let i = 0; i < 3 * n; i++) {
      expect(Math.abs(forces[i] - brute[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(brute[i])));
      if (i % 3 === 0) sx += forces[i];
    }
    expect(Math.abs(sx)).toBeLessThan(1e-9 * n);
  });

  it('is translation invariant and permutation equivariant (property)', () => {
    const { x, L } = lattice(4, 5);
    const n = x.length / 3;
    const base = oppForces(x, L, P, { cutoff: 2 }).forces;
    fc.assert(fc.property(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), fc.integer({ min: 0, max: n - 1 }),
      (tx, ty, swap) => {
        const y = Float64Array.from(x);
        for (let i = 0; i < n; i++) { y[3 * i] += tx; y[3 * i + 1] += ty; }
        // swap particle 0 and `swap`
        for (let c = 0; c < 3; c++) { const t = y[c]; y[c] = y[3 * swap + c]; y[3 * swap + c] = t; }
        const f = oppForces(y, L, P, { cutoff: 2 }).forces;
        for (let c = 0; c < 3; c++) {
          expect(f[c]).toBeCloseTo(base[3 * swap + c], 7);
          expect(f[3 * swap + c]).toBeCloseTo(base[c], 7);
        }
      }), { numRuns: 20 });
  });

  it('rejects bad parameters and cutoffs with typed errors', () => {
    const { x, L } = lattice(3);
    expect(() => oppForces(x, L, { k: NaN, phi: 1 })).toThrow(IoError);
    expect(() => oppForces(x, L, P, { cutoff: 0 })).toThrow(/cutoff must be/);
    expect(() => oppForces(x, L, P, { cutoff: 3 })).toThrow(/half the smallest box/); // L = 3.3
  });
});
