import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forces, loadDenoiser, selectBackend, trainedNoiseRange } from '@mddm/model';
import { frames as readFrames, mddm, tinyModelAndFrame } from './helpers';

let dir = '';
let model = '';
let frameFile = '';
const L = 6.4;
const positions = Float64Array.from({ length: 64 * 3 }, (_, i) => ((i * 0.618034) % 1) * L);

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-forces-'));
  ({ model, frameFile } = await tinyModelAndFrame(dir, positions, L));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mddm forces', () => {
  it('writes forces:R:3 equal to forces() of the library, kT from the frame, sigma default = smallest trained level; compares with OPP', async () => {
    const out = join(dir, 'forces.xyz');
    const r = await mddm('forces', '--model', model, '--in', frameFile, '--out', out, '--opp', '7,1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/mean cosine -?\d\.\d{3}, median \|F\|\/\|F_opp\| \d/);
    const frames = await readFrames(out);
    const p = frames[0].properties!.forces;
    expect(p.type).toBe('R');
    expect(p.columns).toBe(3);
    const d = await loadDenoiser(model);
    const sigma = trainedNoiseRange(d).sigmaMinLj;
    const F = forces(d, positions, L, { sigma, kT: 0.5 });
    expect(Array.from(p.values as Float64Array)).toEqual(Array.from(F));
    expect(frames[0].info?.force_kT).toBe(0.5);
    const r2 = await mddm('forces', '--model', model, '--in', frameFile, '--out', out, '--sigma', String(2 * sigma), '--kT', '1');
    expect(r2.code).toBe(0);
    // --symmetry-average writes the library's symmetry-averaged force and records it in the frame
    const r3 = await mddm('forces', '--model', model, '--in', frameFile, '--out', out, '--symmetry-average');
    expect(r3.code).toBe(0);
    const averaged = (await readFrames(out))[0];
    expect(Array.from(averaged.properties!.forces.values as Float64Array)).toEqual(Array.from(forces(d, positions, L, { sigma, kT: 0.5, symmetryAverage: true })));
    expect(Array.from(averaged.properties!.forces.values as Float64Array)).not.toEqual(Array.from(F));
    expect(averaged.info?.force_symmetry_average).toBe(true);
    d.dispose();
  });

  it('a sigma outside the trained band, a missing flag, a bad --opp are errors with a message', async () => {
    const out = join(dir, 'bad.xyz');
    const r = await mddm('forces', '--model', model, '--in', frameFile, '--out', out, '--sigma', '100');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/outside the noise levels this model was trained on/);
    expect((await mddm('forces', '--model', model, '--in', frameFile)).code).toBe(2);
    expect((await mddm('forces', '--model', model, '--in', frameFile, '--out', out, '--opp', '7')).err).toMatch(/--opp must be K,PHI/);
    expect((await mddm('forces', '--help')).out).toMatch(/forces:R:3/);
  });
});
