import { describe, expect, it } from 'vitest';
import { MddmError } from '@mddm/pbc';
import { RdfAccumulator, RdfError, coordinationNumber, rdf, shellVolumes } from '@mddm/rdf';
import { bruteCounts, sum, uniformPoints } from './helpers';

const arr = (a: ArrayLike<number>) => Array.from(a);

describe('RdfAccumulator', () => {
  it('equal N: counts are the sums of the single-frame counts and g is the mean of the frame g', () => {
    const frames = [1, 2, 3, 4].map((s) => uniformPoints(400, 10, s));
    const acc = new RdfAccumulator();
    const singles = frames.map((x) => rdf(x, 10));
    for (const x of frames) acc.add(x, 10);
    const r = acc.result();
    expect(r.frames).toBe(4);
    expect(r.n).toBe(400);
    expect(r.volume).toBe(1000);
    expect(r.rMax).toBe(5);
    for (let b = 0; b < 100; b++) {
      expect(r.counts[b]).toBe(singles.reduce((s, x) => s + x.counts[b], 0));
      const meanG = singles.reduce((s, x) => s + x.g[b], 0) / 4;
      expect(r.g[b]).toBeCloseTo(meanG, 12);
    }
  });

  it('equals the single-frame result on concatenated counts (brute force per frame)', () => {
    const frames = [7, 8, 9].map((s) => uniformPoints(300, 9, s));
    const acc = new RdfAccumulator({ bins: 40, rMax: 3 });
    for (const x of frames) acc.add(x, 9);
    const counts = new Float64Array(40);
    for (const x of frames) bruteCounts(x, 9, 3, 40).forEach((v, b) => (counts[b] += v));
    const r = acc.result();
    expect(arr(r.counts)).toEqual(arr(counts));
    const shells = shellVolumes(r.edges);
    const density = (3 * 300 * 299) / 729;
    for (let b = 0; b < 40; b++) expect(r.g[b]).toBeCloseTo(counts[b] / (density * shells[b]), 12);
  });

  it('unequal N and V: normalizes by the summed pair density sum_f N_f (N_f - 1) / V_f', () => {
    const specs: [number, number][] = [[50, 8], [700, 12], [300, 10]];
    const acc = new RdfAccumulator({ rMax: 4, bins: 50 });
    const counts = new Float64Array(50);
    let density = 0, refs = 0;
    for (const [n, L] of specs) {
      const x = uniformPoints(n, L, n);
      acc.add(x, L);
      bruteCounts(x, L, 4, 50).forEach((v, b) => (counts[b] += v));
      density += (n * (n - 1)) / L ** 3;
      refs += n;
    }
    const r = acc.result();
    expect(arr(r.counts)).toEqual(arr(counts));
    expect(r.pairDensity).toBeCloseTo(density, 12);
    expect(r.referenceCount).toBe(refs);
    expect(r.n).toBeCloseTo(1050 / 3, 12);
    expect(r.volume).toBeCloseTo((512 + 1728 + 1000) / 3, 9);
    const shells = shellVolumes(r.edges);
    for (let b = 0; b < 50; b++) expect(r.g[b]).toBeCloseTo(counts[b] / (density * shells[b]), 12);
    // coordination number = mean neighbors within r over all particles of all frames
    const cn = coordinationNumber(r);
    expect(cn[50]).toBeCloseTo(sum(counts) / refs, 10);
  });

  it('unequal N ideal gas: g = 1 within Poisson error, where a mean-N normalization is far off', () => {
    const L = 10, Ns = [20, 3000, 20, 20];
    const acc = new RdfAccumulator({ bins: 10 });
    for (let f = 0; f < Ns.length; f++) acc.add(uniformPoints(Ns[f], L, 77 + f), L);
    const r = acc.result();
    const shells = shellVolumes(r.edges);
    const nbar = r.n;
    for (let b = 2; b < 10; b++) {
      const mu = (r.pairDensity * shells[b]) / 2; // expected unordered pairs
      const sigma = Math.sqrt(mu) / mu;
      expect(Math.abs(r.g[b] - 1)).toBeLessThan(6 * sigma);
      const naive = r.counts[b] / (((Ns.length * nbar * (nbar - 1)) / L ** 3) * shells[b]);
      expect(Math.abs(naive - 1)).toBeGreaterThan(50 * sigma); // the alternative normalization is wrong
    }
  });

  it('partial RDF over frames of different N (index sets apply per frame)', () => {
    const acc = new RdfAccumulator({ indicesA: [0, 1, 2, 3, 4], indicesB: [3, 4, 5, 6, 7, 8, 9], rMax: 3 });
    const xs = [uniformPoints(10, 7, 1), uniformPoints(25, 6, 2)];
    acc.add(xs[0], 7).add(xs[1], 7);
    const r = acc.result();
    const c0 = bruteCounts(xs[0], 7, 3, 100, [0, 1, 2, 3, 4], [3, 4, 5, 6, 7, 8, 9]);
    const c1 = bruteCounts(xs[1], 7, 3, 100, [0, 1, 2, 3, 4], [3, 4, 5, 6, 7, 8, 9]);
    expect(arr(r.counts)).toEqual(arr(c0.map((v, b) => v + c1[b])));
    expect(r.pairDensity).toBeCloseTo((2 * (35 - 2)) / 343, 12);
    expect(r.referenceCount).toBe(10);
  });

  it('rMax comes from the first frame; later frames must allow it; a failed frame changes nothing', () => {
    const acc = new RdfAccumulator();
    expect(acc.rMax).toBeUndefined();
    acc.add(uniformPoints(100, 10, 1), 10);
    expect(acc.rMax).toBe(5);
    const before = acc.result();
    let err: unknown;
    try {
      acc.add(uniformPoints(100, 8, 2), 8);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RdfError);
    expect((err as RdfError).code).toBe('RDF_BAD_RMAX');
    expect(() => acc.add(new Float64Array([1, 2, NaN]), 10)).toThrow(MddmError);
    const after = acc.result();
    expect(after.frames).toBe(1);
    expect(arr(after.counts)).toEqual(arr(before.counts));
    expect(after.pairDensity).toBe(before.pairDensity);
    // result() is a snapshot
    acc.add(uniformPoints(100, 12, 3), 12);
    expect(arr(after.counts)).toEqual(arr(before.counts));
    expect(acc.frames).toBe(2);
  });

  it('reset and empty', () => {
    const acc = new RdfAccumulator({ rMax: 2 });
    expect(() => acc.result()).toThrow(/no frame was added/);
    acc.add(uniformPoints(50, 5, 1), 5);
    acc.reset();
    expect(acc.frames).toBe(0);
    expect(() => acc.result()).toThrow(RdfError);
    const x = uniformPoints(60, 5, 2);
    acc.add(x, 5);
    expect(arr(acc.result().counts)).toEqual(arr(rdf(x, 5, { rMax: 2 }).counts));
  });
});
