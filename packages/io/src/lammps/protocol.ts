import { LammpsError } from './lammpsError';

/**
 * The annealing protocol that produces OPP self-assembled conformations with LAMMPS
 * (SPEC §4; paper §2.1). All temperatures and times in LJ units.
 */
export interface AnnealProtocol {
  /** Particles per box side on the simple-cubic start lattice (spacing 1): N = side^3. Default 10. */
  readonly latticeSide: number;
  /** MD timestep, default 0.005. */
  readonly timestep: number;
  /** Melt temperature, default 2.0. */
  readonly meltTemperature: number;
  /** Melt steps at `meltTemperature`, default 2000. */
  readonly meltSteps: number;
  /** Anneal start temperature as a multiple of the target T, default 10. */
  readonly annealFactor: number;
  /** Steps of the linear anneal from `annealFactor * T` to T, default 50000. */
  readonly annealSteps: number;
  /** Steps held at T after the anneal, default 5000. */
  readonly holdSteps: number;
  /** Nose-Hoover damping time as a multiple of the timestep, default 100. */
  readonly dampingSteps: number;
  /** Points of the tabulated potential, default 4000. */
  readonly tablePoints: number;
  /** Pair cutoff (energy shifted to 0 there), default 3.0. */
  readonly rCut: number;
}

/** The protocol of SPEC §4: melt at T = 2 for 2,000 steps, anneal 10T -> T over 50,000, hold 5,000. */
export const DEFAULT_PROTOCOL: AnnealProtocol = Object.freeze({
  latticeSide: 10,
  timestep: 0.005,
  meltTemperature: 2.0,
  meltSteps: 2000,
  annealFactor: 10,
  annealSteps: 50000,
  holdSteps: 5000,
  dampingSteps: 100,
  tablePoints: 4000,
  rCut: 3.0,
});

/** One LAMMPS run: the target temperature, a velocity seed and file names (see {@link lammpsInputScript}). */
export interface LammpsRunSpec {
  /** Target temperature T. */
  readonly T: number;
  /** Velocity seed (positive integer < 2^31) making replicas independent. */
  readonly seed: number;
  /** Path of the pair table file, as LAMMPS should read it. */
  readonly tableFile: string;
  /** Path of the final dump LAMMPS writes (`id x y z`, wrapped, sorted by id). */
  readonly dumpFile: string;
}

const INTEGER_FIELDS = ['latticeSide', 'meltSteps', 'annealSteps', 'holdSteps', 'tablePoints'] as const;
const POSITIVE_FIELDS = ['timestep', 'meltTemperature', 'annealFactor', 'dampingSteps', 'rCut'] as const;

/**
 * Checks every field of a protocol (step counts non-negative integers, latticeSide and tablePoints
 * >= 2, temperatures/times positive, rCut > 0.5 = the table's inner distance).
 *
 * @param p - protocol to check
 * @returns `p`
 * @throws {@link LammpsError} (code `LAMMPS_BAD_PROTOCOL`) naming the field and value
 */
export function validateProtocol(p: AnnealProtocol): AnnealProtocol {
  const bad = (k: string, exp: string) => new LammpsError(`protocol.${k} must be ${exp}, got ${String((p as unknown as Record<string, unknown>)[k])}`, 'LAMMPS_BAD_PROTOCOL');
  for (const k of INTEGER_FIELDS) if (!Number.isSafeInteger(p[k]) || p[k] < 0) throw bad(k, 'a non-negative integer');
  if (p.latticeSide < 2) throw bad('latticeSide', 'an integer >= 2');
  if (p.tablePoints < 2) throw bad('tablePoints', 'an integer >= 2');
  for (const k of POSITIVE_FIELDS) if (!(Number.isFinite(p[k]) && p[k] > 0)) throw bad(k, 'a positive finite number');
  if (!(p.rCut > 0.5)) throw bad('rCut', 'greater than 0.5 (the inner end of the pair table)');
  return p;
}

/**
 * Builds a protocol from {@link DEFAULT_PROTOCOL}, overrides, and a step scale factor applied to
 * the melt, anneal and hold step counts (rounded, at least 1) after the overrides, e.g.
 * `stepsScale: 0.01` for a quick smoke run.
 *
 * @param overrides - fields to change
 * @param stepsScale - multiplier of the three step counts, default 1
 * @returns a validated, frozen protocol
 * @throws {@link LammpsError} `LAMMPS_BAD_PROTOCOL` on invalid values
 */
export function resolveProtocol(overrides: Partial<AnnealProtocol> = {}, stepsScale = 1): AnnealProtocol {
  if (!(Number.isFinite(stepsScale) && stepsScale > 0)) throw new LammpsError(`stepsScale must be a positive finite number, got ${stepsScale}`, 'LAMMPS_BAD_PROTOCOL');
  const p = { ...DEFAULT_PROTOCOL };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_PROTOCOL)) throw new LammpsError(`unknown protocol field '${k}'; expected one of ${Object.keys(DEFAULT_PROTOCOL).join(', ')}`, 'LAMMPS_BAD_PROTOCOL');
    (p as Record<string, number>)[k] = v as number;
  }
  if (stepsScale !== 1) {
    for (const k of ['meltSteps', 'annealSteps', 'holdSteps'] as const) p[k] = Math.max(1, Math.round(p[k] * stepsScale));
  }
  return Object.freeze(validateProtocol(p));
}

/**
 * One-line summary of a protocol, written as `protocol="..."` in the header of every generated
 * conformation and compared on resume, e.g.
 * `melt 2 x 2000; anneal 10T->T x 50000; hold x 5000; dt 0.005; table 4000 rc 3`
 * (`; damp D; side S` appended when dampingSteps != 100 or latticeSide != 10).
 *
 * @param p - protocol
 * @returns the summary string
 */
export function protocolSummary(p: AnnealProtocol): string {
  let s = `melt ${p.meltTemperature} x ${p.meltSteps}; anneal ${p.annealFactor}T->T x ${p.annealSteps}; hold x ${p.holdSteps}; dt ${p.timestep}; table ${p.tablePoints} rc ${p.rCut}`;
  if (p.dampingSteps !== 100) s += `; damp ${p.dampingSteps}`;
  if (p.latticeSide !== 10) s += `; side ${p.latticeSide}`;
  return s;
}

/**
 * The LAMMPS input script for one annealing run (SPEC §4): simple-cubic lattice of spacing 1
 * (latticeSide^3 atoms in a latticeSide^3 box), tabulated OPP, NVT melt at meltTemperature, velocity
 * rescale to annealFactor*T, NVT anneal annealFactor*T -> T, NVT hold at T, then one dump
 * `id x y z` sorted by id.
 *
 * @param run - temperature, seed and file names
 * @param protocol - step counts, temperatures, timestep, table; default {@link DEFAULT_PROTOCOL}
 * @returns the script text
 */
export function lammpsInputScript(run: LammpsRunSpec, protocol: AnnealProtocol = DEFAULT_PROTOCOL): string {
  const p = protocol;
  const tStart = p.annealFactor * run.T;
  const damp = p.dampingSteps * p.timestep;
  return [
    '# mddm OPP self-assembly (SPEC §4)',
    'units lj',
    'atom_style atomic',
    'boundary p p p',
    'lattice sc 1.0',
    `region box block 0 ${p.latticeSide} 0 ${p.latticeSide} 0 ${p.latticeSide}`,
    'create_box 1 box',
    'create_atoms 1 box',
    'mass 1 1.0',
    `pair_style table linear ${p.tablePoints}`,
    `pair_coeff 1 1 ${run.tableFile} OPP ${p.rCut}`,
    'neighbor 0.3 bin',
    'neigh_modify every 1 delay 0 check yes',
    `timestep ${p.timestep}`,
    'thermo 1000',
    `velocity all create ${p.meltTemperature} ${run.seed} dist gaussian mom yes rot yes`,
    `fix melt all nvt temp ${p.meltTemperature} ${p.meltTemperature} ${damp}`,
    `run ${p.meltSteps}`,
    'unfix melt',
    `velocity all scale ${tStart}`,
    `fix anneal all nvt temp ${tStart} ${run.T} ${damp}`,
    `run ${p.annealSteps}`,
    'unfix anneal',
    `fix hold all nvt temp ${run.T} ${run.T} ${damp}`,
    `run ${p.holdSteps}`,
    `write_dump all custom ${run.dumpFile} id x y z modify sort id format float %.10g`,
    '',
  ].join('\n');
}
