import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meanDisplacement, PbcError } from '../src/index';

/** Independent reference: the shortest of the 27 images of each displacement (valid when |b - a| < 1.5 L per axis). */
function bruteMean(a: ArrayLike<number>, b: ArrayLike<number>, L: number[]): number {
  const n = a.length / 3;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let sx = -1; sx <= 1; sx++) for (let sy = -1; sy <= 1; sy++) for (let sz = -1; sz <= 1; sz++) {
      const s = [sx, sy, sz];
      let d2 = 0;
      for (let c = 0; c < 3; c++) d2 += (b[3 * i + c] - a[3 * i + c] + s[c] * L[c]) ** 2;
      best = Math.min(best, d2);
    }
    sum += Math.sqrt(best);
  }
  return sum / n;
}

const box = fc.tuple(fc.double({ min: 0.5, max: 20, noNaN: true }), fc.double({ min: 0.5, max: 20, noNaN: true }), fc.double({ min: 0.5, max: 20, noNaN: true }));
const cloud = (L: number[], n: number) => fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })), { minLength: n, maxLength: n })
  .map((rows) => Float64Array.from(rows.flatMap((r) => r.map((u, c) => u * L[c]))));

describe('meanDisplacement', () => {
  it('equals the brute-force shortest image over the 27 neighbours', () => {
    fc.assert(fc.property(box, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 2 ** 31 }), (L, n, seed) => {
      let s = seed;
      const r = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
      const a = Float64Array.from({ length: 3 * n }, (_, i) => r() * L[i % 3]);
      const b = Float64Array.from({ length: 3 * n }, (_, i) => r() * L[i % 3]);
      expect(meanDisplacement(a, b, L)).toBeCloseTo(bruteMean(a, b, L), 10);
    }));
  });

  it('is symmetric, zero for identical conformations, and blind to whole-box shifts of a particle', () => {
    fc.assert(fc.property(box.chain((L) => fc.tuple(fc.constant(L), cloud(L, 8), cloud(L, 8), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 24, maxLength: 24 }))), ([L, a, b, shifts]) => {
      const d = meanDisplacement(a, b, L);
      expect(meanDisplacement(b, a, L)).toBeCloseTo(d, 12);
      expect(meanDisplacement(a, a, L)).toBe(0);
      const shifted = b.map((v, i) => v + shifts[i] * L[i % 3]);
      expect(meanDisplacement(a, shifted, L)).toBeCloseTo(d, 9);
      expect(d).toBeLessThanOrEqual(Math.hypot(...L) / 2 + 1e-12);
    }));
  });

  it('a closed form: one particle across a face moved 0.2, not L - 0.2', () => {
    expect(meanDisplacement(Float64Array.of(0.1, 5, 5), Float64Array.of(9.9, 5, 5), 10)).toBeCloseTo(0.2, 12);
  });

  it('different N or a bad box is a typed error', () => {
    expect(() => meanDisplacement(new Float64Array(6), new Float64Array(3), 10)).toThrow(PbcError);
    expect(() => meanDisplacement(new Float64Array(3), new Float64Array(3), -1)).toThrow(PbcError);
  });
});
