import { describe, expect, it } from 'vitest';
import {
  ScheduleError, WrappedDiffusion, classifierFreeGuidance, runSampler, cosineSchedule, createRng, inpaint, sampleUniformBox, variationStart,
} from '@mddm/schedules';
import { ksCritical, ksStatistic, mic, normalCdf } from './helpers';

const sched = cosineSchedule();
const L = 10;

describe('classifierFreeGuidance', () => {
  it('(1 + w) eps_c - w eps_u, elementwise; w = 0 is the conditional model; may alias', () => {
    const rng = createRng(1);
    const c = new Float64Array(30), u = new Float64Array(30);
    rng.fillNormal(c);
    rng.fillNormal(u);
    for (const w of [0, 0.5, 3, -0.2]) {
      const out = classifierFreeGuidance(c, u, w);
      for (let i = 0; i < 30; i++) expect(out[i]).toBeCloseTo((1 + w) * c[i] - w * u[i], 14);
    }
    expect(Array.from(classifierFreeGuidance(c, u, 0))).toEqual(Array.from(c));
    const f = new Float32Array(c);
    expect(classifierFreeGuidance(f, u, 1, f)).toBe(f);
  });
  it('typed errors', () => {
    expect(() => classifierFreeGuidance(new Float64Array(3), new Float64Array(4), 1)).toThrow(/epsUncond.length \(4\) must equal epsCond.length \(3\)/);
    expect(() => classifierFreeGuidance(new Float64Array(3), new Float64Array(3), NaN)).toThrow(ScheduleError);
    const bad = new Float64Array(3); bad[2] = NaN;
    expect(() => classifierFreeGuidance(new Float64Array(3), bad, 1)).toThrow(/epsUncond\[2\] must be finite/);
  });
});

describe('inpaint', () => {
  it('replaces masked particles by their forward-noised known values (law N(known, a_t L^2), KS), leaves others', () => {
    const N = 20_000;
    const rng = createRng(2);
    const known = sampleUniformBox(N, L, rng);
    const mask = new Uint8Array(N);
    for (let p = 0; p < N; p += 2) mask[p] = 1;
    const x = sampleUniformBox(N, L, rng);
    const orig = Float64Array.from(x);
    const t = 40;
    inpaint(x, known, mask, t, sched, rng, L);
    const z: number[] = [];
    for (let p = 0; p < N; p++) {
      for (let d = 0; d < 3; d++) {
        const i = 3 * p + d;
        expect(x[i] >= 0 && x[i] < L).toBe(true);
        if (mask[p]) z.push(mic(x[i] - known[i], L) / (L * sched.sqrtA[t]));
        else expect(x[i]).toBe(orig[i]);
      }
    }
    expect(ksStatistic(z, normalCdf)).toBeLessThan(ksCritical(z.length));
    expect(ksStatistic(z, (v) => normalCdf(v / 1.1))).toBeGreaterThan(ksCritical(z.length)); // can fail
  });
  it('at t = 0 copies the known positions exactly (wrapped)', () => {
    const known = new Float64Array([1, 2, 3, 14, -1, 5]);
    const x = new Float64Array(6);
    inpaint(x, known, new Uint8Array([0, 1]), 0, sched, createRng(1), L);
    expect(Array.from(x)).toEqual([0, 0, 0, 4, 9, 5]);
  });
  it('as afterStep of runSampler(): known particles end exactly at their values, the rest on the data (exact denoiser)', async () => {
    const N = 200;
    const x0 = sampleUniformBox(N, L, createRng(3));
    const mask = new Uint8Array(N).fill(1, 0, 50);
    const D = new WrappedDiffusion(sched);
    const rng = createRng(4);
    const x = sampleUniformBox(N, L, rng);
    await runSampler(D, x, L, (xt, t, out) => {
      for (let i = 0; i < xt.length; i++) out[i] = mic(xt[i] - x0[i], L) / (L * sched.sqrtA[t]);
    }, rng, { steps: 40, afterStep: (xs, tp) => inpaint(xs, x0, mask, tp, sched, rng, L) });
    for (let i = 0; i < 150; i++) expect(x[i]).toBe(x0[i]);
    let mx = 0;
    for (let i = 150; i < 600; i++) mx = Math.max(mx, Math.abs(mic(x[i] - x0[i], L)));
    expect(mx).toBeLessThan(8 * Math.sqrt(sched.a[0]) * L);
  });
  it('typed errors', () => {
    const x = new Float64Array(6);
    expect(() => inpaint(x, x, new Uint8Array(3), 1, sched, createRng(1), L)).toThrow(/mask must be a Uint8Array of length N = 2/);
    expect(() => inpaint(x, new Float64Array(3), new Uint8Array(2), 1, sched, createRng(1), L)).toThrow(/known.length/);
    expect(() => inpaint(x, x, new Uint8Array(2), 501, sched, createRng(1), L)).toThrow(/t must be an integer in 0..500/);
  });
});

describe('variationStart', () => {
  it('x0 noised to start: displacement law N(0, a_start L^2) (KS); then sampling from start returns near x0', async () => {
    const N = 10_000;
    const rng = createRng(5);
    const x0 = sampleUniformBox(N, L, rng);
    const start = 60;
    const xs = variationStart(x0, start, sched, rng, L);
    const z = Array.from(xs, (v, i) => mic(v - x0[i], L) / (L * sched.sqrtA[start]));
    expect(ksStatistic(z, normalCdf)).toBeLessThan(ksCritical(z.length));
    const D = new WrappedDiffusion(sched, { finalStep: 'x0' });
    await runSampler(D, xs, L, (xt, t, out) => {
      for (let i = 0; i < xt.length; i++) out[i] = mic(xt[i] - x0[i], L) / (L * sched.sqrtA[t]);
    }, rng, { start, steps: 10 });
    let mx = 0;
    for (let i = 0; i < xs.length; i++) mx = Math.max(mx, Math.abs(mic(xs[i] - x0[i], L)));
    expect(mx).toBeLessThan(1e-9);
  });
  it('typed errors', () => {
    expect(() => variationStart(new Float64Array(3), 0, sched, createRng(1), L)).toThrow(/start must be an integer in 1..500, got 0/);
    const bad = new Float64Array(3); bad[0] = NaN;
    expect(() => variationStart(bad, 5, sched, createRng(1), L)).toThrow(/x0\[0\] must be finite/);
  });
});
