import { describeValue } from '@mddm/core';
import { createRng } from '@mddm/schedules';
import { toBox, validatePositions, type BoxLike, type Vec3Array } from '@mddm/pbc';
import type { DenoiserLike } from './denoiserLike';
import { checkDrawOptions, nearestConditionRows } from './drawConditions';
import { ModelError, checkInt } from './errors';
import type { SampleResult } from './sample';
import { variation, type VariationOptions } from './variation';

/** One frame a {@link retrievalSample} may start from: an MD conformation and its raw conditions. */
export interface RetrievalFrame {
  /** Positions `[N, 3]` (LJ units). */
  positions: Vec3Array;
  /** Its periodic box. */
  box: BoxLike;
  /** Its raw conditions (e.g. `[k, phi, T]`), as many as the given conditions of the sample. */
  conditions: ArrayLike<number>;
}

/** Options of {@link retrievalSample}: those of `variation` (sampler, guidance, ...) and the draw of the start frames. */
export interface RetrievalSampleOptions extends Omit<VariationOptions, 't' | 'count' | 'seed' | 'conditions' | 'sigmaLj'> {
  /** Frames to start from (MD conformations with their conditions; e.g. the training data), one box and N for all. */
  pool: readonly RetrievalFrame[];
  /** The requested raw conditions (e.g. `[k, phi, T]`). */
  conditions: ArrayLike<number>;
  /** Noise std (LJ units) the start frame is noised to before it is denoised at `conditions`. */
  sigmaLj: number;
  /** Conformations (default 1). */
  count?: number;
  /**
   * Seed (default 0) of the start-frame draws and of every conformation's noise: one stream gives the start
   * frames, then one `variation` seed per conformation, so runs with different seeds share no noise.
   */
  seed?: number;
  /**
   * How the start frames of the seed's conformations are drawn (default `'stratified'`):
   * - `'stratified'`: one random order of the `neighbours` nearest frames, used in turn (conformation j starts
   *   from the (j mod neighbours)-th of the order), so any `neighbours` consecutive conformations start from
   *   all of them. Each conformation's start is still uniform among the neighbours; a batch represents them
   *   evenly instead of by chance (4 independent draws among 3 frames leave one out 56% of the time).
   * - `'independent'`: every conformation draws its start uniformly and independently (the only draw of
   *   `@mddm/model` before `draw` existed; reproduces those samples).
   */
  draw?: RetrievalDraw;
  /**
   * Index of the first conformation in the seed's sequence (default 0, at most 1,000,000): the call returns conformations
   * `first` to `first + count - 1` of what one call with `count = first + count` would return, so a batch made in
   * parts (one conformation per call, as `mddm evaluate` caches them) is the same batch, stratified across the parts.
   */
  first?: number;
  /** Draw among this many pool frames nearest to `conditions` (default 3). */
  neighbours?: number;
  /** Distance scale of each condition's encoded features (default 1 each; e.g. `[4, 1, 1]` for OPP's k). */
  scale?: ArrayLike<number>;
  /** Leave out pool frames at exactly `conditions` (default false): to evaluate at parameters the pool holds. */
  excludeExact?: boolean;
}

/** Largest {@link RetrievalSampleOptions.first} (the sequence up to it is drawn: a million conformations is beyond any batch). */
export const MAX_FIRST = 1_000_000;

/** How {@link retrievalSample} draws the start frames of a batch: spread over the neighbours, or each on its own. */
export type RetrievalDraw = 'stratified' | 'independent';

/** What {@link retrievalSample} returns: the samples, and which pool frame each started from. */
export interface RetrievalSampleResult extends SampleResult {
  /** Index into `pool` of every conformation's start frame. */
  starts: number[];
  /** The noise std (LJ) the starts were noised to (the first level of the sampling schedule reaching `sigmaLj`). */
  sigmaLj: number;
}

/**
 * Retrieval-initialised sampling: every conformation starts from an MD frame of `pool` near the requested
 * conditions (drawn uniformly among the `neighbours` nearest, distance in the encoded conditions as in
 * `drawConditions`), noised to `sigmaLj` and denoised at the requested conditions (`variation`, SDEdit).
 *
 * Why: a model trained on OPP keeps a crystal it is given through ~0.2 LJ of noise but does not make one from
 * uniform noise (docs/conditional.md); starting at ~0.25 LJ from the structures MD made at nearby parameters
 * hands it MD's choice of polymorph, and the denoising adapts the structure to the requested parameters. What a
 * sample inherits from its start: the polymorph, the crystal's orientation and its defects; what it does not:
 * the particles' positions below ~the noise level. The samples are only as right as the neighbours' structures:
 * where the structure changes between the pool's parameters and the requested ones, they inherit the wrong one.
 *
 * @param denoiser - a conditional model
 * @param options - see {@link RetrievalSampleOptions}
 * @returns the samples (in the pool's box) with their start frames
 * @throws ModelError `MODEL_BAD_CONFIG` for an empty pool, pool frames of different boxes or sizes, or bad
 *   draw options; `MODEL_BAD_INPUT` for bad conditions; what `variation` throws
 */
export async function retrievalSample(denoiser: DenoiserLike, options: RetrievalSampleOptions): Promise<RetrievalSampleResult> {
  if (!options || typeof options !== 'object') throw new ModelError(`retrievalSample options must be an object, got ${describeValue(options)}`, 'MODEL_BAD_CONFIG');
  const { pool, conditions, sigmaLj, neighbours, scale, excludeExact, count: countOption, seed: seedOption, draw: drawOption, first: firstOption, ...rest } = options;
  checkPool(pool);
  if (conditions === null || typeof conditions !== 'object' || typeof conditions.length !== 'number') {
    throw new ModelError(`retrievalSample: conditions must be an array of raw conditions, got ${describeValue(conditions)}`, 'MODEL_BAD_INPUT');
  }
  const given = Array.from(conditions);
  const count = checkInt(countOption ?? 1, 'count', 1);
  const seed = checkInt(seedOption ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  // drawStarts draws the whole sequence up to first + count: bound it, so a bad `first` is an error, not an allocation
  const first = checkInt(firstOption ?? 0, 'first', 0, MAX_FIRST);
  const mode = drawOption ?? 'stratified';
  if (mode !== 'stratified' && mode !== 'independent') throw new ModelError(`retrievalSample: draw must be 'stratified' or 'independent', got ${describeValue(drawOption)}`, 'MODEL_BAD_CONFIG');
  pool.forEach((f, i) => {
    if (!f.conditions || f.conditions.length < given.length) throw new ModelError(`retrievalSample: pool[${i}].conditions must hold at least ${given.length} values, got ${describeValue(f.conditions)}`, 'MODEL_BAD_CONFIG');
  });
  const near = retrievalNeighbours(denoiser, pool.map((f) => f.conditions), given, { neighbours, scale, excludeExact });
  if (near.length === 0) throw new ModelError('retrievalSample: no pool frame left to start from (all at exactly the requested conditions)', 'MODEL_BAD_CONFIG');
  const { starts, seeds } = drawStarts(near, mode, seed, first, count);
  const results = [];
  for (let i = 0; i < count; i++) {
    const start = pool[starts[i]];
    results.push(await variation(denoiser, start.positions, start.box, { ...rest, sigmaLj, count: 1, seed: seeds[i], conditions: given }));
  }
  const head = results[0];
  return {
    ...head,
    positions: results.map((r) => r.positions[0]),
    conditions: results.every((r) => r.conditions) ? results.map((r) => r.conditions![0]) : undefined,
    evaluations: Math.max(...results.map((r) => r.evaluations)),
    elapsedMs: results.reduce((s, r) => s + r.elapsedMs, 0),
    trajectory: undefined,
    starts,
    sigmaLj: head.sigmaLj,
  };
}

/** Options of {@link retrievalNeighbours}: those of {@link RetrievalSampleOptions} that choose the neighbours. */
export type RetrievalNeighbourOptions = Pick<RetrievalSampleOptions, 'neighbours' | 'scale' | 'excludeExact'>;

/**
 * The pool frames {@link retrievalSample} draws its starts from: indices of the `neighbours` rows of `table` nearest
 * to `conditions` (encoded conditions, each condition's features times `scale`), nearest first, ties to the lower
 * index; with `excludeExact`, rows at exactly `conditions` (relative 1e-9) left out. The draw depends on these
 * frames and their order only, so a caller can load just them (`mddm sample`: from the data manifest's conditions)
 * or key a cache on them (`mddm evaluate`: a pool that grew elsewhere keeps the samples).
 *
 * @param denoiser - the conditional model (its condition encoders define the distance)
 * @param table - every pool frame's raw conditions (`pool[i].conditions`), at least `conditions.length` each
 * @param conditions - the requested raw conditions
 * @returns up to `neighbours` row indices (fewer if the table is smaller)
 * @throws ModelError `MODEL_BAD_CONFIG` for bad draw options or a short row; `MODEL_BAD_INPUT` for bad conditions
 */
export function retrievalNeighbours(denoiser: DenoiserLike, table: readonly ArrayLike<number>[], conditions: ArrayLike<number>, options: RetrievalNeighbourOptions = {}): number[] {
  if (conditions === null || typeof conditions !== 'object' || typeof conditions.length !== 'number') {
    throw new ModelError(`retrievalNeighbours: conditions must be an array of raw conditions, got ${describeValue(conditions)}`, 'MODEL_BAD_INPUT');
  }
  const given = Array.from(conditions);
  const draw = checkDrawOptions({ neighbours: options.neighbours ?? 3, scale: options.scale }, given.length);
  table.forEach((row, i) => {
    if (!row || row.length < given.length) throw new ModelError(`retrievalNeighbours: table[${i}] must hold at least ${given.length} conditions, got ${describeValue(row)}`, 'MODEL_BAD_CONFIG');
  });
  const exact = (i: number) => given.every((v, c) => Math.abs(table[i][c] - v) <= 1e-9 * Math.max(1, Math.abs(v)));
  return nearestConditionRows(denoiser.conditionEncoders, table, given, draw.neighbours, draw.scale, options.excludeExact ? exact : undefined);
}

/**
 * @internal Start frames and noise seeds of conformations `first .. first + count - 1` of the seed's sequence.
 * Noise seeds come from the same stream, not seed + i: with seed + i, the runs --seed 0 and --seed 1 (or two
 * Slurm tasks) would share a seed, and from the same start frame make the same conformation.
 */
export function drawStarts(near: readonly number[], mode: RetrievalDraw, seed: number, first: number, count: number): { starts: number[]; seeds: number[] } {
  const rng = createRng(seed);
  const total = first + count;
  let starts: number[];
  if (mode === 'independent') {
    // all starts first, then the seeds: the order of the releases that drew this way (their samples reproduce)
    starts = Array.from({ length: total }, () => near[rng.integer(0, near.length - 1)]);
  } else {
    // Fisher-Yates: a uniform random order of the neighbours, drawn before any noise seed so the sequence is
    // the same whatever the count (a batch of 8 begins with the batch of 4)
    const order = [...near];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.integer(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    starts = Array.from({ length: total }, (_, j) => order[j % order.length]);
  }
  const seeds = starts.map(() => rng.integer(0, 2 ** 32 - 1));
  return { starts: starts.slice(first), seeds: seeds.slice(first) };
}

/** @internal A non-empty pool of one box and one particle count. */
function checkPool(pool: readonly RetrievalFrame[]): void {
  if (!Array.isArray(pool) || pool.length === 0) throw new ModelError(`retrievalSample: pool must be a non-empty array of frames { positions, box, conditions }, got ${describeValue(pool)}`, 'MODEL_BAD_CONFIG');
  const n = validatePositions(pool[0].positions);
  const L = toBox(pool[0].box).lengths;
  pool.forEach((f, i) => {
    const m = validatePositions(f.positions);
    const b = toBox(f.box).lengths;
    if (m !== n || b[0] !== L[0] || b[1] !== L[1] || b[2] !== L[2]) {
      throw new ModelError(`retrievalSample: pool[${i}] has ${m} particles in a ${b.join(' x ')} box; pool[0] has ${n} in ${L.join(' x ')} (one box and N for the pool)`, 'MODEL_BAD_CONFIG');
    }
  });
}
