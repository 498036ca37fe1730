import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lammpsPairTable, oppEnergy, oppForce } from '../src/index';

describe('oscillating pair potential', () => {
  it('matches the closed form at hand-checked points', () => {
    // U(1.25) = 1.25^-15 + 1.25^-3 cos(-phi)
    expect(oppEnergy(1.25, { k: 7, phi: 1 })).toBeCloseTo(1.25 ** -15 + 1.25 ** -3 * Math.cos(1), 14);
    expect(oppEnergy(1, { k: 0, phi: 0 })).toBe(2);
    // k = 0, phi = 0: U = r^-15 + r^-3, F = 15 r^-16 + 3 r^-4
    expect(oppForce(2, { k: 0, phi: 0 })).toBeCloseTo(15 * 2 ** -16 + 3 * 2 ** -4, 15);
  });

  it('force = -dU/dr (central finite differences) over the paper ranges', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.7, max: 3, noNaN: true }), fc.double({ min: 1, max: 15, noNaN: true }), fc.double({ min: 0, max: 6, noNaN: true }), (r, k, phi) => {
        const p = { k, phi };
        const h = 1e-5;
        const fd = -(oppEnergy(r + h, p) - oppEnergy(r - h, p)) / (2 * h);
        const f = oppForce(r, p);
        // truncation error ~ h^2 U'''/6, rounding ~ eps |U| / h
        expect(Math.abs(f - fd)).toBeLessThan(1e-6 * (1 + Math.abs(f)) * (r < 0.9 ? 100 : 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('LAMMPS pair table', () => {
  const p = { k: 7, phi: 1 };
  const text = lammpsPairTable(p, { points: 101, rMin: 0.5, rCut: 3 });
  const lines = text.split('\n');

  it('has the pair_style table layout: comment, blank, keyword, N R line, blank, N numbered rows', () => {
    expect(lines[0]).toMatch(/^# OPP/);
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('OPP');
    expect(lines[3]).toBe('N 101 R 0.5 3');
    expect(lines[4]).toBe('');
    const rows = lines.slice(5).filter((l) => l.length > 0);
    expect(rows).toHaveLength(101);
    rows.forEach((row, i) => {
      const f = row.split(' ');
      expect(f).toHaveLength(4);
      expect(Number(f[0])).toBe(i + 1);
      const r = Number(f[1]);
      expect(r).toBeCloseTo(0.5 + (2.5 * i) / 100, 9);
      const u = oppEnergy(r, p) - oppEnergy(3, p);
      const force = oppForce(r, p);
      // 12 significant digits written
      expect(Math.abs(Number(f[2]) - u)).toBeLessThanOrEqual(1e-11 * Math.abs(u) + 1e-15);
      expect(Math.abs(Number(f[3]) - force)).toBeLessThanOrEqual(1e-11 * Math.abs(force) + 1e-15);
    });
    // energy shifted to zero at the cutoff
    expect(Number(rows[100].split(' ')[2])).toBe(0);
  });

  it('tabulated force is consistent with the tabulated energy (finite differences of the table)', () => {
    const fine = lammpsPairTable(p, { points: 4001, rMin: 0.5, rCut: 3 }).split('\n');
    const rows = fine.slice(5).filter((l) => l.length > 0).map((l) => l.split(' ').map(Number));
    expect(rows).toHaveLength(4001);
    for (let i = 1; i < 4000; i++) {
      const dr = rows[i + 1][1] - rows[i - 1][1];
      const fd = -(rows[i + 1][2] - rows[i - 1][2]) / dr;
      expect(Math.abs(fd - rows[i][3])).toBeLessThan(5e-4 * (1 + Math.abs(rows[i][3]))); // h^2 U'''/6 truncation near r = 0.5
    }
  });
});
