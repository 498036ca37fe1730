import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, createRng } from '../src/index';
// the statistics helpers of the schedules tests (written independently of both packages)
import { ksCritical, ksStatistic, mean, normalCdf, variance } from '../../schedules/test/helpers';

describe('createRng (xoshiro128** + SplitMix32 seeding + polar normals)', () => {
  it('reproduces the reference xoshiro128** output for state {1, 2, 3, 4}', () => {
    const r = createRng(0);
    r.setState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4], spare: null });
    const got = Array.from({ length: 10 }, () => r.uint32());
    // Blackman & Vigna's reference C implementation, seeded with s = {1, 2, 3, 4}
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });

  it('same seed -> same stream; different seeds -> different streams (incl. high bits, negatives)', () => {
    const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const firsts = seeds.map((s) => {
      const a = createRng(s), b = createRng(s);
      const xa = Array.from({ length: 8 }, () => a.uniform());
      const xb = Array.from({ length: 8 }, () => b.uniform());
      expect(xa).toEqual(xb);
      return xa.join(',');
    });
    expect(new Set(firsts).size).toBe(seeds.length);
  });

  it('uniform() is in [0, 1) with the right mean/variance and passes KS', () => {
    const r = createRng(7);
    const n = 100_000;
    const xs = new Float64Array(n);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      xs[i] = r.uniform();
      if (!(xs[i] >= 0 && xs[i] < 1)) bad++;
    }
    expect(bad).toBe(0);
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(0.002);
    expect(ksStatistic(xs, (x) => x)).toBeLessThan(ksCritical(n));
  });

  it('normal() has mean 0, variance 1, kurtosis 3 and passes KS against Phi', () => {
    const r = createRng(11);
    const n = 100_000;
    const xs = new Float64Array(n);
    r.fillNormal(xs);
    expect(Math.abs(mean(xs))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance(xs) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    let k = 0;
    for (const x of xs) k += x ** 4;
    expect(Math.abs(k / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    expect(ksStatistic(xs, normalCdf)).toBeLessThan(ksCritical(n));
    // a deliberately wrong CDF is rejected (the test can fail)
    expect(ksStatistic(xs, (x) => normalCdf(x / 1.05))).toBeGreaterThan(ksCritical(n));
  });

  it('state()/setState() resume bit-identically, including a cached normal, through JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 7 }), (seed, skip) => {
        const r = createRng(seed);
        for (let i = 0; i < skip; i++) r.normal(); // odd skip leaves a spare
        const saved = JSON.parse(JSON.stringify(r.state()));
        const a = [r.normal(), r.uniform(), r.normal(), r.uint32(), r.normal()];
        const r2 = createRng(12345);
        r2.setState(saved);
        const b = [r2.normal(), r2.uniform(), r2.normal(), r2.uint32(), r2.normal()];
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('fillNormal produces exactly the stream of repeated normal() calls (odd lengths, spare carried over)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }), (seed, lens) => {
        const a = createRng(seed), b = createRng(seed);
        for (const n of lens) {
          const buf = new Float64Array(n);
          a.fillNormal(buf);
          const ref = Array.from({ length: n }, () => b.normal());
          expect(Array.from(buf)).toEqual(ref);
          expect(a.state()).toEqual(b.state());
        }
        expect(a.uniform()).toBe(b.uniform());
      }),
      { numRuns: 100 },
    );
  });

  it('integer(lo, hi) is uniform (chi-square) and in range', () => {
    const r = createRng(3);
    const counts = new Array(7).fill(0);
    const n = 70_000;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const v = r.integer(1, 7);
      if (!(v >= 1 && v <= 7 && Number.isInteger(v))) bad++;
      else counts[v - 1]++;
    }
    expect(bad).toBe(0);
    const e = n / 7;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(22.46); // chi-square(6) 0.999 quantile
    expect(r.integer(5, 5)).toBe(5);
    expect(() => r.integer(3, 2)).toThrow(CoreError);
  });

  it('fillUniform respects [lo, hi) even when float32 rounding would hit hi', () => {
    const r = createRng(5);
    const hi = 1 + 2 ** -23; // next float32 after 1: most draws round to one of the endpoints
    const out = new Float32Array(1000);
    r.fillUniform(out, 1, hi);
    for (const v of out) expect(v >= 1 && v < hi).toBe(true);
    const o64 = new Float64Array(1000);
    r.fillUniform(o64, -2, 3);
    for (const v of o64) expect(v >= -2 && v < 3).toBe(true);
    expect(() => r.fillUniform(o64, 1, 1)).toThrow(CoreError);
  });

  it('rejects bad seeds and bad states with a CoreError naming the value', () => {
    for (const s of [1.5, NaN, Infinity, 2 ** 60]) expect(() => createRng(s)).toThrow(/seed must be a safe integer/);
    const r = createRng(1);
    expect(() => r.setState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0], spare: null })).toThrow(CoreError);
    expect(() => r.setState({ algorithm: 'mt19937', s: [1, 2, 3, 4], spare: null })).toThrow(/Rng.setState/);
    expect(() => r.setState(null)).toThrow(CoreError);
  });
});
