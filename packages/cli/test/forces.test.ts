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

  it('a pretrained model reads the force the way its manifest says (forces.sigma, forces.symmetryAverage); --no-symmetry-average overrides', async () => {
    const { loadPretrained } = await import('@mddm/pretrained');
    const { denoiser, manifest } = await loadPretrained('opp-unconditional');
    expect(manifest.forces).toBeDefined();
    const { sigma, symmetryAverage } = manifest.forces!;
    const { loadDataset } = await import('@mddm/data');
    const [md] = await loadDataset('opp-replicas');
    const one = join(dir, 'replica.xyz');
    const { writeXyz } = await import('@mddm/io');
    await writeXyz(one, [md]);
    const out = join(dir, 'pretrained-forces.xyz');
    const r = await mddm('forces', '--model', 'opp-unconditional', '--in', one, '--out', out);
    expect(r.code).toBe(0);
    const [f] = await readFrames(out);
    expect(f.info).toMatchObject({ force_sigma: sigma, force_kT: 0.03, force_symmetry_average: symmetryAverage });
    expect(Array.from(f.properties!.forces.values as Float64Array)).toEqual(Array.from(forces(denoiser, md.positions, md.box, { sigma, kT: 0.03, symmetryAverage })));
    const off = await mddm('forces', '--model', 'opp-unconditional', '--in', one, '--out', out, '--no-symmetry-average');
    expect(off.code).toBe(0);
    expect((await readFrames(out))[0].info?.force_symmetry_average).toBe(false);
    const both = await mddm('forces', '--model', 'opp-unconditional', '--in', one, '--out', out, '--symmetry-average', '--no-symmetry-average');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/not both/);
    denoiser.dispose();
  }, 60_000);

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
