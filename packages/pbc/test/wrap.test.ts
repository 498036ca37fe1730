import { describe, expect, it } from 'vitest';
import { MddmError, PbcError, minimumImage, minimumImageDistance, toBox, validatePositions, wrap } from '../src/index';

describe('wrap edge cases', () => {
  const L = 10;
  const nasty = [-1e-9, -1e-20, -0, 0, L, L - 1e-9, L - 1e-15, -L, 1e15 * L + 0.5, -1e15 * L - 0.25, 1e300, -1e300, 3 * L, 5e-324, -5e-324, L / 2];
  for (const T of [Float32Array, Float64Array]) {
    it(`${T.name}: range [0, L), never L, never negative or -0`, () => {
      const vals = nasty.map((v) => (T === Float32Array && Math.abs(v) > 1e38 ? Math.sign(v) * 3e38 : v));
      const x = new T(vals.length * 3);
      for (let i = 0; i < vals.length; i++) x.fill(vals[i], 3 * i, 3 * i + 3);
      for (const box of [L, 0.1, 3.3, 1e-3] as const) {
        const y = wrap(x, box);
        expect(y).toBeInstanceOf(T);
        for (let i = 0; i < y.length; i++) {
          expect(y[i]).toBeGreaterThanOrEqual(0);
          expect(y[i]).toBeLessThan(box);
          expect(Object.is(y[i], -0)).toBe(false);
        }
      }
    });
  }

  it('exact values', () => {
    const y = wrap(Float64Array.of(-1, 11, 25, -0, 10, -20), 10);
    expect(Array.from(y)).toEqual([9, 1, 5, 0, 0, 0]);
    expect(Object.is(y[3], 0)).toBe(true);
    // float32: L - 1e-9 rounds to L, so it must become 0
    const f = wrap(Float32Array.of(-1e-9, 10 - 1e-9, 0), 10);
    expect(Array.from(f)).toEqual([0, 0, 0]);
  });

  it('orthorhombic, in-place out, errors', () => {
    const x = Float64Array.of(-1, -1, -1);
    expect(Array.from(wrap(x, [2, 3, 4], x))).toEqual([1, 2, 3]);
    expect(() => wrap(x, 1, new Float64Array(6))).toThrow(/out must be a Float64Array of length 3/);
    expect(() => wrap(x, 1, new Float32Array(3) as never)).toThrow(PbcError);
  });
});

describe('minimumImage', () => {
  it('components within [-L/2, L/2] in float32 and float64', () => {
    for (const T of [Float32Array, Float64Array]) {
      for (const L of [10, 0.1, 3.3]) {
        const v = new T([L / 2, -L / 2, L, 1e12 * L + L / 2, -0.5 * L - 1e-12, 0.5 * L - 1e-9, -7.3 * L, 0.49999999 * L, T === Float32Array ? 3e38 : 1e300]);
        const w = new T(9 - (9 % 3));
        w.set(v.subarray(0, w.length));
        const m = minimumImage(w, L);
        for (let i = 0; i < m.length; i++) {
          expect(Math.abs(m[i])).toBeLessThanOrEqual(L / 2);
          expect(Object.is(m[i], -0)).toBe(false);
        }
      }
    }
  });

  it('values and distance helper', () => {
    const m = minimumImage(Float64Array.of(6, -6, 14, 5, -5, 0.5), [10, 10, 10]);
    expect(Array.from(m)).toEqual([-4, 4, 4, -5, -5, 0.5]);
    const a = Float64Array.of(0.5, 0.5, 0.5, 9.5, 9.5, 9.5);
    expect(minimumImageDistance(a, 0, a, 1, 10)).toBeCloseTo(Math.sqrt(3), 14);
    expect(minimumImageDistance(a, 0, a, 0, 10)).toBe(0);
    expect(() => minimumImageDistance(a, 0, a, 2, 10)).toThrow(/j must be an integer in \[0, 2\), got 2/);
    expect(() => minimumImageDistance(a, 0.5, a, 1, 10)).toThrow(PbcError);
  });
});

describe('toBox and validatePositions', () => {
  it('boxes', () => {
    const b = toBox(3);
    expect(b.kind).toBe('orthorhombic');
    expect(b.dim).toBe(3);
    expect(Array.from(b.lengths)).toEqual([3, 3, 3]);
    expect(b.volume).toBe(27);
    expect(toBox(b)).toBe(b);
    expect(toBox([1, 2, 3]).volume).toBe(6);
    for (const bad of [0, -1, NaN, Infinity, [1, 2], [1, 2, 0], [1, NaN, 2], 'x', null, { kind: 'triclinic' }]) {
      expect(() => toBox(bad as never)).toThrow(PbcError);
    }
    expect(() => toBox([1, 2] as never)).toThrow(/3 entries/);
    expect(() => toBox({ kind: 'triclinic' } as never)).toThrow(/"triclinic"/);
    try {
      toBox(-2);
    } catch (e) {
      expect(e).toBeInstanceOf(MddmError);
      expect((e as PbcError).code).toBe('PBC_BAD_BOX');
      expect((e as Error).name).toBe('PbcError');
      expect((e as Error).message).toMatch(/-2/);
    }
  });

  it('positions', () => {
    expect(validatePositions(new Float32Array(9))).toBe(3);
    expect(() => validatePositions(new Float64Array(4))).toThrow(/multiple of 3.*got length 4/);
    expect(() => validatePositions(Float64Array.of(0, 0, 0, 0, -Infinity, 0), 'xs')).toThrow(/xs.*-Infinity at index 4 \(point 1, axis y\)/);
    expect(() => validatePositions([1, 2, 3] as never)).toThrow(/Float32Array or Float64Array/);
  });
});
