import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNumber } from '@mddm/core';
import { toBox, validatePositions, wrap, type BoxLike, type Vec3Array } from '@mddm/pbc';
import { formatReal } from '../format/numbers';
import { IoError } from '../errors';
import { readLammpsDump } from './dump';
import { LammpsError } from './lammpsError';
import { checkRun, defaultLmp, spawnLammps, type OppRunParameters } from './runLammps';
import { DEFAULT_PROTOCOL, validateProtocol, type AnnealProtocol } from './protocol';
import { lammpsPairTable } from './table';

/** Options of {@link runOppLammpsThermal}. */
export interface ThermalRunOptions {
  /** MD steps at T after the start (integer >= 1). */
  readonly steps: number;
  /** Steps between frames (integer >= 1, divides into `steps`): frames at `every, 2 every, ...`; the start is not returned. */
  readonly every: number;
  /** Timestep, damping, table and cutoff (the rest of the protocol is unused); default {@link DEFAULT_PROTOCOL}. */
  readonly protocol?: AnnealProtocol;
  /** LAMMPS executable, default `$MDDM_LMP` or `lmp`. */
  readonly lmp?: string;
  /** Keep the work directory (data file, input, table, log, dump) instead of deleting it. */
  readonly keepWorkDir?: boolean;
  /** Abort signal: kills LAMMPS. */
  readonly signal?: AbortSignal;
}

/** One frame of a thermal run: wrapped positions `[N, 3]` in `[0, L)` and the MD step it was taken at. */
export interface ThermalFrame {
  /** Positions, flat `[N, 3]`, wrapped into `[0, L)`, in the order of the start positions. */
  readonly positions: Float64Array;
  /** MD steps since the start (a multiple of `every`). */
  readonly step: number;
}

/**
 * A LAMMPS data file (`atom_style atomic`, one type of mass 1) holding `positions` in `box`; atom ids
 * are 1..N in the order of the positions. @internal
 */
export function lammpsDataFile(positions: Vec3Array, lengths: ArrayLike<number>): string {
  const n = positions.length / 3;
  const lines = ['LAMMPS data file written by @mddm/io', '', `${n} atoms`, '1 atom types', ''];
  const axes = ['x', 'y', 'z'];
  for (let d = 0; d < 3; d++) lines.push(`0 ${formatReal(lengths[d], 'box length')} ${axes[d]}lo ${axes[d]}hi`);
  lines.push('', 'Masses', '', '1 1.0', '', 'Atoms # atomic', '');
  for (let i = 0; i < n; i++) {
    lines.push(`${i + 1} 1 ${formatReal(positions[3 * i], 'x')} ${formatReal(positions[3 * i + 1], 'y')} ${formatReal(positions[3 * i + 2], 'z')}`);
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * The LAMMPS input script of a thermal run: read `start.data`, the tabulated OPP pair of the
 * annealing protocol, fresh Maxwell-Boltzmann velocities at T (the velocity seed), Nose-Hoover NVT at
 * T (damping `dampingSteps * timestep`, as in the protocol's hold), one `id x y z` dump every `every`
 * steps (LAMMPS also writes step 0, the start), sorted by id. @internal
 */
export function lammpsThermalScript(T: number, seed: number, steps: number, every: number, p: AnnealProtocol): string {
  const damp = p.dampingSteps * p.timestep;
  return [
    '# mddm OPP thermal run from a given conformation',
    'units lj',
    'atom_style atomic',
    'boundary p p p',
    'read_data start.data',
    `pair_style table linear ${p.tablePoints}`,
    `pair_coeff 1 1 opp.table OPP ${p.rCut}`,
    'neighbor 0.3 bin',
    'neigh_modify every 1 delay 0 check yes',
    `timestep ${p.timestep}`,
    'thermo 1000',
    `velocity all create ${T} ${seed} dist gaussian mom yes rot no`,
    `fix hold all nvt temp ${T} ${T} ${damp}`,
    `dump traj all custom ${every} traj.dump id x y z`,
    'dump_modify traj sort id format float %.10g',
    `run ${steps}`,
    '',
  ].join('\n');
}

/**
 * Continues MD from a given conformation with LAMMPS: Nose-Hoover NVT at `run.T` with the OPP pair
 * potential (k, phi) and fresh velocities (seed `run.seed`), returning a frame every `every` steps.
 * For the thermal ensemble around a conformation that is already equilibrated at T (e.g. a shipped
 * LAMMPS frame): the score that a denoiser's force estimates (SPEC §8) is that of this ensemble, and
 * one frame per annealing run (about 36 s each) is an expensive way to sample it. Frames `every`
 * steps apart are correlated; choose `every` above the vibrational correlation time (a few LJ time
 * units, i.e. several hundred steps of 0.005). One core (`OMP_NUM_THREADS=1`).
 *
 * @param run - k, phi, T and the velocity seed
 * @param start - start positions `[N, 3]` (LJ units; wrapped into the box first)
 * @param box - orthorhombic box (`L` or `[Lx, Ly, Lz]`, LJ units)
 * @param options - steps, every, protocol (timestep, damping, table), executable, abort signal
 * @returns `steps / every` frames, in step order
 * @throws {@link LammpsError} `LAMMPS_BAD_PARAMETERS` on bad k, phi, T, seed, steps or every
 *   (`every` must divide `steps`); `LAMMPS_NOT_FOUND`, `LAMMPS_FAILED`, `LAMMPS_BAD_OUTPUT` as
 *   {@link runOppLammps}; `PbcError` on non-finite positions or a bad box
 */
export async function runOppLammpsThermal(run: OppRunParameters, start: Vec3Array, box: BoxLike, options: ThermalRunOptions): Promise<ThermalFrame[]> {
  checkRun(run);
  const bad = (msg: string) => new LammpsError(`runOppLammpsThermal: ${msg}`, 'LAMMPS_BAD_PARAMETERS');
  if (!options || typeof options !== 'object') throw bad('options must be { steps, every, ... }');
  const steps = checkNumber(options.steps, 'steps', { integer: true, min: 1 }, bad);
  const every = checkNumber(options.every, 'every', { integer: true, min: 1 }, bad);
  if (steps % every !== 0) throw bad(`every (${every}) must divide steps (${steps})`);
  const n = validatePositions(start, 'start');
  if (n < 2) throw bad(`start must hold at least 2 particles, got ${n}`);
  const b = toBox(box);
  const protocol = options.protocol ?? DEFAULT_PROTOCOL;
  validateProtocol(protocol);
  const dir = await mkdtemp(join(tmpdir(), 'mddm-lmp-thermal-'));
  try {
    await writeFile(join(dir, 'start.data'), lammpsDataFile(wrap(Float64Array.from(start), b), b.lengths));
    await writeFile(join(dir, 'opp.table'), lammpsPairTable(run, { points: protocol.tablePoints, rCut: protocol.rCut }));
    await writeFile(join(dir, 'in.opp'), lammpsThermalScript(run.T, run.seed, steps, every, protocol));
    await spawnLammps(options.lmp ?? defaultLmp(), dir, options.signal);
    return await readThermalFrames(join(dir, 'traj.dump'), n, steps / every, b);
  } finally {
    if (!options.keepWorkDir) await rm(dir, { recursive: true, force: true });
  }
}

async function readThermalFrames(path: string, n: number, count: number, box: ReturnType<typeof toBox>): Promise<ThermalFrame[]> {
  const frames: ThermalFrame[] = [];
  try {
    for await (const f of readLammpsDump(path)) {
      // LAMMPS also dumps step 0 (the start), which the caller already has.
      if (Number(f.info.timestep) === 0) continue;
      if (f.positions.length !== 3 * n) throw new LammpsError(`LAMMPS thermal dump frame ${frames.length} has ${f.positions.length / 3} atoms, expected ${n}`, 'LAMMPS_BAD_OUTPUT');
      frames.push({ positions: wrap(f.positions, box), step: Number(f.info.timestep) });
    }
  } catch (e) {
    if (e instanceof IoError && !(e instanceof LammpsError)) throw new LammpsError(`LAMMPS thermal dump does not parse: ${e.message}`, 'LAMMPS_BAD_OUTPUT');
    throw e;
  }
  if (frames.length !== count) throw new LammpsError(`LAMMPS thermal dump holds ${frames.length} frames, expected ${count}`, 'LAMMPS_BAD_OUTPUT');
  return frames;
}
