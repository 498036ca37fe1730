import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { langevin, oppForces } from '@mddm/io';
import { selectBackend } from '@mddm/model';
import { frames, mddm, tinyModelAndFrame } from './helpers';

let dir = '';
let model = '';
let frameFile = '';
const a = 1.1;
const L = 6 * a; // half the box (3.3) exceeds the OPP cutoff 3
/** A 6 x 6 x 6 simple cubic lattice at spacing 1.1 (no close pairs: finite OPP forces). */
const positions = Float64Array.from({ length: 216 * 3 }, (_, i) => {
  const p = Math.floor(i / 3);
  const c = [p % 6, Math.floor(p / 6) % 6, Math.floor(p / 36)][i % 3];
  return (c + 0.5) * a;
});

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-dynamics-'));
  ({ model, frameFile } = await tinyModelAndFrame(dir, positions, L));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mddm dynamics', () => {
  it('with --opp: the trajectory of the library integrator with the same force, seed and options', async () => {
    const out = join(dir, 'opp.xyz');
    const r = await mddm('dynamics', '--in', frameFile, '--opp', '7,1', '--steps', '20', '--every', '10', '--seed', '3', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/step 20: kinetic T \d+\.\d{4}, RDF-MSE vs start \d+\.\d{4}/);
    expect(r.out).toContain('force evaluations: 21');
    const traj = await frames(out);
    expect(traj.map((f) => f.info?.step)).toEqual([0, 10, 20]);
    expect(traj[0].info?.kT).toBe(0.5); // from the frame's T
    const lib = await langevin(positions, L, (x, f) => void f.set(oppForces(x, L, { k: 7, phi: 1 }, { cutoff: 3 }).forces), { steps: 20, dt: 0.005, kT: 0.5, gamma: 1, seed: 3 });
    expect(Array.from(traj[2].positions)).toEqual(Array.from(lib.positions));
    expect(Array.from(traj[0].positions)).toEqual(Array.from(positions));
  });

  it('with a pretrained model: sigma from its manifest (forces.dynamicsSigma), equal to the library integrator with that force', async () => {
    const { loadPretrained } = await import('@mddm/pretrained');
    const { denoiserForceField } = await import('@mddm/model');
    const { loadDataset } = await import('@mddm/data');
    const { writeXyz } = await import('@mddm/io');
    const { denoiser, manifest } = await loadPretrained('opp-unconditional');
    const sigma = manifest.forces!.dynamicsSigma!;
    const [md] = await loadDataset('opp-replicas');
    const start = join(dir, 'replica.xyz');
    await writeXyz(start, [md]);
    const out = join(dir, 'pretrained.xyz');
    const r = await mddm('dynamics', '--in', start, '--model', 'opp-unconditional', '--steps', '2', '--every', '2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`at sigma = ${sigma} LJ, kT = 0.03`);
    const lib = await langevin(md.positions, md.box, denoiserForceField(denoiser, md.box, { sigma, kT: 0.03 }), { steps: 2, dt: 0.005, kT: 0.03, gamma: 1, seed: 0 });
    expect(Array.from((await frames(out))[1].positions)).toEqual(Array.from(lib.positions));
    denoiser.dispose();
  }, 60_000);

  it('with --model: the denoiser force at its smallest trained level; bad choices of force are usage errors', async () => {
    const out = join(dir, 'model.xyz');
    const r = await mddm('dynamics', '--in', frameFile, '--model', model, '--steps', '4', '--every', '2', '--kT', '0.2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/force denoiser .* at sigma = [\d.]+ LJ, kT = 0.2/);
    expect((await frames(out)).map((f) => f.info?.step)).toEqual([0, 2, 4]);
    for (const [flags, message] of [
      [['--steps', '4'], /exactly one force/],
      [['--steps', '4', '--model', model, '--opp', '7,1'], /exactly one force/],
      [['--steps', '4', '--opp', '7,1', '--sigma', '0.1'], /--sigma reads a denoiser/],
      [['--steps', '4', '--opp', '7,1', '--symmetry-average'], /--symmetry-average averages a denoiser's force/],
      [['--opp', '7,1'], /--steps is required/],
      [['--steps', '4', '--opp', '7'], /--opp must be K,PHI/],
      [['--steps', '4', '--opp', '7,1', '--dt', '0'], /--dt must be a number > 0/],
    ] as const) {
      const e = await mddm('dynamics', '--in', frameFile, ...flags, '--out', out);
      expect(e.code).toBe(2);
      expect(e.err).toMatch(message);
    }
    expect((await mddm('dynamics', '--help')).out).toMatch(/BAOAB/);
  });
});
