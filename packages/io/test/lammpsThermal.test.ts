import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { defaultLmp } from '../src/lammps/runLammps';
import { lammpsDataFile } from '../src/lammps/thermal';
import { oppForces, resolveProtocol, runOppLammpsThermal } from '../src/index';

// Real LAMMPS (skipped without `lmp`; lammps.test.ts fails CI when it is missing).
const hasLmp = spawnSync(defaultLmp(), ['-h'], { stdio: 'ignore' }).status === 0;

/** A side^3 simple-cubic lattice of spacing 1 (offset 0.5), every coordinate jittered by up to +-0.1. */
function jitteredLattice(side: number): Float64Array {
  const x = new Float64Array(3 * side ** 3);
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.2 - 0.1;
  let i = 0;
  for (let a = 0; a < side; a++) for (let b = 0; b < side; b++) for (let c = 0; c < side; c++) x.set([a + 0.5 + rand(), b + 0.5 + rand(), c + 0.5 + rand()], 3 * i++);
  return x;
}

const run = { k: 7, phi: 1, T: 0.03, seed: 4242 };
const side = 6; // box 6 >= 2 x the OPP cutoff 3, so oppForces' minimum image holds
const protocol = resolveProtocol({ tablePoints: 4000 });

describe('lammpsDataFile', () => {
  it('writes N atoms with ids 1..N, one type, the box and the positions exactly (round trip of %.17g)', () => {
    const text = lammpsDataFile(Float64Array.of(0.1, 0.2, 0.3, 1 / 3, 2.5, 2.9999999999999996), [3, 3, 3]);
    expect(text).toContain('2 atoms');
    expect(text).toContain('0 3 xlo xhi');
    const atoms = text.trim().split('\n').slice(-2).map((l) => l.split(' ').map(Number));
    expect(atoms[0]).toEqual([1, 1, 0.1, 0.2, 0.3]);
    expect(atoms[1]).toEqual([2, 1, 1 / 3, 2.5, 2.9999999999999996]);
  });
});

describe('runOppLammpsThermal: bad input', () => {
  const start = jitteredLattice(2);
  it.each([
    [{ steps: 10, every: 3 }, /every \(3\) must divide steps \(10\)/],
    [{ steps: 0, every: 1 }, /steps must be/],
    [{ steps: 10, every: 0.5 }, /every must be/],
  ])('%o is refused before LAMMPS runs', async (options, message) => {
    await expect(runOppLammpsThermal(run, start, 2, options)).rejects.toMatchObject({ code: 'LAMMPS_BAD_PARAMETERS', message: expect.stringMatching(message) });
  });
  it('a bad T, non-finite positions and a bad box are refused', async () => {
    await expect(runOppLammpsThermal({ ...run, T: 0 }, start, 2, { steps: 10, every: 5 })).rejects.toMatchObject({ code: 'LAMMPS_BAD_PARAMETERS' });
    await expect(runOppLammpsThermal(run, Float64Array.of(0, 0, NaN, 1, 1, 1), 2, { steps: 10, every: 5 })).rejects.toMatchObject({ code: 'PBC_BAD_POSITIONS' });
    await expect(runOppLammpsThermal(run, start, -1, { steps: 10, every: 5 })).rejects.toMatchObject({ code: 'PBC_BAD_BOX' });
  });
});

describe.skipIf(!hasLmp)('runOppLammpsThermal: real LAMMPS', () => {
  it('the first step is velocity Verlet from fresh velocities at exactly T: (x1 - x0 - F dt^2 / 2) / dt has kinetic temperature T', async () => {
    const x0 = jitteredLattice(side);
    const n = x0.length / 3;
    const [frame] = await runOppLammpsThermal(run, x0, side, { steps: 1, every: 1, protocol });
    expect(frame.step).toBe(1);
    expect(frame.positions.length).toBe(3 * n);
    const { forces } = oppForces(x0, side, run); // the analytic force (LAMMPS uses a 4000-point table of it)
    const dt = protocol.timestep;
    let sumV2 = 0;
    const momentum = [0, 0, 0];
    for (let i = 0; i < 3 * n; i++) {
      let d = frame.positions[i] - x0[i];
      d -= side * Math.round(d / side);
      const v = (d - 0.5 * forces[i] * dt * dt) / dt;
      sumV2 += v * v;
      momentum[i % 3] += v;
    }
    // `velocity create ... mom yes` scales to T over 3N - 3 degrees of freedom and zeroes the momentum.
    expect(sumV2 / (3 * n - 3)).toBeCloseTo(run.T, 4);
    for (const p of momentum) expect(Math.abs(p)).toBeLessThan(1e-5); // vs sum |v| ~ 40; the dump's 10 digits / dt
  }, 60_000);

  it('returns steps / every frames in step order, inside the box, near the start and different from each other', async () => {
    const x0 = jitteredLattice(side);
    const frames = await runOppLammpsThermal(run, x0, side, { steps: 40, every: 20, protocol });
    expect(frames.map((f) => f.step)).toEqual([20, 40]);
    for (const f of frames) {
      for (const c of f.positions) expect(c >= 0 && c < side).toBe(true);
      let sq = 0;
      for (let i = 0; i < f.positions.length; i++) {
        let d = f.positions[i] - x0[i];
        d -= side * Math.round(d / side);
        sq += d * d;
      }
      // 20-40 steps of 0.005 at T = 0.03 (thermal speed ~0.17) from a jittered lattice: moved, by far less than a lattice spacing
      const rms = Math.sqrt(sq / (f.positions.length / 3));
      expect(rms).toBeGreaterThan(1e-3);
      expect(rms).toBeLessThan(0.3);
    }
    expect(frames[0].positions).not.toEqual(frames[1].positions);
    // another seed gives another trajectory
    const other = await runOppLammpsThermal({ ...run, seed: run.seed + 1 }, x0, side, { steps: 20, every: 20, protocol });
    expect(other[0].positions).not.toEqual(frames[0].positions);
  }, 60_000);
});
