import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minimumImageDistance } from '@mddm/pbc';
import { CUBE_SYMMETRIES, ModelError, applySymmetry, boxSymmetries } from '../src/index';

describe('cube symmetries', () => {
  it('has 48 distinct symmetries for a cube, 8 reflections for a generic box, 16 for a square prism', () => {
    expect(boxSymmetries([10, 10, 10]).length).toBe(48);
    expect(boxSymmetries([10, 11, 12])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(boxSymmetries([10, 10, 12]).length).toBe(16);
    const p = new Float64Array([1.1, 2.3, 3.7]);
    const images = new Set<string>();
    for (let s = 0; s < CUBE_SYMMETRIES; s++) images.add(Array.from(applySymmetry(s, p, [10, 10, 10])).map((v) => v.toFixed(9)).join(','));
    expect(images.size).toBe(48);
  });

  it('identity is 0; reflection maps x -> L - x (wrapped); permutation swaps axes', () => {
    const p = new Float64Array([0, 2, 3, 1, 5, 9.5]);
    expect(Array.from(applySymmetry(0, p, [10, 10, 10]))).toEqual(Array.from(p));
    expect(Array.from(applySymmetry(1, p, [10, 10, 10]))).toEqual([0, 2, 3, 9, 5, 9.5]);
    expect(Array.from(applySymmetry(8, p, [10, 10, 10]))).toEqual([0, 3, 2, 1, 9.5, 5]);
  });

  it('preserves all minimum-image distances and keeps points in [0, L) (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 9.999999, noNaN: true }), { minLength: 6, maxLength: 30 }).filter((a) => a.length % 3 === 0),
        fc.integer({ min: 0, max: 47 }),
        (arr, s) => {
          const p = Float64Array.from(arr);
          const q = applySymmetry(s, p, [10, 10, 10]);
          const n = p.length / 3;
          for (let i = 0; i < q.length; i++) if (!(q[i] >= 0 && q[i] < 10)) return false;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) {
              if (Math.abs(minimumImageDistance(p, i, p, j, 10) - minimumImageDistance(q, i, q, j, 10)) > 1e-9) return false;
            }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is a group: composition of two symmetries is a symmetry', () => {
    const p = new Float64Array([1.1, 2.3, 3.7, 4.4, 0.2, 8.8]);
    const all = new Set<string>();
    for (let s = 0; s < 48; s++) all.add(Array.from(applySymmetry(s, p, [10, 10, 10])).map((v) => v.toFixed(9)).join());
    for (let a = 0; a < 48; a += 7)
      for (let b = 0; b < 48; b += 5) {
        const q = applySymmetry(b, applySymmetry(a, p, [10, 10, 10]), [10, 10, 10]);
        expect(all.has(Array.from(q).map((v) => v.toFixed(9)).join())).toBe(true);
      }
  });

  it('rejects bad indices and permutations that do not fit the box', () => {
    expect(() => applySymmetry(48, new Float64Array(3), [1, 1, 1])).toThrow(ModelError);
    expect(() => applySymmetry(8, new Float64Array(3), [1, 2, 3])).toThrow(/different lengths/);
  });
});
