/**
 * @packageDocumentation
 * Extended XYZ and LAMMPS dump formats, the LAMMPS OPP dataset generator and the packing of its
 * output (the shipped data sets are `@mddm/data`). Node only; `@mddm/io/browser` is the part that runs in a browser.
 */
export { IoError } from './errors';
export type { Frame, FrameInfoValue, FrameProperty, RealProperty, IntegerProperty, StringProperty, LogicalProperty } from './frame';
export { readXyz, readXyzText } from './xyz/read';
export { writeXyz, writeXyzText } from './xyz/write';
export { oppEnergy, oppForce, type OppParameters } from './opp/potential';
export { oppForces, oppTotalEnergy, type OppForceOptions, type OppForces } from './opp/forces';
export { langevin, type ForceFunction, type LangevinFrame, type LangevinOptions, type LangevinResult } from './md/langevin';
export { lammpsPairTable, type PairTableOptions } from './lammps/table';
export { DEFAULT_PROTOCOL, lammpsInputScript, protocolSummary, resolveProtocol, validateProtocol, type AnnealProtocol, type LammpsRunSpec } from './lammps/protocol';
export { LammpsError } from './lammps/lammpsError';
export { runOppLammps, checkLammps, type OppRunParameters, type LammpsRunResult, type RunLammpsOptions } from './lammps/runLammps';
export { runOppLammpsThermal, type ThermalFrame, type ThermalRunOptions } from './lammps/thermal';
export { packDatasets, type PackOptions, type DataManifest, type PackedSet, type PackedConformation } from './dataset/pack';
export { defaultRawDir } from './dataset/paths';
export { readLammpsDump, readLammpsDumpText, writeLammpsDump, writeLammpsDumpText, type DumpCoordinates, type ReadDumpOptions, type WriteDumpOptions } from './lammps/dump';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './progress/progressBar';
export { PAPER_RANGES, gridPlan, lhsPlan, randomPlan, replicaPlan, replicasPlan, shippedPlan, stateFramesPlan, trainExtensionPlan, trainExtension2Plan, trainTwinsPlan, type GenerateJob, type ParameterRanges, type DrawOptions, type GridOptions } from './generate/plan';
export { generateDataset, type GenerateOptions, type GenerateSummary, type JobResult, type ManifestEntry, type GeneratorManifest, type ConformationRunner, type SlurmRunInfo } from './generate/generate';
export { runSlurmTasks, type SlurmTaskSpec, type SlurmTaskOutcome, type SlurmRunOptions, type SlurmRunResult } from './generate/slurm/executor';
export type { SlurmOptions } from './generate/slurm/options';
export { SlurmError } from './generate/slurm/slurmError';
export { slurmArrayScript, slurmTaskLog, TASK_EXIT_FILE, type SlurmArrayTask } from './generate/slurm/script';
export { submitSlurmScript } from './generate/slurm/submit';
export { slurmTaskStates, readTaskExit, SLURM_ACTIVE_STATES, type TaskExit } from './generate/slurm/poll';
export { shellQuote } from './generate/slurm/command';
export { sampleSphere, type SphereOptions } from './shapes/sphere';
export { sampleTorus, type TorusOptions } from './shapes/torus';
