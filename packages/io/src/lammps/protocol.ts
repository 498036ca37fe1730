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

/** One LAMMPS run: the target temperature, a velocity seed and file names. */
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

/** The LAMMPS input script for one annealing run. */
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
