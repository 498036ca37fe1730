import { describe, expect, it } from 'vitest';
import { MddmError } from '@mddm/pbc';
import {
  ScheduleError, cosineSchedule, geometricSchedule, linearSchedule, scheduleFromFunction, wrappedUniformityDeviation,
} from '@mddm/schedules';
import { bruteLogWrapped, erfc } from './helpers';

describe('helpers sanity', () => {
  it('erfc matches known values', () => {
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 15);
    expect(erfc(3.5) / 7.430983723414128e-7).toBeCloseTo(1, 12);
  });
});

describe('cosineSchedule', () => {
  it('matches mddm_torch.schedule (1 - cos^2 of the paper argument), T = 500, s = 0.008', () => {
    const s = cosineSchedule();
    expect(s.T).toBe(500);
    expect(s.a.length).toBe(501);
    for (const t of [0, 1, 2, 100, 250, 499, 500]) {
      const c = Math.cos((Math.PI / 2) * (t / 501 + 0.008) / 1.008);
      expect(s.a[t]).toBe(1 - c * c);
      expect(s.sqrtA[t]).toBe(Math.sqrt(1 - c * c));
    }
    // values printed by /work/shared/reference/mddm_torch.py: schedule()[[0, 1, 250, 500]] (float64)
    expect(s.a[0]).toBeCloseTo(1.5540899959176624e-4, 15);
    expect(s.a[1]).toBeCloseTo(0.00024262567225707965, 15);
    expect(s.a[250]).toBeCloseTo(0.504678031254371, 14);
    expect(s.a[500]).toBeCloseTo(0.9999903252035287, 14);
  });

  it('a_t is strictly increasing (variance exploding) for several T and s', () => {
    for (const [T, s] of [[500, 0.008], [1, 0.008], [10, 0], [1000, 0.1]] as const) {
      const sc = cosineSchedule(T, { s });
      for (let t = 1; t <= T; t++) expect(sc.a[t]).toBeGreaterThan(sc.a[t - 1]);
      expect(sc.a[0]).toBeGreaterThanOrEqual(0);
      expect(sc.a[T]).toBeLessThanOrEqual(1);
    }
  });

  it('the final noise std is about one box length, so the wrapped marginal is uniform to < 1e-8', () => {
    const s = cosineSchedule();
    expect(s.sqrtA[500]).toBeGreaterThan(0.99999);
    const dev = wrappedUniformityDeviation(s.sqrtA[500]);
    expect(dev).toBeLessThan(1e-8);
    expect(dev).toBeCloseTo(2 * Math.exp(-2 * Math.PI ** 2 * s.a[500]), 20);
  });

  it('s = 0 gives a_0 = 0 exactly', () => {
    expect(cosineSchedule(50, { s: 0 }).a[0]).toBe(0);
  });
});

describe('wrappedUniformityDeviation', () => {
  it('matches a brute-force max |L p(y) - 1| over a grid (image sum), small and large sigma', () => {
    for (const sigma of [0.05, 0.15, 0.29, 0.3, 0.31, 0.4, 0.6]) {
      let mx = 0;
      for (let j = 0; j <= 200; j++) {
        const y = j / 200;
        mx = Math.max(mx, Math.abs(Math.exp(bruteLogWrapped(y, sigma, 1)) - 1));
      }
      expect(wrappedUniformityDeviation(sigma) / mx).toBeCloseTo(1, 10);
    }
  });
  it('leading term 2 exp(-2 pi^2 sigma^2) at sigma = L (SPEC: ~5e-9)', () => {
    expect(wrappedUniformityDeviation(1)).toBeGreaterThan(5.3e-9);
    expect(wrappedUniformityDeviation(1)).toBeLessThan(5.4e-9);
  });
});

describe('geometricSchedule', () => {
  it('noise std is sigmaMinBox * ratio^(t/T): endpoints exact, constant ratio between steps', () => {
    const s = geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 });
    expect(s.sqrtA[0]).toBe(1e-3);
    expect(s.sqrtA[500]).toBe(1);
    const ratio = Math.pow(1000, 1 / 500);
    for (let t = 1; t <= 500; t++) {
      expect(s.a[t]).toBeGreaterThan(s.a[t - 1]);
      expect(s.sqrtA[t] / s.sqrtA[t - 1]).toBeCloseTo(ratio, 12);
    }
    // independent closed form at a few t: log10 sigma = -3 + 3 t / 500
    for (const t of [1, 123, 250, 499]) expect(Math.log10(s.sqrtA[t])).toBeCloseTo(-3 + (3 * t) / 500, 12);
    expect(s.name).toBe('geometric(T=500, sigmaMinBox=0.001, sigmaMaxBox=1)');
  });
  it('defaults: 1e-3 .. 1 box lengths; sigmaMaxBox = 1 makes the wrapped marginal uniform', () => {
    const s = geometricSchedule(100);
    expect(s.a[0]).toBeCloseTo(1e-6, 18);
    expect(s.a[100]).toBe(1);
    expect(wrappedUniformityDeviation(s.sqrtA[100])).toBeLessThan(1e-8);
  });
  it('spends the same number of steps in every octave of noise (unlike the cosine schedule)', () => {
    const g = geometricSchedule(500);
    const c = cosineSchedule(500);
    const below = (s: { sqrtA: Float64Array }, x: number) => s.sqrtA.filter((v) => v < x).length;
    // noise below 0.01 box lengths (0.1 LJ units in a 10^3 box): 1/3 of the geometric steps, none of the cosine ones
    expect(below(g, 0.01)).toBe(167);
    expect(below(c, 0.01)).toBe(0);
  });
  it('bad sigmaMinBox / sigmaMaxBox / T are ScheduleErrors that say what is expected', () => {
    expect(() => geometricSchedule(10, { sigmaMinBox: 0 })).toThrow(/sigmaMinBox must be a finite number > 0/);
    expect(() => geometricSchedule(10, { sigmaMinBox: NaN })).toThrow(ScheduleError);
    expect(() => geometricSchedule(10, { sigmaMinBox: 0.5, sigmaMaxBox: 0.5 })).toThrow(/sigmaMaxBox must be a finite number > sigmaMinBox \(0.5\)/);
    expect(() => geometricSchedule(10, { sigmaMaxBox: Infinity })).toThrow(/sigmaMaxBox/);
    expect(() => geometricSchedule(0)).toThrow(/T \(number of diffusion steps\) must be an integer >= 1/);
  });
});

describe('linearSchedule / scheduleFromFunction', () => {
  it('linear in variance, endpoints exact, strictly increasing', () => {
    const s = linearSchedule(200, { aMin: 1e-3, aMax: 1.2 });
    expect(s.a[0]).toBe(1e-3);
    expect(s.a[200]).toBe(1.2);
    for (let t = 1; t <= 200; t++) {
      expect(s.a[t]).toBeGreaterThan(s.a[t - 1]);
      expect(s.a[t] - s.a[t - 1]).toBeCloseTo((1.2 - 1e-3) / 200, 12);
    }
    const d = linearSchedule(3);
    expect(d.a[0]).toBe(1e-4);
    expect(d.a[3]).toBe(1);
  });
  it('fromFunction evaluates fn at t = 0..T and reproduces the cosine schedule', () => {
    const c = cosineSchedule(40);
    const f = scheduleFromFunction(40, (t) => c.a[t], 'copy');
    expect(f.name).toBe('copy');
    expect(Array.from(f.a)).toEqual(Array.from(c.a));
    expect(Array.from(f.sqrtA)).toEqual(Array.from(c.sqrtA));
  });
  it('rejects non-increasing, negative or NaN values, naming t', () => {
    expect(() => scheduleFromFunction(5, (t) => (t === 3 ? 0.1 : t / 10))).toThrow(/a\[2\] = 0.2 >= a\[3\] = 0.1/);
    expect(() => scheduleFromFunction(5, (t) => t - 1)).toThrow(/a\[0\] must be a finite number >= 0, got -1/);
    expect(() => scheduleFromFunction(5, (t) => (t === 4 ? NaN : t))).toThrow(/a\[4\]/);
    try {
      scheduleFromFunction(5, () => 1);
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleError);
      expect(e).toBeInstanceOf(MddmError);
      expect((e as ScheduleError).code).toBe('SCHEDULE_BAD_SCHEDULE');
    }
  });
  it('T < 1 or non-integer T is a ScheduleError naming T', () => {
    for (const T of [0, -3, 2.5, NaN]) {
      expect(() => cosineSchedule(T)).toThrow(ScheduleError);
      expect(() => linearSchedule(T)).toThrow(/T \(number of diffusion steps\) must be an integer >= 1/);
      expect(() => scheduleFromFunction(T, (t) => t)).toThrow(ScheduleError);
    }
    expect(() => cosineSchedule(10, { s: -1 })).toThrow(/s must be/);
    expect(() => linearSchedule(10, { aMin: 0.5, aMax: 0.5 })).toThrow(/aMax must be/);
    expect(() => linearSchedule(10, { aMin: -1 })).toThrow(/aMin/);
  });
});
