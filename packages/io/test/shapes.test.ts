import { describe, expect, it } from 'vitest';
import { IoError, sampleSphere, sampleTorus } from '@mddm/io';

/** One-sample Kolmogorov-Smirnov statistic against a CDF (independent of the code under test). */
function ks(xs: number[], cdf: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => { d = Math.max(d, (i + 1) / s.length - cdf(x), cdf(x) - i / s.length); });
  return d;
}
const ksCritical = (n: number) => 1.949 / Math.sqrt(n); // significance 0.001

describe('sampleSphere', () => {
  it('puts every point at the radius, z uniform in [-R, R] (Archimedes: uniform area), seeded', () => {
    const n = 20000;
    const x = sampleSphere(n, { seed: 3, radius: 2 });
    const z: number[] = [];
    for (let i = 0; i < n; i++) {
      expect(Math.hypot(x[3 * i], x[3 * i + 1], x[3 * i + 2])).toBeCloseTo(2, 12);
      z.push(x[3 * i + 2]);
    }
    expect(ks(z, (v) => (v + 2) / 4)).toBeLessThan(ksCritical(n));
    const azimuth = Array.from({ length: n }, (_, i) => Math.atan2(x[3 * i + 1], x[3 * i]));
    expect(ks(azimuth, (a) => (a + Math.PI) / (2 * Math.PI))).toBeLessThan(ksCritical(n));
    expect(Array.from(sampleSphere(5, { seed: 3, radius: 2 }))).toEqual(Array.from(x.slice(0, 15)));
    expect(Array.from(sampleSphere(5, { seed: 4 }))).not.toEqual(Array.from(sampleSphere(5, { seed: 3 })));
  });

  it('throws IoError for bad arguments', () => {
    expect(() => sampleSphere(0)).toThrow(IoError);
    expect(() => sampleSphere(3, { radius: -1 })).toThrow(/radius/);
  });
});

describe('sampleTorus', () => {
  const R = 1, r = 0.4;
  const n = 20000;
  const x = sampleTorus(n, { seed: 7 });
  const theta: number[] = [];
  const phi: number[] = [];
  for (let i = 0; i < n; i++) {
    const rho = Math.hypot(x[3 * i], x[3 * i + 1]);
    theta.push(Math.atan2(x[3 * i + 2], rho - R)); // tube angle in (-pi, pi]
    phi.push(Math.atan2(x[3 * i + 1], x[3 * i]));
  }

  it('puts every point on the surface: distance r from the tube centre circle', () => {
    for (let i = 0; i < n; i++) {
      const rho = Math.hypot(x[3 * i], x[3 * i + 1]);
      expect(Math.hypot(rho - R, x[3 * i + 2])).toBeCloseTo(r, 12);
    }
  });

  it('is uniform in AREA: the tube angle follows (R theta + r sin theta) / (2 pi R), not uniform angles (KS)', () => {
    const areaCdf = (t: number) => (R * (t + Math.PI) + r * Math.sin(t)) / (2 * Math.PI * R); // t in (-pi, pi]
    expect(ks(theta, areaCdf)).toBeLessThan(ksCritical(n));
    expect(ks(theta, (t) => (t + Math.PI) / (2 * Math.PI))).toBeGreaterThan(ksCritical(n)); // uniform angles are rejected
    expect(ks(phi, (a) => (a + Math.PI) / (2 * Math.PI))).toBeLessThan(ksCritical(n));
  });

  it('has the closed-form share of area on the outer half: 1/2 + r / (pi R) (binomial, 4 sigma)', () => {
    const outer = theta.filter((t) => Math.abs(t) < Math.PI / 2).length / n;
    const p = 0.5 + r / (Math.PI * R);
    expect(Math.abs(outer - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('is seeded and rejects bad radii with IoError', () => {
    expect(Array.from(sampleTorus(4, { seed: 7 }))).toEqual(Array.from(x.slice(0, 12)));
    expect(() => sampleTorus(4, { majorRadius: 1, minorRadius: 1 })).toThrow(IoError);
    expect(() => sampleTorus(4, { minorRadius: 0 })).toThrow(/minorRadius/);
  });
});
