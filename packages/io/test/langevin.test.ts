import { describe, expect, it } from 'vitest';
import { IoError, langevin } from '../src/index';

/** Independent harmonic wells `U = k/2 |x - c|^2` around the starting points (minimum image). */
function harmonic(centers: Float64Array, k: number, L: number) {
  return (x: Float64Array, out: Float64Array) => {
    for (let i = 0; i < x.length; i++) {
      let d = x[i] - centers[i];
      d -= L * Math.round(d / L);
      out[i] = -k * d;
    }
  };
}

describe('langevin (BAOAB)', () => {
  it('harmonic oscillator: equipartition <dx^2> = kT/k and Maxwell-Boltzmann velocities <v^2> = kT/m, zero-mean Gaussian', async () => {
    const L = 20, n = 200, k = 4, kT = 0.5, m = 2;
    const c = new Float64Array(3 * n).map((_, i) => 5 + (i % 7));
    let sx = 0, sv = 0, sv4 = 0, svm = 0, count = 0;
    await langevin(c, L, harmonic(c, k, L), {
      steps: 4000, dt: 0.05, kT, gamma: 2, mass: m, seed: 3, every: 10,
      onFrame: ({ step, positions, velocities }) => {
        if (step < 500) return; // equilibration
        for (let i = 0; i < positions.length; i++) {
          let d = positions[i] - c[i];
          d -= L * Math.round(d / L);
          sx += d * d;
          sv += velocities[i] ** 2;
          sv4 += velocities[i] ** 4;
          svm += velocities[i];
        }
        count += positions.length;
      },
    });
    // BAOAB is exact in configuration for a harmonic potential; velocities carry an O(dt^2) bias
    // (dt^2 k / 4m = 0.0003 here). 350 frames x 600 correlated samples: a few 1e-2 relative error.
    expect(sx / count / (kT / k)).toBeGreaterThan(0.95);
    expect(sx / count / (kT / k)).toBeLessThan(1.05);
    const v2 = sv / count;
    expect(v2 / (kT / m)).toBeGreaterThan(0.95);
    expect(v2 / (kT / m)).toBeLessThan(1.05);
    expect((sv4 / count) / (v2 * v2)).toBeGreaterThan(2.8); // Gaussian kurtosis 3
    expect((sv4 / count) / (v2 * v2)).toBeLessThan(3.2);
    expect(Math.abs(svm / count)).toBeLessThan(0.03 * Math.sqrt(kT / m));
  });

  it('wraps into the box, is seeded, counts force calls, reports the kinetic temperature', async () => {
    const L = 3, x = Float64Array.of(0.1, 2.9, 1.5, 1, 1, 1);
    const zero = (_: Float64Array, out: Float64Array) => void out.fill(0);
    const a = await langevin(x, L, zero, { steps: 50, dt: 0.1, kT: 1, seed: 7 });
    const b = await langevin(x, L, zero, { steps: 50, dt: 0.1, kT: 1, seed: 7 });
    expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
    expect(a.positions.every((v) => v >= 0 && v < L)).toBe(true);
    expect(a.forceEvaluations).toBe(51);
    const temps: number[] = [];
    await langevin(x, L, zero, { steps: 10, dt: 0.1, kT: 1, every: 5, velocities: new Float64Array(6).fill(1), onFrame: (f) => void temps.push(f.kineticT) });
    expect(temps[0]).toBeCloseTo(1, 12);
    expect(temps.length).toBe(3);
  });

  it('rejects bad options and non-finite forces with IoError', async () => {
    const x = new Float64Array(6);
    const zero = (_: Float64Array, out: Float64Array) => void out.fill(0);
    await expect(langevin(x, 3, zero, { steps: 1, dt: 0, kT: 1 })).rejects.toThrow(/dt must be/);
    await expect(langevin(x, 3, zero, { steps: 1, dt: 0.1, kT: -1 })).rejects.toThrow(IoError);
    await expect(langevin(x, 3, zero, { steps: 1.5, dt: 0.1, kT: 1 })).rejects.toThrow(/steps/);
    await expect(langevin(x, 3, zero, { steps: 1, dt: 0.1, kT: 1, velocities: new Float64Array(3) })).rejects.toThrow(/velocities/);
    await expect(langevin(x, 3, (_, o) => void o.fill(NaN), { steps: 1, dt: 0.1, kT: 1 })).rejects.toThrow(/non-finite/);
  });
});
