import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WrappedDiffusion, cosineSchedule, createRng, sampleUniformBox } from '@mddm/schedules';
import { mic } from './helpers';

/**
 * Values produced by /work/shared/reference/mddm_torch.py (torch, float64): `schedule()`,
 * `sample_step` with a fixed eps and z, and the forward noising of `train_step`.
 */
const ref = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/mddm_torch_reference.json', import.meta.url)), 'utf8')) as {
  L: number; T: number; a: number[]; aIdx: number[]; xt: number[]; eps: number[]; z: number[];
  sampleStep: Record<string, number[]>; x0: number[]; addNoise: Record<string, number[]>;
};

describe('agreement with the PyTorch reference (units: box-fraction variance)', () => {
  const sched = cosineSchedule(ref.T);
  it('schedule values', () => {
    ref.aIdx.forEach((t, j) => expect(Math.abs(sched.a[t] - ref.a[j])).toBeLessThan(1e-15));
  });
  it("step with variance 'paper' reproduces sample_step (Algorithm 2 as the paper writes it)", () => {
    const D = new WrappedDiffusion(sched, { variance: 'paper' });
    const xt = Float64Array.from(ref.xt), eps = Float64Array.from(ref.eps), z = Float64Array.from(ref.z);
    for (const [t, want] of Object.entries(ref.sampleStep)) {
      const got = D.step(xt, eps, Number(t), z, ref.L);
      want.forEach((w, i) => expect(Math.abs(mic(got[i] - w, ref.L))).toBeLessThan(1e-12));
    }
    // the default (exact) variance differs from the reference exactly where noise is injected (t > 1)
    const E = new WrappedDiffusion(sched);
    const g1 = E.step(xt, eps, 1, z, ref.L);
    ref.sampleStep['1'].forEach((w, i) => expect(Math.abs(mic(g1[i] - w, ref.L))).toBeLessThan(1e-12));
    const g = E.step(xt, eps, 250, z, ref.L);
    expect(Math.max(...ref.sampleStep['250'].map((w, i) => Math.abs(mic(g[i] - w, ref.L))))).toBeGreaterThan(1e-3);
  });
  it('addNoise reproduces the forward noising of train_step', () => {
    const D = new WrappedDiffusion(sched);
    const x0 = Float64Array.from(ref.x0), eps = Float64Array.from(ref.eps);
    for (const [t, want] of Object.entries(ref.addNoise)) {
      const got = D.addNoise(x0, Number(t), eps, ref.L);
      want.forEach((w, i) => expect(Math.abs(mic(got[i] - w, ref.L))).toBeLessThan(1e-12));
    }
  });
});

describe('float32 and float64 paths agree', () => {
  it('step / stepTo on Float32Array equal the Float64Array result to float32 precision, always in [0, L)', () => {
    const sched = cosineSchedule();
    const D = new WrappedDiffusion(sched);
    const L = 10;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer(), fc.constantFrom(0, 0.5, 1), (t, seed, eta) => {
        const rng = createRng(seed);
        const x = sampleUniformBox(30, L, rng);
        const e = new Float64Array(90), z = new Float64Array(90);
        rng.fillNormal(e);
        rng.fillNormal(z);
        const x32 = new Float32Array(x), e32 = new Float32Array(e), z32 = new Float32Array(z);
        const s = Math.floor(t / 2);
        const a = D.stepTo(new Float64Array(x32), new Float64Array(e32), t, s, new Float64Array(z32), L, undefined, { eta });
        const b = D.stepTo(x32, e32, t, s, z32, L, undefined, { eta });
        expect(b).toBeInstanceOf(Float32Array);
        for (let i = 0; i < 90; i++) {
          expect(b[i] >= 0 && b[i] < L).toBe(true);
          expect(Math.abs(mic(b[i] - a[i], L))).toBeLessThan(4e-6);
        }
      }),
      { numRuns: 50 },
    );
  });
});
