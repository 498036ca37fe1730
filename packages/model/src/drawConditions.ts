import { describeValue } from '@mddm/core';
import type { Rng } from '@mddm/schedules';
import { encodeConditionsInto, encodedWidth, type ConditionEncoder } from './conditions';
import type { DenoiserLike } from './denoiserLike';
import { ModelError, checkInt } from './errors';

/** Default {@link DrawConditionsOptions.neighbours} when the model records none. */
export const DRAW_NEIGHBOURS = 3;

/** Options of {@link drawConditions}. */
export interface DrawConditionsOptions {
  /** Rows to draw (default 1): one per conformation. */
  count?: number;
  /**
   * How many training frames, nearest to the given conditions, to draw from (default: the model's
   * `TrainingInfo.draw.neighbours`, else {@link DRAW_NEIGHBOURS}).
   */
  neighbours?: number;
  /**
   * Distance scale of each given condition: its encoded features are multiplied by it (default: the
   * model's `TrainingInfo.draw.scale`, else 1 each). E.g. `[4, 1, 1]` makes a step across the k range
   * count 4 times as much as one across the T range.
   */
  scale?: ArrayLike<number>;
}

/**
 * Completes condition rows for a model trained with drawn conditions (`TrainOptions.drawnConditions`):
 * conditions that describe the structure a frame self-assembled into (e.g. g(r)'s main-peak height and
 * first-shell coordination), which a user cannot give for new parameters. Each row is `given` followed
 * by the drawn conditions of one training frame, chosen uniformly among the `neighbours` frames whose
 * given conditions are nearest to `given`.
 *
 * Why draw from neighbours: where MD makes two structures at one (k, phi, T), its nearest training
 * frames hold both, so conformations sampled with rows drawn here follow MD's mixture instead of one
 * average structure, and each conformation is conditioned on one structure. Distance is Euclidean in the
 * encoded conditions (`ConditionEncoder`: k scaled to [0, 1] over its range, phi as (sin, cos), T on a
 * log scale), so a periodic phi wraps and no condition dominates by its units.
 *
 * @param denoiser - a conditional model; one without drawn conditions gets `count` copies of `given`
 * @param given - raw conditions: the first `conditions - drawnConditions` (e.g. k, phi, T), or a full
 *   row (returned as is, `count` times: the drawn conditions chosen by the caller)
 * @param rng - random source (one integer per row; none for a full row or a model without drawn conditions)
 * @param options - see {@link DrawConditionsOptions}
 * @returns `[count][denoiser.conditions]` raw rows (fresh arrays)
 * @throws ModelError `MODEL_BAD_INPUT` for a row of another length or non-finite values,
 *   `MODEL_BAD_CONFIG` for a model whose training record lacks the rows, or bad options
 */
export function drawConditions(denoiser: DenoiserLike, given: ArrayLike<number>, rng: Rng, options: DrawConditionsOptions = {}): number[][] {
  const count = checkInt(options.count ?? 1, 'count', 1);
  const drawn = drawnConditionCount(denoiser);
  const total = denoiser.conditions;
  const row = checkRow(given, total, drawn);
  if (row.length === total) return Array.from({ length: count }, () => row.slice());
  const table = denoiser.training!.conditionRows!;
  const nearest = nearestTrainingFrames(denoiser, row, options);
  return Array.from({ length: count }, () => [...row, ...table[nearest[rng.integer(0, nearest.length - 1)]].slice(total - drawn)]);
}

/**
 * The training frames {@link drawConditions} draws from: indices into `denoiser.training.conditionRows`
 * of the `neighbours` rows nearest to `given` (scaled encoded distance; ties: lower index first), nearest first.
 * @param given - the given conditions (length `conditions - drawnConditions`)
 * @throws ModelError as {@link drawConditions}; `MODEL_BAD_CONFIG` for a model without drawn conditions
 */
export function nearestTrainingFrames(denoiser: DenoiserLike, given: ArrayLike<number>, options: Omit<DrawConditionsOptions, 'count'> = {}): number[] {
  const drawn = drawnConditionCount(denoiser);
  if (drawn === 0) throw new ModelError('nearestTrainingFrames needs a model trained with drawnConditions', 'MODEL_BAD_CONFIG');
  const row = checkRow(given, denoiser.conditions - drawn, 0);
  const table = denoiser.training!.conditionRows!;
  const recorded = denoiser.training!.draw;
  const { neighbours, scale } = checkDrawOptions({ neighbours: options.neighbours ?? recorded?.neighbours, scale: options.scale ?? recorded?.scale }, row.length);
  return nearestConditionRows(denoiser.conditionEncoders, table, row, Math.min(neighbours, table.length), scale);
}

/**
 * How many of a model's conditions are drawn (`TrainingInfo.drawnConditions`, 0 if none).
 * @throws ModelError `MODEL_BAD_CONFIG` when the record claims drawn conditions but has no usable rows
 */
export function drawnConditionCount(denoiser: DenoiserLike): number {
  const t = denoiser.training;
  const drawn = t?.drawnConditions ?? 0;
  if (drawn === 0) return 0;
  const rows = t?.conditionRows;
  if (!Number.isInteger(drawn) || drawn < 0 || drawn >= denoiser.conditions || !Array.isArray(rows) || rows.length === 0
    || rows.some((r) => !Array.isArray(r) || r.length !== denoiser.conditions || r.some((v) => !Number.isFinite(v)))) {
    throw new ModelError(`the model's training record has drawnConditions = ${describeValue(drawn)} but no valid conditionRows ([frames][${denoiser.conditions}] finite numbers)`, 'MODEL_BAD_CONFIG');
  }
  return drawn;
}

/**
 * Validates draw settings for `given` given conditions, filling the defaults ({@link DRAW_NEIGHBOURS}, scale 1).
 * @throws ModelError `MODEL_BAD_CONFIG` for neighbours not a positive integer or a scale not of `given` finite numbers >= 0
 */
export function checkDrawOptions(draw: { neighbours?: number; scale?: ArrayLike<number> }, given: number): { neighbours: number; scale: number[] } {
  const neighbours = checkInt(draw.neighbours ?? DRAW_NEIGHBOURS, 'neighbours', 1);
  const scale = draw.scale === undefined ? new Array<number>(given).fill(1) : Array.from(draw.scale ?? []);
  if (scale.length !== given || scale.some((v) => typeof v !== 'number' || !(v >= 0 && Number.isFinite(v)))) {
    throw new ModelError(`draw scale must hold ${given} finite numbers >= 0 (one per given condition), got ${describeValue(draw.scale)}`, 'MODEL_BAD_CONFIG');
  }
  return { neighbours, scale };
}

/** @internal `given` as a plain array, of the given or the full length. */
function checkRow(given: ArrayLike<number>, total: number, drawn: number): number[] {
  const short = total - drawn;
  const ok = given !== null && typeof given === 'object' && typeof given.length === 'number' && (given.length === short || given.length === total);
  if (!ok) {
    const what = drawn > 0 ? `${short} conditions (the ${drawn} others are drawn) or all ${total}` : `${total} conditions`;
    throw new ModelError(`conditions must hold ${what}, got ${describeValue(given)}`, 'MODEL_BAD_INPUT');
  }
  const row = Array.from(given);
  row.forEach((v, c) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(`condition ${c} must be a finite number, got ${describeValue(v)}`, 'MODEL_BAD_INPUT');
  });
  return row;
}

/**
 * Indices of the `m` rows of `table` nearest to `given` in the encoded conditions (each condition's features
 * scaled by `scale[c]`), nearest first (ties: lower index first). Shared by {@link drawConditions} and
 * `retrievalSample`. Rows are read up to `given.length`.
 * @param skip - leave out rows for which it returns true (e.g. rows at exactly `given`)
 * @throws ModelError `MODEL_BAD_INPUT` for a row with a non-finite value (or <= 0 for a log condition)
 */
export function nearestConditionRows(encoders: readonly ConditionEncoder[], table: readonly ArrayLike<number>[], given: ArrayLike<number>, m: number, scale: readonly number[], skip?: (index: number) => boolean): number[] {
  const used = encoders.slice(0, given.length);
  // scale per encoded feature: a periodic condition's (sin, cos) share its scale
  const featureScale = used.flatMap((e, c) => new Array<number>(encodedWidth(e)).fill(scale[c]));
  const width = featureScale.length;
  const target = new Float32Array(width);
  const other = new Float32Array(width);
  encodeConditionsInto(target, 0, given, used);
  const distances: { i: number; d: number }[] = [];
  table.forEach((r, i) => {
    if (skip?.(i)) return;
    encodeConditionsInto(other, 0, r, used);
    let d = 0;
    for (let j = 0; j < width; j++) d += ((other[j] - target[j]) * featureScale[j]) ** 2;
    distances.push({ i, d });
  });
  distances.sort((a, b) => a.d - b.d || a.i - b.i);
  return distances.slice(0, m).map((x) => x.i);
}
