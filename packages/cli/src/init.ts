import { createHash } from 'node:crypto';
import { loadConditionIndex, loadConditionPool } from '@mddm/data';
import { retrievalNeighbours, retrievalSample, sample, type RetrievalDraw, type RetrievalFrame, type SampleOptions, type SampleResult } from '@mddm/model';
import { numberFlag, type FlagSpec, type ParsedArgs } from './args';
import { CliError } from './errors';
import { conditionNames, type CliModel } from './models';

/** `--init noise|nearest-md`, `--init-sigma S`, `--init-neighbours M`, `--init-scale a,b,c` and `--init-draw D` of `sample` and `evaluate`. */
export const INIT_FLAGS: FlagSpec = { init: { type: 'string' }, 'init-sigma': { type: 'string' }, 'init-neighbours': { type: 'string' }, 'init-scale': { type: 'string' }, 'init-draw': { type: 'string' } };

export const INIT_HELP = `  --init noise|nearest-md  start from uniform noise, or from an MD training frame near the conditions,
                     noised to --init-sigma and denoised at the conditions (retrieval-initialised sampling;
                     default: the model's manifest, nearest-md for opp-conditional, else noise)
  --init-sigma S     noise std (LJ) of the nearest-md start (default: the manifest's)
  --init-neighbours M  draw each start among the M pool frames nearest to the conditions (default: the manifest's)
  --init-scale a,b,c   distance scale of the encoded k, phi, T in that search (default: the manifest's)
  --init-draw stratified|independent  stratified: the conformations of one run start from the M nearest
                     frames in turn (random order), so --count M uses all of them; independent: each draws
                     its own (default: the manifest's, else stratified)`;

/** Retrieval-initialised sampling as the CLI runs it (`PretrainedManifest.init`). */
export interface NearestMdInit { kind: 'nearest-md'; sigmaLj: number; neighbours: number; scale: number[]; sets: string[]; counts?: Record<string, number>; draw: RetrievalDraw }

/** The default pool and draw when a checkpoint without a manifest is run with `--init nearest-md`. */
export const NEAREST_MD_DEFAULT: NearestMdInit = { kind: 'nearest-md', sigmaLj: 0.25, neighbours: 3, scale: [4, 1, 1], sets: ['opp-train', 'opp-train-ext', 'opp-train-twins'], draw: 'stratified' };

/** How a run starts: `noise`, or nearest-md with its settings. */
export type CliInit = { kind: 'noise' } | NearestMdInit;

/**
 * `--init` / `--init-sigma` over the manifest's default.
 * @throws CliError `CLI_USAGE` for an unknown kind, a bad sigma, nearest-md on a model without the OPP
 *   conditions (k, phi, T), or a size / box other than the pool's
 */
export function resolveInit(command: string, model: CliModel, values: ParsedArgs['values'], n: number, box: number): CliInit {
  const kind = (values.init as string | undefined) ?? model.manifest?.init?.kind ?? 'noise';
  if (kind !== 'noise' && kind !== 'nearest-md') throw new CliError(`mddm ${command}: --init must be noise or nearest-md, got '${kind}'`, 'CLI_USAGE');
  const sigma = numberFlag(command, values, 'init-sigma', { min: 0, exclusiveMin: true });
  const neighbours = numberFlag(command, values, 'init-neighbours', { min: 1, integer: true });
  const scale = scaleFlag(command, values);
  const draw = values['init-draw'] as string | undefined;
  if (draw !== undefined && draw !== 'stratified' && draw !== 'independent') throw new CliError(`mddm ${command}: --init-draw must be stratified or independent, got '${draw}'`, 'CLI_USAGE');
  if (kind === 'noise') {
    const given = (['init-sigma', 'init-neighbours', 'init-scale', 'init-draw'] as const).find((f) => values[f] !== undefined);
    if (given) throw new CliError(`mddm ${command}: --${given} is for --init nearest-md`, 'CLI_USAGE');
    return { kind: 'noise' };
  }
  const names = conditionNames(model);
  if (!(names[0] === 'k' && names[1] === 'phi' && names[2] === 'T')) {
    throw new CliError(`mddm ${command}: --init nearest-md starts from the shipped OPP frames; model '${model.name}' does not take (k, phi, T)`, 'CLI_USAGE');
  }
  if (n !== 1000 || box !== 10) throw new CliError(`mddm ${command}: --init nearest-md starts from the shipped frames (1000 particles, box 10); got --n ${n} --box ${box} (use --init noise)`, 'CLI_USAGE');
  const base = model.manifest?.init ?? NEAREST_MD_DEFAULT;
  return {
    ...base, sets: [...base.sets], ...(base.counts ? { counts: { ...base.counts } } : {}),
    sigmaLj: sigma ?? base.sigmaLj, neighbours: neighbours ?? base.neighbours, scale: scale ?? [...base.scale], draw: draw ?? base.draw ?? 'stratified',
  };
}

/** `--init-scale a,b,c`: three finite numbers >= 0, not all 0. @throws CliError `CLI_USAGE` otherwise */
function scaleFlag(command: string, values: ParsedArgs['values']): number[] | undefined {
  const raw = values['init-scale'];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const scale = text.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (scale.length !== 3 || scale.some((v) => !(Number.isFinite(v) && v >= 0)) || scale.every((v) => v === 0)) {
    throw new CliError(`mddm ${command}: --init-scale must be three numbers >= 0 (k, phi, T), not all 0, got '${text}'`, 'CLI_USAGE');
  }
  return scale;
}

/**
 * The sample-cache text of an init as `mddm evaluate` keyed its samples until they were keyed by their start frames
 * ({@link startsCacheLabel}): {@link initLabel} and, for nearest-md, a fingerprint of the whole pool's frame ids.
 * Still looked up, so the sample folders written that way are reused.
 */
export function initCacheLabel(init: CliInit, poolIds: readonly string[] | undefined): string | undefined {
  const label = initLabel(init);
  if (label === undefined || poolIds === undefined) return label;
  return `${label}|pool:${poolIds.length}:${createHash('sha256').update(poolIds.join('\n')).digest('hex').slice(0, 12)}`;
}

/**
 * The sample-cache text of a nearest-md sample: its noise level, its draw, and the frames its draw starts from (the
 * ordered neighbours, `retrievalNeighbours` of `@mddm/model`). A sample depends on these and not on the rest of the
 * pool: one that grew elsewhere (a set packed further) keeps the sample, one whose neighbours changed does not.
 */
export function startsCacheLabel(init: NearestMdInit, startIds: readonly string[]): string {
  return `nearest-md:${init.sigmaLj}:${init.draw}|starts:${startIds.length}:${createHash('sha256').update(startIds.join('\n')).digest('hex').slice(0, 12)}`;
}

/**
 * The frames of `init.sets` as a pool (conditions k, phi, T from their info), with their ids.
 *
 * Given the one set of conditions a run samples at (`mddm sample`), only the `init.neighbours` frames nearest to
 * them are loaded: they are found in the data manifest (`loadConditionIndex`) by `retrievalNeighbours`, as
 * `retrievalSample` finds them, so the run draws the same starts from this pool as from the whole one (same frames in the same order:
 * ties go to the lower index in both), in a fraction of the time (parsing the 1500 frames is ~2 s; one frame is
 * not). Without `near` (`mddm evaluate`: many conditions) the whole pool.
 */
export async function loadPool(
  init: NearestMdInit, near?: { denoiser: CliModel['denoiser']; conditions: ArrayLike<number> },
): Promise<{ pool: RetrievalFrame[]; ids: string[] }> {
  let ids: string[] | undefined;
  if (near !== undefined) {
    const index = await loadConditionIndex(init);
    const rows = retrievalNeighbours(near.denoiser, index.map((e) => e.conditions), near.conditions, init);
    ids = rows.map((r) => index[r].id);
  }
  const pool = await loadConditionPool(init, ids ? { ids } : {});
  return { pool, ids: pool.map((f) => f.id) };
}

/**
 * A short text of the init for sample-cache keys and frame info: `nearest-md:0.25:3:4,1,1:stratified`, or without
 * the last part for the independent draw (the label of the samples made before the stratified draw existed).
 */
export function initLabel(init: CliInit): string | undefined {
  if (init.kind === 'noise') return undefined;
  return `nearest-md:${init.sigmaLj}:${init.neighbours}:${init.scale.join(',')}${init.draw === 'independent' ? '' : `:${init.draw}`}`;
}

/**
 * Samples `count` conformations from noise (`sample`) or from the pool (`retrievalSample`, given conditions only:
 * the model draws any drawn conditions itself).
 * @param excludeExact - leave out pool frames at exactly these conditions (evaluation at training parameters)
 * @param first - nearest-md: index of the first conformation in the seed's sequence (`RetrievalSampleOptions.first`)
 */
export async function runInit(
  init: CliInit, pool: RetrievalFrame[] | undefined, denoiser: CliModel['denoiser'], options: SampleOptions & { conditions?: ArrayLike<number> }, excludeExact = false, first = 0,
): Promise<SampleResult & { starts?: number[] }> {
  if (init.kind === 'noise') return sample(denoiser, options);
  const { n: _n, box: _box, batchSize: _b, init: _i, ...rest } = options;
  return retrievalSample(denoiser, {
    ...rest, pool: pool!, conditions: options.conditions!, sigmaLj: init.sigmaLj, neighbours: init.neighbours, scale: init.scale, draw: init.draw, excludeExact, first,
  });
}
