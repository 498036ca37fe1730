import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScheduleError, cosineSchedule, createRng, drawFromCdf, encodeTime, samplingTimesteps, timestepCdf } from '@mddm/schedules';

const s = cosineSchedule(500);

describe('timestep distributions', () => {
  it('uniform cdf gives U{tMin..tMax} (Monte Carlo)', () => {
    const cdf = timestepCdf(s, 'uniform', 10, 19);
    const rng = createRng(1);
    const counts = new Float64Array(501);
    for (let i = 0; i < 20000; i++) counts[drawFromCdf(cdf, rng.uniform())]++;
    for (let t = 0; t <= 500; t++) {
      if (t < 10 || t > 19) expect(counts[t]).toBe(0);
      else expect(Math.abs(counts[t] / 20000 - 0.1)).toBeLessThan(0.01);
    }
  });

  it('log-sigma cdf is uniform in log std: P(sigma <= s) = log(s/s1)/log(sT/s1)', () => {
    const cdf = timestepCdf(s, 'log-sigma', 1, 500);
    const l = (t: number) => Math.log(s.sqrtA[t]);
    for (const t of [5, 30, 100, 300]) {
      const expected = (0.5 * (l(t) + l(t + 1)) - l(1)) / (l(500) - l(1));
      expect(cdf[t]).toBeCloseTo(expected, 10);
    }
    expect(cdf[0]).toBe(0);
    expect(cdf[500]).toBe(1);
  });

  it('explicit weights give P(t) proportional to the weight on tMin..tMax (Monte Carlo), and are validated', () => {
    const w = new Float64Array(501);
    w[3] = 1; w[4] = 3; w[7] = 0; w[9] = 6; w[200] = 100; // w[200] lies outside tMin..tMax: ignored
    const cdf = timestepCdf(s, w, 2, 9);
    const rng = createRng(2);
    const counts = new Float64Array(501);
    for (let i = 0; i < 40000; i++) counts[drawFromCdf(cdf, rng.uniform())]++;
    expect(counts[3] / 40000).toBeCloseTo(0.1, 1);
    expect(counts[4] / 40000).toBeCloseTo(0.3, 1);
    expect(counts[9] / 40000).toBeCloseTo(0.6, 1);
    expect(counts[3] + counts[4] + counts[9]).toBe(40000);
    expect(() => timestepCdf(s, new Float64Array(10), 1, 5)).toThrow(/length T \+ 1 = 501/);
    expect(() => timestepCdf(s, new Float64Array(501), 1, 5)).toThrow(/all zero/);
    const bad = new Float64Array(501); bad[2] = NaN;
    expect(() => timestepCdf(s, bad, 1, 5)).toThrow(/timestep weight 2 must be a finite number >= 0/);
  });

  it('sampling timesteps are strictly decreasing from T to 1, evenly spaced in log std', () => {
    for (const n of [2, 10, 60, 200, 500]) {
      const ts = samplingTimesteps(s, n, 'log-sigma');
      expect(ts.length).toBe(n);
      expect(ts[0]).toBe(500);
      expect(ts[n - 1]).toBe(1);
      for (let i = 1; i < n; i++) expect(ts[i]).toBeLessThan(ts[i - 1]);
    }
    const u = samplingTimesteps(s, 5, 'uniform');
    expect(Array.from(u)).toEqual([500, 375, 251, 126, 1]);
    expect(Array.from(samplingTimesteps(s, 1, 'log-sigma'))).toEqual([500]);
    expect(() => samplingTimesteps(s, 0, 'log-sigma')).toThrow(ScheduleError);
    expect(() => samplingTimesteps(s, 5, 'cubic' as never)).toThrow(/spacing/);
  });

  it('time encodings map 1..T into [0, 1]', () => {
    expect(encodeTime('t/T', 250, s.a)).toBe(0.5);
    expect(encodeTime('log-sigma', 1, s.a)).toBe(0);
    expect(encodeTime('log-sigma', 500, s.a)).toBeCloseTo(1, 12);
    expect(encodeTime('log-sigma', 30, s.a)).toBeGreaterThan(0.4);
  });
});

describe('grids that stop above the smallest level (end)', () => {
  it('samplingTimesteps / noiseLevels on end..start equal the grids of the schedule cut at end, shifted by end - 1', async () => {
    const { geometricSchedule, noiseLevels, scheduleFromFunction } = await import('@mddm/schedules');
    const full = geometricSchedule(200, { sigmaMinBox: 1e-4, sigmaMaxBox: 0.15 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 2, max: 40 }), fc.constantFrom('uniform', 'log-sigma', 'karras'), (end, steps, spacing) => {
      // the independent computation: a schedule whose timestep 1 is `end` of the full one
      const cut = scheduleFromFunction(200 - end + 1, (t) => (t === 0 ? 0 : full.a[t + end - 1]), 'cut');
      const want = Array.from(noiseLevels(cut, steps, { spacing, start: 200 - end + 1 }), (t) => t + end - 1);
      const got = Array.from(noiseLevels(full, steps, { spacing, end }));
      expect(got).toEqual(want);
      expect(got[0]).toBe(200);
      expect(got.at(-1)).toBe(end);
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeLessThan(got[i - 1]);
      if (spacing !== 'karras') expect(Array.from(samplingTimesteps(full, steps, spacing, 200, end))).toEqual(want);
    }), { numRuns: 150 });
    // a tie found by fast-check (end 89, 23 steps: 144.5 exactly) rounds the same on both grids
    expect(samplingTimesteps(full, 23, 'uniform', 200, 89)[11]).toBe(145);
    expect(samplingTimesteps(full, 23, 'uniform', 112, 1)[11] + 88).toBe(145);
    // end = 1 is the default grid; steps beyond start - end + 1 and end outside 1..start are refused
    expect(Array.from(samplingTimesteps(full, 30, 'log-sigma', 200, 1))).toEqual(Array.from(samplingTimesteps(full, 30, 'log-sigma')));
    expect(() => samplingTimesteps(full, 12, 'uniform', 10, 0)).toThrow(ScheduleError);
    expect(() => samplingTimesteps(full, 5, 'uniform', 10, 7)).toThrow(/steps/);
    expect(() => noiseLevels(full, 5, { start: 10, end: 11 })).toThrow(/end/);
  });
});
