import { describe, expect, it } from 'vitest';
import { FAST_SAMPLER, QUALITY_SAMPLER, BALANCED_SAMPLER, RESTART_SAMPLER } from '@mddm/model';
import { ODE_STEPS, SAMPLER_NAMES, recommendedSampler, samplerFromFlags } from '../src/sampler';

const pc = { steps: 60, spacing: 'log-sigma' as const, corrector: { steps: 30, r: 0.4, sigmaMaxLj: 0.3 } };

describe('samplerFromFlags: the ODE samplers', () => {
  it('every ODE name gets its preset on the karras grid; --steps and --corrector apply', () => {
    for (const name of ['heun', 'edm', 'dpm2m', 'euler'] as const) {
      expect(SAMPLER_NAMES).toContain(name);
      const s = samplerFromFlags('sample', { sampler: name }, pc);
      expect(s.name).toBe(name);
      expect(s.options).toEqual({ sampler: name, steps: ODE_STEPS[name], spacing: 'karras' });
    }
    const s = samplerFromFlags('sample', { sampler: 'dpm2m', steps: '30', corrector: '3' }, pc);
    expect(s.options).toEqual({ sampler: 'dpm2m', steps: 30, spacing: 'karras', corrector: { steps: 3, r: 0.4, sigmaMaxLj: 0.3 } });
  });

  it("'fast' is the measured few-NFE sampler (FAST_SAMPLER of @mddm/model); flags override it", () => {
    expect(samplerFromFlags('sample', { sampler: 'fast' }, pc).options).toEqual(FAST_SAMPLER);
    expect(samplerFromFlags('sample', { sampler: 'fast', corrector: '5' }, pc).options.corrector).toEqual({ ...FAST_SAMPLER.corrector, steps: 5 });
    expect(samplerFromFlags('sample', { sampler: 'fast', steps: '30' }, pc).options.steps).toBe(30);
  });

  it("'balanced' and 'quality' are the measured presets; a model without a manifest recommends BALANCED_SAMPLER", () => {
    expect(samplerFromFlags('sample', { sampler: 'quality' }, pc).options).toEqual(QUALITY_SAMPLER);
    expect(samplerFromFlags('sample', { sampler: 'balanced' }, pc).options).toEqual(BALANCED_SAMPLER);
    expect(samplerFromFlags('sample', { sampler: 'quality', corrector: '0' }, pc).options.corrector).toBeUndefined();
    expect(recommendedSampler({ name: 'dir', denoiser: {} } as never)).toEqual(BALANCED_SAMPLER);
    // --sampler ancestral on a model recommending an ODE preset runs the ancestral predictor (not the preset's dpm2m)
    expect(samplerFromFlags('sample', { sampler: 'ancestral' }, BALANCED_SAMPLER).options).toEqual({ sampler: 'ancestral', steps: 60, spacing: 'log-sigma' });
    expect(samplerFromFlags('sample', { sampler: 'ancestral', steps: '100' }, BALANCED_SAMPLER).options.steps).toBe(100);
    expect(recommendedSampler({ name: 'm', denoiser: {}, manifest: { sampler: pc } } as never)).toEqual(pc);
    // the presets are what their documentation says (the NFE figures in the docs depend on these numbers)
    expect(FAST_SAMPLER).toEqual({ sampler: 'dpm2m', steps: 11, spacing: 'karras', corrector: { steps: 22, r: 1, sigmaMaxLj: 0.075 } });
    expect(BALANCED_SAMPLER).toEqual({ sampler: 'dpm2m', steps: 12, spacing: 'karras', corrector: { steps: 47, r: 1, sigmaMaxLj: 0.06 } });
  });

  it('pc and ancestral keep the recommended settings; a recommendation naming an ODE sampler is used for it', () => {
    expect(samplerFromFlags('sample', {}, pc).options).toEqual(pc);
    expect(samplerFromFlags('sample', { sampler: 'ancestral' }, pc).options).toEqual({ steps: 60, spacing: 'log-sigma' });
    const rec = { sampler: 'dpm2m' as const, steps: 25, spacing: 'karras' as const, corrector: { steps: 2, r: 0.4, sigmaMaxLj: 0.3 } };
    expect(samplerFromFlags('sample', { sampler: 'dpm2m' }, rec).options).toEqual(rec);
    expect(() => samplerFromFlags('sample', { sampler: 'rk4' }, pc)).toThrow(/unknown --sampler 'rk4'/);
  });
});

describe('samplerFromFlags: classifier-free guidance', () => {
  const model = { name: 'm', denoiser: { nullCondition: true } } as never;
  it('--guidance sets the weight; a recommended weight applies to conditional runs, also with --sampler fast; --guidance 0 turns it off', () => {
    expect(samplerFromFlags('sample', { guidance: '1.5' }, pc, model, [7, 1, 0.03])).toEqual({ name: 'pc+cfg1.5', options: { ...pc, guidance: 1.5 } });
    const rec = { ...pc, guidance: 1 };
    expect(samplerFromFlags('sample', {}, rec, model, [7, 1, 0.03]).options.guidance).toBe(1);
    expect(samplerFromFlags('sample', { sampler: 'fast' }, rec, model, [7, 1, 0.03]).options.guidance).toBe(1);
    expect(samplerFromFlags('sample', { guidance: '0' }, rec, model, [7, 1, 0.03]).options.guidance).toBeUndefined();
    expect(samplerFromFlags('sample', {}, rec, model, undefined).options.guidance).toBeUndefined();
  });
  it('guidance without a null condition, without conditions or negative is a usage error', () => {
    expect(() => samplerFromFlags('sample', { guidance: '1' }, pc, { name: 'm', denoiser: { nullCondition: false } } as never, [1])).toThrow(/null condition/);
    expect(() => samplerFromFlags('sample', { guidance: '1' }, pc, model, undefined)).toThrow(/needs a conditional model/);
    expect(() => samplerFromFlags('sample', { guidance: '-1' }, pc, model, [1])).toThrow(/--guidance must be a number >= 0/);
  });
});

describe('samplerFromFlags: restart sampling', () => {
  it("'restart' is RESTART_SAMPLER; --restart N sets the count on any sampler (0: none); bad counts are usage errors", () => {
    expect(SAMPLER_NAMES).toContain('restart');
    expect(samplerFromFlags('sample', { sampler: 'restart' }, pc).options).toEqual(RESTART_SAMPLER);
    expect(RESTART_SAMPLER).toEqual({ ...BALANCED_SAMPLER, restart: { sigmaLj: 0.12, count: 5, steps: 8 } });
    expect(samplerFromFlags('sample', { sampler: 'restart', restart: '2' }, pc).options.restart).toEqual({ sigmaLj: 0.12, count: 2, steps: 8 });
    expect(samplerFromFlags('sample', { sampler: 'restart', restart: '0' }, pc).options.restart).toBeUndefined();
    expect(samplerFromFlags('sample', { restart: '3' }, BALANCED_SAMPLER).options).toEqual({ ...BALANCED_SAMPLER, restart: { sigmaLj: 0.12, count: 3, steps: 8 } });
    // a recommendation with its own restart level keeps it
    const own = { ...BALANCED_SAMPLER, restart: { sigmaLj: 0.2, count: 1 } };
    expect(samplerFromFlags('sample', { restart: '4' }, own).options.restart).toEqual({ sigmaLj: 0.2, count: 4 });
    // the preset object is not shared with the options (a caller may edit them)
    samplerFromFlags('sample', { sampler: 'restart', restart: '9' }, pc);
    expect(RESTART_SAMPLER.restart.count).toBe(5);
    for (const bad of ['-1', '1.5', 'x']) expect(() => samplerFromFlags('sample', { restart: bad }, pc)).toThrow(/--restart/);
  });
});
