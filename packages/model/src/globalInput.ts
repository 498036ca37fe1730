import { describeValue } from '@mddm/core';
import { ModelError } from './errors';
import { encodeConditionsInto, type ConditionEncoder } from './conditions';

/** What {@link globalInputRows} needs to know about a denoiser's global input. */
export interface GlobalInputLayout {
  /** Row width G: 1 (time) + encoded condition features + 1 if a null condition is reserved. */
  globalFeatures: number;
  /** Number of raw conditions. */
  conditions: number;
  /** Encoder of every condition. */
  conditionEncoders: readonly ConditionEncoder[];
  /** Whether the last feature is the "conditions given" flag (classifier-free guidance). */
  nullCondition: boolean;
}

/**
 * The global input rows `g = [time, encoded conditions..., (condition flag)]` of a batch of frames,
 * the same layout for every architecture (MDDM's `Denoiser.globalInput` follows it too).
 *
 * @param layout - the denoiser's global-input layout
 * @param tau - encoded time per frame (`[frames]`) or one value for all frames
 * @param frames - number of frames
 * @param conditions - raw conditions: one row for all frames or `[frames][conditions]`; a `null` row
 *   (or `null`) is the null condition when `layout.nullCondition`
 * @returns Float32Array `[frames, globalFeatures]`
 * @throws ModelError `MODEL_BAD_INPUT` for a non-finite time, conditions of the wrong length, missing
 *   conditions, or conditions given to an unconditional model
 */
export function globalInputRows(
  layout: GlobalInputLayout, tau: number | ArrayLike<number>, frames: number, conditions?: ArrayLike<number> | (ArrayLike<number> | null)[] | null,
): Float32Array {
  const G = layout.globalFeatures;
  const out = new Float32Array(frames * G);
  for (let f = 0; f < frames; f++) {
    const t = typeof tau === 'number' ? tau : tau[f];
    if (!Number.isFinite(t)) throw new ModelError(`t/T must be finite, got ${describeValue(t)} for frame ${f}`, 'MODEL_BAD_INPUT');
    out[f * G] = t;
  }
  if (layout.conditions === 0) {
    if (conditions !== undefined && conditions !== null && (conditions as ArrayLike<unknown>).length > 0) {
      throw new ModelError(`this denoiser is unconditional (0 conditions), got conditions ${describeValue(conditions)}`, 'MODEL_BAD_INPUT');
    }
    return out;
  }
  if ((conditions === undefined || conditions === null) && !layout.nullCondition) {
    throw new ModelError(`this denoiser needs ${layout.conditions} conditions per frame, got none`, 'MODEL_BAD_INPUT');
  }
  const perFrame = !!conditions && conditions.length > 0 && typeof conditions[0] !== 'number';
  if (perFrame && conditions!.length !== frames) {
    throw new ModelError(`conditions must have one row per frame (${frames}), got ${conditions!.length} rows`, 'MODEL_BAD_INPUT');
  }
  for (let f = 0; f < frames; f++) {
    const row = (perFrame ? (conditions as (ArrayLike<number> | null)[])[f] : conditions) as ArrayLike<number> | null | undefined;
    if (row === null || row === undefined) {
      if (!layout.nullCondition) throw new ModelError(`conditions of frame ${f} are missing (this denoiser has no null condition)`, 'MODEL_BAD_INPUT');
      continue;
    }
    if (row.length !== layout.conditions) throw new ModelError(`conditions must have length ${layout.conditions}, got ${describeValue(row)}`, 'MODEL_BAD_INPUT');
    const end = encodeConditionsInto(out, f * G + 1, row, layout.conditionEncoders);
    if (layout.nullCondition) out[end] = 1;
  }
  return out;
}
