import { checkNumber, mulberry32 } from '@mddm/core';
import { IoError } from '../errors';

/** One conformation to generate: where it goes (`<out>/<set>/<id>.xyz`) and its parameters. */
export interface GenerateJob {
  /** Set name = sub-folder of the output directory, e.g. `'opp-train'`. */
  readonly set: string;
  /** Identifier = file name without `.xyz`; unique within the set. */
  readonly id: string;
  /** OPP frequency k. */
  readonly k: number;
  /** OPP phase phi. */
  readonly phi: number;
  /** Target temperature T (> 0). */
  readonly T: number;
  /** LAMMPS velocity seed, integer in [1, 2^31 - 1]. */
  readonly seed: number;
}

/** Closed intervals `[lo, hi]` for k, phi and T. */
export interface ParameterRanges {
  /** Range of k. */
  readonly k: readonly [number, number];
  /** Range of phi. */
  readonly phi: readonly [number, number];
  /** Range of T. */
  readonly T: readonly [number, number];
}

/** The paper's ranges (§2.1): 1 <= k <= 15, 0 <= phi <= 6, 0.01 <= T <= 0.05. */
export const PAPER_RANGES: ParameterRanges = Object.freeze({ k: [1, 15], phi: [0, 6], T: [0.01, 0.05] } as const);

function checkRanges(r: ParameterRanges): void {
  for (const key of ['k', 'phi', 'T'] as const) {
    const [lo, hi] = r[key];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw new IoError(`range of ${key} must be finite [lo, hi] with lo <= hi, got [${lo}, ${hi}]`, 'IO_BAD_ARGUMENT');
  }
  if (!(r.T[0] > 0)) throw new IoError(`range of T must be positive, got [${r.T[0]}, ${r.T[1]}]`, 'IO_BAD_ARGUMENT');
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new IoError(`${what} must be a positive integer, got ${n}`, 'IO_BAD_ARGUMENT');
}

function checkSeed(seed: number, fn: string): number {
  return checkNumber(seed, `${fn}: seed`, { integer: true }, (m) => new IoError(m, 'IO_BAD_ARGUMENT'));
}

/** Options of {@link lhsPlan} and {@link randomPlan}. */
export interface DrawOptions {
  /** Seed of the parameter draw (an integer; its low 32 bits seed `mulberry32` of `@mddm/core`), default 1. */
  seed?: number;
  /** LAMMPS seed of conformation i is `seedBase + i`, default 10000. */
  seedBase?: number;
  /** Parameter ranges, default {@link PAPER_RANGES}. */
  ranges?: ParameterRanges;
}

function drawnJob(set: string, i: number, n: number, k: number, phi: number, T: number, seed: number): GenerateJob {
  const kk = +k.toFixed(4);
  const pp = +phi.toFixed(4);
  const tt = +T.toFixed(5);
  return { set, id: `${String(i).padStart(Math.max(4, String(n - 1).length), '0')}_k${kk}_phi${pp}_T${tt}`, k: kk, phi: pp, T: tt, seed };
}

/**
 * `n` parameter sets by Latin hypercube sampling over the ranges: each axis is cut into `n` equal
 * strata and every stratum is used exactly once (random permutation per axis, uniform within the
 * stratum); values rounded to 4 decimals (k, phi) and 5 (T). Ids `NNNN_k<k>_phi<phi>_T<T>`.
 * Deterministic in `seed`.
 *
 * @param set - set name
 * @param n - number of conformations
 * @param options - seed, seedBase, ranges
 * @returns the jobs in draw order
 */
export function lhsPlan(set: string, n: number, options: DrawOptions = {}): GenerateJob[] {
  checkCount(n, 'lhsPlan: n');
  const ranges = options.ranges ?? PAPER_RANGES;
  checkRanges(ranges);
  const seedBase = options.seedBase ?? 10000;
  const r = mulberry32(checkSeed(options.seed ?? 1, 'lhsPlan'));
  const perm = () => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  const pk = perm();
  const pp = perm();
  const pt = perm();
  // lo + (width * (stratum + u)) / n, in this operation order (the shipped data depends on it).
  const at = (range: readonly [number, number], stratum: number) => range[0] + ((range[1] - range[0]) * (stratum + r())) / n;
  const jobs: GenerateJob[] = [];
  for (let i = 0; i < n; i++) {
    const k = at(ranges.k, pk[i]);
    const phi = at(ranges.phi, pp[i]);
    const T = at(ranges.T, pt[i]);
    jobs.push(drawnJob(set, i, n, k, phi, T, seedBase + i));
  }
  return jobs;
}

/**
 * `n` parameter sets drawn independently and uniformly over the ranges (same rounding and ids as
 * {@link lhsPlan}). Deterministic in `seed`.
 *
 * @param set - set name
 * @param n - number of conformations
 * @param options - seed, seedBase, ranges
 * @returns the jobs in draw order
 */
export function randomPlan(set: string, n: number, options: DrawOptions = {}): GenerateJob[] {
  checkCount(n, 'randomPlan: n');
  const ranges = options.ranges ?? PAPER_RANGES;
  checkRanges(ranges);
  const seedBase = options.seedBase ?? 10000;
  const r = mulberry32(checkSeed(options.seed ?? 1, 'randomPlan'));
  const lerp = (range: readonly [number, number]) => range[0] + (range[1] - range[0]) * r();
  return Array.from({ length: n }, (_, i) => drawnJob(set, i, n, lerp(ranges.k), lerp(ranges.phi), lerp(ranges.T), seedBase + i));
}

/** Options of {@link gridPlan}. */
export interface GridOptions {
  /** Values of k. */
  k: readonly number[];
  /** Values of phi. */
  phi: readonly number[];
  /** Values of T. */
  T: readonly number[];
  /** Independent replicas (distinct seeds) per grid point, default 1. */
  replicas?: number;
  /** First LAMMPS seed; job j gets `seedBase + j`, default 1. */
  seedBase?: number;
}

/**
 * The full grid k x phi x T (k slowest), `replicas` runs per point. Ids `k<k>_phi<phi>_T<T>_s<seed>`.
 *
 * @param set - set name
 * @param grid - values per parameter, replicas, seedBase
 * @returns the jobs
 */
export function gridPlan(set: string, grid: GridOptions): GenerateJob[] {
  const replicas = grid.replicas ?? 1;
  checkCount(replicas, 'gridPlan: replicas');
  for (const key of ['k', 'phi', 'T'] as const) {
    if (!Array.isArray(grid[key]) || grid[key].length === 0 || !grid[key].every(Number.isFinite)) {
      throw new IoError(`gridPlan: ${key} must be a non-empty list of finite numbers, got ${JSON.stringify(grid[key])}`, 'IO_BAD_ARGUMENT');
    }
  }
  let seed = grid.seedBase ?? 1;
  const jobs: GenerateJob[] = [];
  for (const k of grid.k) for (const phi of grid.phi) for (const T of grid.T) for (let r = 0; r < replicas; r++) {
    jobs.push({ set, id: `k${k}_phi${phi}_T${T}_s${seed}`, k, phi, T, seed });
    seed++;
  }
  return jobs;
}

/**
 * Independent replicas of existing jobs: `replicas` new runs at each job's (k, phi, T), with fresh
 * LAMMPS seeds `seedBase, seedBase + 1, ...` (job-major). Ids `<job id>_s<seed>`. Used for the
 * evaluation floors of SPEC §5: MD at fixed parameters can be multimodal, so conditional samples are
 * judged against several MD replicas per parameter set.
 *
 * @param set - set name of the new jobs
 * @param of - the jobs to replicate (their parameters; their own seeds are not reused)
 * @param replicas - new runs per job (>= 1)
 * @param seedBase - first LAMMPS seed
 * @returns the jobs
 */
export function replicaPlan(set: string, of: readonly GenerateJob[], replicas: number, seedBase: number): GenerateJob[] {
  checkCount(replicas, 'replicaPlan: replicas');
  checkCount(seedBase, 'replicaPlan: seedBase');
  const jobs: GenerateJob[] = [];
  let seed = seedBase;
  for (const job of of) for (let r = 0; r < replicas; r++, seed++) jobs.push({ set, id: `${job.id}_s${seed}`, k: job.k, phi: job.phi, T: job.T, seed });
  return jobs;
}

/**
 * The evaluation replicas (SPEC §5): 3 more runs at each of the 25 `opp-test` parameter sets
 * (`opp-test-replicas`, seeds 60000+) and at the first 25 `opp-train` sets (`opp-train-replicas`,
 * seeds 70000+). 150 conformations; with the original frame, R = 4 MD outcomes per set.
 *
 * @returns the jobs, test replicas first
 */
export function replicasPlan(): GenerateJob[] {
  return [
    ...replicaPlan('opp-test-replicas', lhsPlan('opp-test', 25, { seed: 2024, seedBase: 50000 }), 3, 60000),
    ...replicaPlan('opp-train-replicas', lhsPlan('opp-train', 200, { seed: 7, seedBase: 10000 }).slice(0, 25), 3, 70000),
  ];
}

/**
 * The plan of the shipped data (in this order): `opp-unconditional` (k = 7, phi = 1, T = 0.03,
 * seed 1), `opp-replicas` (same parameters, seeds 2-5), `opp-test` (25, Latin hypercube, draw seed
 * 2024, LAMMPS seeds 50000+), `opp-train` (200, Latin hypercube, draw seed 7, LAMMPS seeds 10000+),
 * all over {@link PAPER_RANGES}. 230 conformations.
 *
 * @returns the jobs
 */
export function shippedPlan(): GenerateJob[] {
  return [
    ...gridPlan('opp-unconditional', { k: [7], phi: [1], T: [0.03], seedBase: 1 }),
    ...gridPlan('opp-replicas', { k: [7], phi: [1], T: [0.03], replicas: 4, seedBase: 2 }),
    ...lhsPlan('opp-test', 25, { seed: 2024, seedBase: 50000 }),
    ...lhsPlan('opp-train', 200, { seed: 7, seedBase: 10000 }),
  ];
}

/**
 * More independent runs at the unconditional state point (k = 7, phi = 1, T = 0.03): 20 conformations,
 * LAMMPS seeds 90000-90019 (`opp-state-frames`), disjoint from `opp-unconditional` (seed 1) and
 * `opp-replicas` (seeds 2-5), which stay held out for evaluation. A denoiser's force (SPEC §8) is the
 * score of the thermal ensemble, which one frame does not show; these frames are that ensemble.
 *
 * @returns the jobs
 */
export function stateFramesPlan(): GenerateJob[] {
  return gridPlan('opp-state-frames', { k: [7], phi: [1], T: [0.03], replicas: 20, seedBase: 90000 });
}

/**
 * The extension of the training data toward the paper's 1000 conformations (issue 11's learning
 * curve: at equal steps, 50 training sets sample clearly worse than 200, docs/conditional.md):
 * 800 more parameter sets by Latin hypercube over the paper's ranges (`opp-train-ext`, draw seed 8,
 * LAMMPS seeds 20000-20799), disjoint from every shipped set's seeds. Hours of LAMMPS: the generator
 * skips finished conformations, so the run continues across sessions.
 *
 * @returns the jobs
 */
export function trainExtensionPlan(): GenerateJob[] {
  return lhsPlan('opp-train-ext', 800, { seed: 8, seedBase: 20000 });
}

/**
 * The second extension (issue 11: the pool of MD frames that `opp-conditional`'s sampling starts
 * from still gains ~0.015 RDF-MSE per doubling of its parameter sets, docs/conditional.md): 800 more
 * parameter sets by an independent Latin hypercube over the paper's ranges (`opp-train-ext2`, draw
 * seed 9, LAMMPS seeds 40000-40799), disjoint from every other plan's seeds. Resumable like
 * {@link trainExtensionPlan}.
 *
 * @returns the jobs
 */
export function trainExtension2Plan(): GenerateJob[] {
  return lhsPlan('opp-train-ext2', 800, { seed: 9, seedBase: 40000 });
}

/**
 * Multimodality for training (issue 11: "replicas in the training data teach the model the
 * multimodality"): one more independent LAMMPS run at each `opp-train` parameter set except the first
 * 25, whose replicas (`opp-train-replicas`) are the evaluation floors and stay unseen
 * (`opp-train-twins`, LAMMPS seeds 30000-30174, ids `<opp-train id>_s<seed>`). With one frame per
 * parameter set a model learns one structure per set; at the low-k sets where MD makes several
 * (SPEC §5), its samples all hold one polymorph (docs/conditional.md). 175 conformations.
 *
 * @returns the jobs
 */
export function trainTwinsPlan(): GenerateJob[] {
  return replicaPlan('opp-train-twins', lhsPlan('opp-train', 200, { seed: 7, seedBase: 10000 }).slice(25), 1, 30000);
}
