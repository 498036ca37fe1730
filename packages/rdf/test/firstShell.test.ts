import { describe, expect, it } from 'vitest';
import { RdfError, coordinationNumber, firstShell, rdf } from '@mddm/rdf';

/** A body-centred-cubic lattice of m^3 cells (2 m^3 sites), lattice constant a, in a box m a. */
function bcc(m: number, a: number): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    out.push(i * a, j * a, k * a, (i + 0.5) * a, (j + 0.5) * a, (k + 0.5) * a);
  }
  return Float64Array.from(out);
}

/** A face-centred-cubic lattice of m^3 cells (4 m^3 sites). */
function fcc(m: number, a: number): Float64Array {
  const out: number[] = [];
  const basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) for (const b of basis) out.push((i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a);
  return Float64Array.from(out);
}

describe('firstShell', () => {
  it('finds the 8 nearest neighbours of a bcc lattice and the 12 of an fcc lattice (closed forms)', () => {
    // bcc, a = 1.25: first shell at a sqrt(3)/2 = 1.0825 (8), second at a = 1.25 (6)
    const b = firstShell(rdf(bcc(8, 1.25), 10, { bins: 100, rMax: 5 }));
    expect(b.rPeak).toBeCloseTo(1.075, 6);
    expect(b.coordination).toBeCloseTo(8, 9);
    expect(b.rMin).toBeGreaterThan(1.0825);
    expect(b.rMin).toBeLessThanOrEqual(1.25);
    // fcc, a = 1.6: first shell at a / sqrt(2) = 1.1314 (12), second at a = 1.6 (6)
    const f = firstShell(rdf(fcc(6, 1.6), 9.6, { bins: 96, rMax: 4.8 }));
    expect(f.coordination).toBeCloseTo(12, 9);
    expect(f.rMin).toBeGreaterThan(1.1314);
    expect(f.rMin).toBeLessThanOrEqual(1.6);
  });

  it('agrees with a scan of the g values and with coordinationNumber at the minimum', () => {
    const res = rdf(fcc(5, 1.6), 8, { bins: 80, rMax: 4 });
    const s = firstShell(res);
    expect(s.gPeak).toBe(Math.max(...res.g));
    expect(res.g[s.peakBin]).toBe(s.gPeak);
    expect(s.rMin).toBe(res.edges[s.minBin]);
    expect(s.coordination).toBe(coordinationNumber(res)[s.minBin]);
    expect(Math.min(...Array.from(res.g).slice(s.peakBin, s.minBin + 1))).toBe(res.g[s.minBin]);
  });

  it('ends the shell only at a real rise: a smaller rise threshold stops at the first dip', () => {
    const res = rdf(bcc(8, 1.25), 10, { bins: 100, rMax: 5 });
    const strict = firstShell(res, 0.5);
    const loose = firstShell(res, 1e-9);
    expect(loose.minBin).toBeLessThanOrEqual(strict.minBin);
  });

  it('rejects what is not an RdfResult and a bad rise with a typed error', () => {
    expect(() => firstShell([1, 2, 3] as never)).toThrow(RdfError);
    const res = rdf(bcc(4, 1.25), 5, { bins: 20, rMax: 2.5 });
    expect(() => firstShell(res, 0)).toThrow(/rise/);
    expect(() => firstShell(res, Number.NaN)).toThrow(/rise/);
  });
});
