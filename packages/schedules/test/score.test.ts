import { describe, expect, it } from 'vitest';
import {
  ScheduleError, WRAPPED_SCORE_CROSSOVER, cosineSchedule, createRng, epsFromScoreTarget, scoreLambdaTable,
  wrappedNormalLogDensity, wrappedNormalScore, wrappedNormalScoreFourier, wrappedNormalScoreImageSum, wrappedNormalScores,
  wrappedScoreLambda, wrappedScoreTarget, WrappedDiffusion,
} from '@mddm/schedules';
import { bruteLogWrapped, mean, mic } from './helpers';

/** 5-point central difference of the brute-force log density. */
function fdScore(d: number, sigma: number, L: number): number {
  const h = Math.min(sigma, L) * 1e-3;
  const f = (x: number) => bruteLogWrapped(x, sigma, L);
  return (f(d - 2 * h) - 8 * f(d - h) + 8 * f(d + h) - f(d + 2 * h)) / (12 * h);
}

const grid = (L: number) => Array.from({ length: 41 }, (_, j) => -L + (j / 40) * 2 * L + 0.0137 * L); // spans two periods

describe('wrappedNormalScore vs finite differences of a brute-force image-sum log density', () => {
  for (const [sigma, L] of [[0.003, 1], [0.04, 2], [0.7, 10], [2.5, 10]] as const) {
    it(`small sigma/L = ${sigma / L} (image-sum branch)`, () => {
      expect(sigma / L).toBeLessThan(WRAPPED_SCORE_CROSSOVER);
      const scale = L / (sigma * sigma) / L; // score scale 1/sigma^2 * |d| ~ L/sigma^2
      for (const d of grid(L)) {
        const s = wrappedNormalScore(d, sigma, L);
        expect(Math.abs(s - fdScore(d, sigma, L))).toBeLessThan(1e-6 * scale * L);
      }
    });
  }
  for (const [sigma, L] of [[0.35, 1], [6, 10], [1, 1]] as const) {
    it(`large sigma/L = ${sigma / L} (Fourier branch)`, () => {
      expect(sigma / L).toBeGreaterThanOrEqual(WRAPPED_SCORE_CROSSOVER);
      let mx = 0;
      for (const d of grid(L)) mx = Math.max(mx, Math.abs(fdScore(d, sigma, L)));
      expect(mx).toBeGreaterThan(0);
      for (const d of grid(L)) {
        const s = wrappedNormalScore(d, sigma, L);
        expect(Math.abs(s - fdScore(d, sigma, L))).toBeLessThan(1e-5 * mx + 1e-12 / L);
      }
    });
  }

  it('is periodic, odd, zero at 0 and at L/2, and tends to -d/sigma^2 for tiny sigma', () => {
    for (const [sigma, L] of [[0.01, 1], [0.5, 1], [3, 10]] as const) {
      for (const d of [0.1, 0.33, 0.49]) {
        const s = wrappedNormalScore(d * L, sigma, L);
        expect(wrappedNormalScore(d * L + 3 * L, sigma, L)).toBeCloseTo(s, 9);
        expect(wrappedNormalScore(-d * L, sigma, L)).toBeCloseTo(-s, 9);
      }
      expect(wrappedNormalScore(0, sigma, L)).toBe(0);
      expect(Math.abs(wrappedNormalScore(L / 2, sigma, L))).toBeLessThan(1e-9 / (sigma * sigma));
    }
    expect(wrappedNormalScore(0.3, 1e-4, 1)).toBeCloseTo(-0.3 / 1e-8, 0);
    expect(wrappedNormalScore(1e-3, 1e-7, 10)).toBe(-1e-3 / 1e-14);
    expect(Number.isFinite(wrappedNormalScore(0.49999, 1e-6, 1))).toBe(true);
  });

  it('very large sigma: matches the one-term theta series -4 pi q sin(2 pi u)/(1 + 2 q cos(2 pi u)) and tends to 0', () => {
    for (const sigma of [1.5, 2, 3]) {
      const q = Math.exp(-2 * Math.PI ** 2 * sigma ** 2);
      for (const u of [0.1, 0.26, 0.4]) {
        const ref = (-4 * Math.PI * q * Math.sin(2 * Math.PI * u)) / (1 + 2 * q * Math.cos(2 * Math.PI * u));
        expect(wrappedNormalScore(u, sigma, 1) / ref).toBeCloseTo(1, 12);
      }
    }
    expect(wrappedNormalScore(0.2, 100, 1)).toBe(0);
  });
});

describe('the two series agree in the crossover; default truncation error', () => {
  it('image sum (K = 8) and Fourier (N = 30) agree to 1e-13 of the score scale for sigma/L in [0.15, 0.6]', () => {
    for (const r of [0.15, 0.2, 0.25, 0.29, 0.3, 0.31, 0.35, 0.45, 0.6]) {
      for (let j = 0; j <= 50; j++) {
        const u = -0.5 + j / 50;
        const a = wrappedNormalScoreImageSum(u, r, 1, 8);
        const b = wrappedNormalScoreFourier(u, r, 1, 30);
        expect(Math.abs(a - b)).toBeLessThan(1e-13 / (r * r));
      }
    }
  });
  it('the automatic truncation equals the long series to ~1e-14 (relative to 1/sigma^2) on both sides', () => {
    for (const r of [0.01, 0.1, 0.2, 0.299, 0.3, 0.5, 0.9]) {
      for (let j = 0; j <= 50; j++) {
        const u = -0.5 + j / 50;
        const ref = r < 0.45 ? wrappedNormalScoreImageSum(u, r, 1, 12) : wrappedNormalScoreFourier(u, r, 1, 40);
        expect(Math.abs(wrappedNormalScore(u, r, 1) - ref)).toBeLessThan(1e-14 / (r * r));
      }
    }
  });
  it('too few terms is detectably wrong (the comparison can fail)', () => {
    expect(Math.abs(wrappedNormalScoreImageSum(0.45, 0.3, 1, 0) - wrappedNormalScore(0.45, 0.3, 1))).toBeGreaterThan(0.1);
    expect(Math.abs(wrappedNormalScoreFourier(0.1, 0.15, 1, 1) - wrappedNormalScore(0.1, 0.15, 1))).toBeGreaterThan(0.1);
  });
  it('log density integrates to 1 over a period and matches the brute force', () => {
    for (const [sigma, L] of [[0.05, 1], [0.3, 1], [4, 10]] as const) {
      let s = 0;
      const M = 2000;
      for (let j = 0; j < M; j++) {
        const d = (j / M) * L;
        const lp = wrappedNormalLogDensity(d, sigma, L);
        s += Math.exp(lp) * (L / M);
        expect(lp).toBeCloseTo(bruteLogWrapped(d, sigma, L), 10);
      }
      expect(s).toBeCloseTo(1, 10);
    }
  });
});

describe('wrappedNormalScores (arrays) and scalar argument checks', () => {
  it('elementwise equals the scalar score with sigma_d = L_d * sigmaFrac', () => {
    const box: [number, number, number] = [10, 5, 8];
    const rng = createRng(3);
    const d = new Float64Array(30);
    for (let i = 0; i < 30; i++) d[i] = (rng.uniform() - 0.5) * 30;
    for (const sf of [0.05, 0.4]) {
      const out = wrappedNormalScores(d, sf, box);
      for (let i = 0; i < 30; i++) expect(out[i]).toBe(wrappedNormalScore(d[i], box[i % 3] * sf, box[i % 3]));
    }
    const f32 = wrappedNormalScores(new Float32Array(d), 0.1, box);
    expect(f32).toBeInstanceOf(Float32Array);
  });
  it('throws typed errors', () => {
    expect(() => wrappedNormalScore(NaN, 1, 1)).toThrow(/d must be a finite number, got NaN/);
    expect(() => wrappedNormalScore(0, 0, 1)).toThrow(/sigma must be a finite number > 0, got 0/);
    expect(() => wrappedNormalScore(0, 1, -1)).toThrow(ScheduleError);
    const bad = new Float64Array(3); bad[1] = Infinity;
    expect(() => wrappedNormalScores(bad, 0.1, 1)).toThrow(/disp\[1\] must be finite/);
    expect(() => wrappedNormalScores(new Float64Array(3), 0, 1)).toThrow(/sigmaFrac/);
  });
});

describe('lambda_t = 1 / E[score^2] (DiffCSP normalization)', () => {
  it('small sigma: lambda = sigma^2 (Fisher information of a normal)', () => {
    expect(wrappedScoreLambda(0.01)).toBe(1e-4);
    expect(wrappedScoreLambda(0.05) / 0.0025).toBeCloseTo(1, 12);
    expect(wrappedScoreLambda(0.1) / 0.01).toBeCloseTo(1, 3);
    expect(wrappedScoreLambda(0.1) / 0.01).not.toBeCloseTo(1, 8); // the wrap correction is real at 0.1
  });
  it('large sigma: closed form 1 / (4 pi^2 (1 - sqrt(1 - 4 q^2))), q = exp(-2 pi^2 sigma^2)', () => {
    for (const sigma of [0.6, 0.8, 1]) {
      const q = Math.exp(-2 * Math.PI ** 2 * sigma ** 2);
      const E = (4 * Math.PI ** 2 * 4 * q * q) / (1 + Math.sqrt(1 - 4 * q * q));
      expect(wrappedScoreLambda(sigma) * E).toBeCloseTo(1, 8);
    }
  });
  it('Monte Carlo: E[s(u)^2] over u = wrap(sigma eps) equals 1 / lambda', () => {
    const rng = createRng(17);
    const n = 100_000;
    for (const sigma of [0.12, 0.25, 0.32, 0.45]) {
      let s1 = 0, s2 = 0;
      for (let i = 0; i < n; i++) {
        const sc = wrappedNormalScore(sigma * rng.normal(), sigma, 1);
        s1 += sc * sc;
        s2 += sc ** 4;
      }
      const m = s1 / n;
      const se = Math.sqrt((s2 / n - m * m) / n);
      expect(Math.abs(m - 1 / wrappedScoreLambda(sigma))).toBeLessThan(5 * se);
    }
  });
  it('scoreLambdaTable: per-timestep values, increasing, finite', () => {
    const s = cosineSchedule();
    const tab = scoreLambdaTable(s);
    expect(tab.length).toBe(501);
    for (let t = 0; t <= 500; t++) {
      expect(tab[t]).toBe(wrappedScoreLambda(s.sqrtA[t]));
      expect(Number.isFinite(tab[t])).toBe(true);
      if (t > 0) expect(tab[t]).toBeGreaterThan(tab[t - 1]);
    }
  });
});

describe('normalized wrapped-score target', () => {
  const sched = cosineSchedule();
  const D = new WrappedDiffusion(sched);
  const L = 10;
  it('equals the minimum-image eps at small noise', () => {
    const rng = createRng(5);
    const x0 = new Float64Array(300);
    rng.fillUniform(x0, 0, L);
    const eps = new Float64Array(300);
    rng.fillNormal(eps);
    const t = 10;
    const xt = D.addNoise(x0, t, eps, L);
    const tgt = wrappedScoreTarget(xt, x0, t, sched, L);
    for (let i = 0; i < 300; i++) expect(tgt[i]).toBeCloseTo(eps[i], 9);
  });
  it('has unit mean square under the forward process at every noise level (MC), and converts back to eps', () => {
    const rng = createRng(6);
    const n = 30_000;
    const x0 = new Float64Array(3 * n);
    rng.fillUniform(x0, 0, L);
    const eps = new Float64Array(3 * n);
    const tab = scoreLambdaTable(sched);
    for (const t of [50, 150, 300, 500]) {
      rng.fillNormal(eps);
      const xt = D.addNoise(x0, t, eps, L);
      const tgt = wrappedScoreTarget(xt, x0, t, sched, L, undefined, tab[t]);
      expect(Math.abs(mean(tgt.map((v) => v * v)) - 1)).toBeLessThan(0.05);
      // converting the exact target back gives -sqrt(a_t) * score; for small noise that is eps itself
      const back = epsFromScoreTarget(tgt, t, sched, tab[t]);
      for (let i = 0; i < 30; i++) {
        const s = wrappedNormalScore(xt[i] - x0[i], L * sched.sqrtA[t], L) * L; // box units
        expect(back[i]).toBeCloseTo(-sched.sqrtA[t] * s, 9);
      }
    }
  });
  it('x0_hat from the converted exact score is Tweedie: x_t + L^2 a_t * score (mic lift when noise is small)', () => {
    const t = 20;
    const x0 = new Float64Array([1, 2, 3]);
    const xt = D.addNoise(x0, t, new Float64Array([0.5, -1, 2]), L);
    const e = epsFromScoreTarget(wrappedScoreTarget(xt, x0, t, sched, L), t, sched);
    const x0hat = D.predictX0(xt, e, t, L);
    for (let i = 0; i < 3; i++) expect(mic(x0hat[i] - x0[i], L)).toBeCloseTo(0, 9);
  });
});
