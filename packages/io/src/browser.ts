/**
 * @packageDocumentation
 * `@mddm/io/browser`: the part of `@mddm/io` that runs in a browser (no Node built-ins anywhere in
 * its import graph): extended XYZ and LAMMPS dump **text** read/write, the OPP potential, forces
 * and table, Langevin dynamics, the annealing protocol text and the parameter plans. The file
 * functions (`readXyz`, `writeXyz`, ...), the LAMMPS runner and the generator are on the main entry
 * point `@mddm/io` (Node only); the same functions are exported there too, so Node code needs only
 * `@mddm/io`.
 */
export { IoError } from './errors';
export type { Frame, FrameInfoValue, FrameProperty, RealProperty, IntegerProperty, StringProperty, LogicalProperty } from './frame';
export { readXyzText } from './xyz/read';
export { writeXyzText } from './xyz/write';
export { readLammpsDumpText, writeLammpsDumpText, type DumpCoordinates, type ReadDumpOptions, type WriteDumpOptions } from './lammps/dump';
export { oppEnergy, oppForce, type OppParameters } from './opp/potential';
export { oppForces, oppTotalEnergy, type OppForceOptions, type OppForces } from './opp/forces';
export { langevin, type ForceFunction, type LangevinFrame, type LangevinOptions, type LangevinResult } from './md/langevin';
export { lammpsPairTable, type PairTableOptions } from './lammps/table';
export { DEFAULT_PROTOCOL, lammpsInputScript, protocolSummary, resolveProtocol, validateProtocol, type AnnealProtocol, type LammpsRunSpec } from './lammps/protocol';
export { LammpsError } from './lammps/lammpsError';
export { PAPER_RANGES, gridPlan, lhsPlan, randomPlan, replicaPlan, replicasPlan, shippedPlan, type GenerateJob, type ParameterRanges, type DrawOptions, type GridOptions } from './generate/plan';
// types only (erased): the format of a packed data folder's manifest.json, read by @mddm/data
export type { DataManifest, PackedSet, PackedConformation } from './dataset/pack';
