import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeXyz } from '@mddm/io';
import { BALANCED_SAMPLER, INPAINT_SAMPLER, OPP_CONDITION_ENCODERS, createDenoiser, inpaintSample, loadDenoiser, saveDenoiser, selectBackend, variation } from '@mddm/model';
import { meanDisplacement } from '@mddm/pbc';
import { frames, mddm } from './helpers';

let dir = '';
let conditional = '';
let unconditional = '';
let frameFile = '';
const L = 4;
const n = 64;
const positions = Float64Array.from({ length: n * 3 }, (_, i) => ((i * 0.618034) % 1) * L);

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-vary-'));
  // Small untrained models: the commands' plumbing does not depend on the weights.
  const tiny = { k: 6, layers: 2, width: 8, hidden: [8], headHidden: [8] };
  const training = { n, box: [L, L, L] as [number, number, number], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2 / 16)) }, target: 'eps' as const };
  const c = createDenoiser({ ...tiny, conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film' });
  c.training = { ...training, conditionKeys: ['k', 'phi', 'T'] };
  conditional = join(dir, 'cond');
  await saveDenoiser(c, conditional);
  c.dispose();
  const u = createDenoiser(tiny);
  u.training = training;
  unconditional = join(dir, 'uncond');
  await saveDenoiser(u, unconditional);
  u.dispose();
  frameFile = join(dir, 'frame.xyz');
  await writeXyz(frameFile, [{ positions, box: [L, L, L], info: { k: 7, phi: 1, T: 0.03 } }]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mddm vary', () => {
  it('writes the variations of the library call with the same options, with sigma, RDF-MSE and displacement', async () => {
    const out = join(dir, 'vary.xyz');
    const r = await mddm('vary', '--model', unconditional, '--in', frameFile, '--sigma', '0.3', '--count', '2', '--steps', '3', '--corrector', '0', '--seed', '5', '--out', out);
    expect(r.err.replace(/.*\r/g, '').replace(/vary .*\n?/g, '')).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/variation 1: RDF-MSE vs original \d+\.\d{4}, mean displacement \d+\.\d{3} LJ/);
    expect(r.out).toMatch(/^NFE: \d+$/m);
    const got = await frames(out);
    expect(got).toHaveLength(2);
    const d = await loadDenoiser(unconditional);
    // a checkpoint without a manifest gets BALANCED_SAMPLER (DPM-Solver++(2M) on the karras grid); --corrector 0 drops its corrector
    const v = await variation(d, positions, L, { sampler: BALANCED_SAMPLER.sampler, spacing: BALANCED_SAMPLER.spacing, steps: 3, sigmaLj: 0.3, count: 2, batchSize: 1, seed: 5 });
    d.dispose();
    for (let i = 0; i < 2; i++) expect(Array.from(got[i].positions)).toEqual(Array.from(v.positions[i]));
    expect(got[0].info?.sigma).toBeCloseTo(v.sigmaLj, 12);
    const printed = Number(/variation 0: .* mean displacement (\d+\.\d+)/.exec(r.out)![1]);
    expect(printed).toBeCloseTo(meanDisplacement(positions, v.positions[0], L), 3);
  });

  it('takes a conditional model\'s conditions from the frame, flags first; bad sigma is a clear error', async () => {
    const out = join(dir, 'vc.xyz');
    const r = await mddm('vary', '--model', conditional, '--in', frameFile, '--sigma', '0.2', '--steps', '2', '--corrector', '0', '--T', '0.04', '--out', out);
    expect(r.code).toBe(0);
    expect((await frames(out))[0].info).toMatchObject({ k: 7, phi: 1, T: 0.04 });
    const high = await mddm('vary', '--model', unconditional, '--in', frameFile, '--sigma', '50', '--out', out);
    expect(high.code).toBe(1);
    expect(high.err).toMatch(/above the largest noise level this model was trained on/);
    expect((await mddm('vary', '--model', unconditional, '--in', frameFile, '--sigma', '0', '--out', out)).err).toMatch(/--sigma must be a number > 0/);
    expect((await mddm('vary', '--model', unconditional, '--in', frameFile, '--out', out)).err).toMatch(/--sigma is required/);
    expect((await mddm('vary', '--model', unconditional, '--in', frameFile, '--sigma', '0.1', '--frame', '3', '--out', out)).err).toMatch(/--frame 3 but .* holds 1 frame/);
    expect((await mddm('vary', '--model', unconditional, '--in', join(dir, 'none.xyz'), '--sigma', '0.1', '--out', out)).code).toBe(1);
    expect((await mddm('vary', '--help')).out).toMatch(/SDEdit/);
  });
});

describe('mddm inpaint', () => {
  it('keeps x < L/2 bit-exact, marks them fixed:L:1, and equals the library call', async () => {
    const out = join(dir, 'inp.xyz');
    const r = await mddm('inpaint', '--model', unconditional, '--in', frameFile, '--keep', 'x<0.5', '--steps', '4', '--corrector', '0', '--seed', '2', '--out', out);
    expect(r.code).toBe(0);
    const kept = [...Array(n).keys()].filter((i) => positions[3 * i] < L / 2);
    expect(r.out).toContain(`kept ${kept.length} of ${n} particles`);
    expect(r.out).toMatch(/regenerated particles \d+\.\d{4}/);
    const [f] = await frames(out);
    const fixed = f.properties!.fixed;
    expect(fixed.type).toBe('L');
    expect(kept.every((i) => (fixed.values as boolean[])[i])).toBe(true);
    expect((fixed.values as boolean[]).filter(Boolean)).toHaveLength(kept.length);
    for (const i of kept) for (let c = 0; c < 3; c++) expect(f.positions[3 * i + c]).toBe(positions[3 * i + c]);
    const d = await loadDenoiser(unconditional);
    // a checkpoint without a manifest recommends BALANCED_SAMPLER, an ODE preset, so inpaint runs INPAINT_SAMPLER's
    // ancestral levels; --steps 4 --corrector 0: its predictor alone; no RePaint
    const lib = await inpaintSample(d, { known: positions, indices: kept, box: L, sampler: INPAINT_SAMPLER.sampler, spacing: INPAINT_SAMPLER.spacing, steps: 4, seed: 2 });
    d.dispose();
    expect(Array.from(f.positions)).toEqual(Array.from(lib.positions[0]));
  });

  it('--indices with ranges; RePaint multiplies the NFE; bad selections are usage errors', async () => {
    const out = join(dir, 'inp2.xyz');
    const ancestral = ['--sampler', 'ancestral', '--steps', '3'];
    const one = await mddm('inpaint', '--model', unconditional, '--in', frameFile, '--indices', '0-9,20', ...ancestral, '--resample', '1', '--out', out);
    const two = await mddm('inpaint', '--model', unconditional, '--in', frameFile, '--indices', '0-9,20', ...ancestral, '--resample', '2', '--out', out);
    const byDefault = await mddm('inpaint', '--model', unconditional, '--in', frameFile, '--indices', '0-9,20', ...ancestral, '--out', out);
    expect(one.code).toBe(0);
    expect(one.out).toContain('kept 11 of 64');
    const nfe = (s: string) => Number(/^NFE: (\d+)$/m.exec(s)![1]);
    expect(nfe(two.out)).toBe(2 * nfe(one.out));
    expect(nfe(byDefault.out)).toBe(nfe(one.out));
    // an ODE sampler on request: the library call with the same options
    const dpm = await mddm('inpaint', '--model', unconditional, '--in', frameFile, '--indices', '0-9,20', '--sampler', 'dpm2m', '--steps', '5', '--out', out);
    expect(dpm.code).toBe(0);
    expect(nfe(dpm.out)).toBe(5);
    for (const [flags, message] of [
      [['--keep', 'x<0.5', '--indices', '1'], /exactly one of --keep/],
      [['--keep', 'w<0.5'], /--keep must be AXIS<F/],
      [['--keep', 'x<1.5'], /--keep must be AXIS<F/],
      [['--keep', 'x>0.9999'], /keeps 0 of 64/],
      [['--indices', '3-1'], /--indices must be/],
      [['--indices', '0-64'], /names particle 64, but the frame has 64/],
      [['--indices', '1', '--sampler', 'balanced', '--resample', '2'], /--resample 2 \(RePaint\) repeats the ancestral step; use --sampler quality or ancestral/],
      [['--indices', '1', '--sampler', 'rk4'], /unknown --sampler 'rk4'/],
    ] as const) {
      const r = await mddm('inpaint', '--model', unconditional, '--in', frameFile, ...flags, '--out', out);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
