import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellGrid } from '../src/cellList';
import { PbcError, boxLengthsInto, wrapScalar } from '../src/index';

describe('cellGrid (the one cell-grid sizing of kNN and radius search)', () => {
  it('cells are at least `side` wide, at most 2n + 8 of them, and never coarser than needed', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 100, noNaN: true }), fc.double({ min: 0.5, max: 100, noNaN: true }),
        fc.double({ min: 0.5, max: 100, noNaN: true }), fc.double({ min: 0.05, max: 50, noNaN: true }), fc.integer({ min: 1, max: 5000 }),
        (lx, ly, lz, side, n) => {
          const [nx, ny, nz] = cellGrid(lx, ly, lz, side, n, new Int32Array(3));
          for (const [c, L] of [[nx, lx], [ny, ly], [nz, lz]]) {
            expect(c).toBeGreaterThanOrEqual(1);
            expect(c).toBeLessThanOrEqual(Math.max(1, Math.floor(L / side)));
          }
          expect(nx * ny * nz).toBeLessThanOrEqual(Math.max(1, 2 * n + 8));
          // when the uncapped grid fits, it is used as is
          const fx = Math.max(1, Math.floor(lx / side)), fy = Math.max(1, Math.floor(ly / side)), fz = Math.max(1, Math.floor(lz / side));
          if (fx * fy * fz <= 2 * n + 8) expect([nx, ny, nz]).toEqual([fx, fy, fz]);
        },
      ),
    );
  });
});

describe('wrapScalar / boxLengthsInto (public building blocks)', () => {
  it('wrapScalar lands in [0, L) and differs from x by a multiple of L', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }), (x, L) => {
        const y = wrapScalar(x, L);
        expect(y >= 0 && y < L).toBe(true);
        expect(Object.is(y, -0)).toBe(false);
        const m = (x - y) / L;
        expect(Math.abs(m - Math.round(m))).toBeLessThan(1e-6 * Math.max(1, Math.abs(m)));
      }),
    );
    expect(wrapScalar(-1e-20, 10)).toBe(0);
  });

  it('boxLengthsInto writes the lengths and names the bad value once', () => {
    const out = new Float64Array(3);
    expect(Array.from(boxLengthsInto(2, out))).toEqual([2, 2, 2]);
    expect(Array.from(boxLengthsInto([1, 2, 3], out))).toEqual([1, 2, 3]);
    expect(() => boxLengthsInto(0, out)).toThrow(PbcError);
    expect(() => boxLengthsInto(0, out)).toThrow(/^box length L must be a finite number > 0, got 0$/);
    expect(() => boxLengthsInto([1, NaN, 3], out)).toThrow(/^box Ly must be a finite number > 0, got NaN$/);
  });
});
