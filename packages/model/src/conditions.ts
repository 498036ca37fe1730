import { describeValue } from '@mddm/core';
import { ModelError } from './errors';

/**
 * How one raw condition becomes network input (SPEC §5: the encoding is part of the checkpoint).
 * - `linear`: `(c - lo) / (hi - lo)`, one feature (the paper's normalisation, SPEC §2);
 * - `log`: `(ln c - ln lo) / (ln hi - ln lo)`, one feature, for positive scales spanning a factor
 *   (the temperature T: 0.01-0.05);
 * - `periodic`: `(sin 2 pi c / period, cos 2 pi c / period)`, two features, for an angle the physics
 *   is exactly periodic in (the OPP phase phi: `cos(k (r - 1.25) - phi)` has period 2 pi), so
 *   phi = 0 and phi = 6.28 are neighbours, not opposite ends of a range.
 */
export type ConditionEncoder =
  | { kind: 'linear'; range: [number, number] }
  | { kind: 'log'; range: [number, number] }
  | { kind: 'periodic'; period: number };

/**
 * The OPP conditions `(k, phi, T)` over the paper's ranges (1 <= k <= 15, 0 <= phi <= 6,
 * 0.01 <= T <= 0.05): k linear, phi as `(sin phi, cos phi)`, T on a log scale. Four features.
 */
export const OPP_CONDITION_ENCODERS: readonly ConditionEncoder[] = Object.freeze([
  { kind: 'linear', range: [1, 15] },
  { kind: 'periodic', period: 2 * Math.PI },
  { kind: 'log', range: [0.01, 0.05] },
] as ConditionEncoder[]);

/** The OPP condition names, in the order of {@link OPP_CONDITION_ENCODERS}. */
export const OPP_CONDITION_KEYS: readonly string[] = Object.freeze(['k', 'phi', 'T']);

/** @returns the number of features `encoder` produces (2 for `periodic`, else 1) */
export function encodedWidth(encoder: ConditionEncoder): number {
  return encoder.kind === 'periodic' ? 2 : 1;
}

/**
 * Validates a list of encoders (one per condition) and returns deep copies.
 * @throws ModelError `MODEL_BAD_CONFIG` for an unknown kind, a range without lo < hi (lo > 0 for
 *   `log`), or a non-positive period
 */
export function checkEncoders(encoders: readonly ConditionEncoder[], name = 'conditionEncoders'): ConditionEncoder[] {
  if (!Array.isArray(encoders)) throw new ModelError(`${name} must be an array of condition encoders, got ${describeValue(encoders)}`, 'MODEL_BAD_CONFIG');
  return encoders.map((e, i) => {
    const bad = (why: string) => new ModelError(`${name}[${i}] ${why}, got ${describeValue(e)}`, 'MODEL_BAD_CONFIG');
    if (!e || typeof e !== 'object') throw bad(`must be an object { kind, ... }`);
    if (e.kind === 'periodic') {
      if (!(Number.isFinite(e.period) && e.period > 0)) throw bad('must have a finite period > 0');
      return { kind: 'periodic', period: e.period };
    }
    if (e.kind !== 'linear' && e.kind !== 'log') throw bad(`must have kind 'linear', 'log' or 'periodic'`);
    const r = e.range;
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[1] > r[0])) {
      throw bad('must have a range [lo, hi] with finite lo < hi');
    }
    if (e.kind === 'log' && !(r[0] > 0)) throw bad('(log) must have a range with lo > 0');
    return { kind: e.kind, range: [r[0], r[1]] };
  });
}

/**
 * Writes the encoded features of one raw condition row into `out` from `offset`.
 * @param out - destination
 * @param offset - first index written
 * @param row - raw conditions, one per encoder
 * @param encoders - from {@link checkEncoders}
 * @returns the index after the last feature written
 * @throws ModelError `MODEL_BAD_INPUT` for a non-finite value, or a value <= 0 for a `log` encoder
 */
export function encodeConditionsInto(out: Float32Array, offset: number, row: ArrayLike<number>, encoders: readonly ConditionEncoder[]): number {
  let o = offset;
  for (let c = 0; c < encoders.length; c++) {
    const v = row[c];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(`condition ${c} must be a finite number, got ${describeValue(v)}`, 'MODEL_BAD_INPUT');
    const e = encoders[c];
    if (e.kind === 'linear') out[o++] = (v - e.range[0]) / (e.range[1] - e.range[0]);
    else if (e.kind === 'log') {
      if (!(v > 0)) throw new ModelError(`condition ${c} must be > 0 (log-encoded), got ${describeValue(v)}`, 'MODEL_BAD_INPUT');
      out[o++] = Math.log(v / e.range[0]) / Math.log(e.range[1] / e.range[0]);
    } else {
      const a = (2 * Math.PI * v) / e.period;
      out[o++] = Math.sin(a);
      out[o++] = Math.cos(a);
    }
  }
  return o;
}

/**
 * Whether a raw condition row lies outside the encoders' training ranges (periodic ones never do).
 * @returns the indices of the conditions outside `[lo, hi]`
 */
export function conditionsOutOfRange(row: ArrayLike<number>, encoders: readonly ConditionEncoder[]): number[] {
  const out: number[] = [];
  encoders.forEach((e, c) => {
    if (e.kind !== 'periodic' && !(row[c] >= e.range[0] && row[c] <= e.range[1])) out.push(c);
  });
  return out;
}

/**
 * Inverts {@link encodeConditionsInto}: the raw conditions of one encoded row (a periodic condition
 * comes back in `[0, period)`, which is the same condition). For architectures that evaluate the
 * conditions themselves (e.g. a `PotentialInput`), so the global input rows stay the one place
 * conditions are given.
 * @param row - encoded features
 * @param offset - index of the first encoded feature in `row`
 * @param encoders - from {@link checkEncoders}
 * @param out - destination, one value per encoder
 * @returns `out`
 */
export function decodeConditionsInto(row: ArrayLike<number>, offset: number, encoders: readonly ConditionEncoder[], out: number[]): number[] {
  let o = offset;
  encoders.forEach((e, c) => {
    if (e.kind === 'linear') out[c] = e.range[0] + row[o++] * (e.range[1] - e.range[0]);
    else if (e.kind === 'log') out[c] = e.range[0] * Math.exp(row[o++] * Math.log(e.range[1] / e.range[0]));
    else {
      const a = Math.atan2(row[o], row[o + 1]);
      o += 2;
      out[c] = (((a < 0 ? a + 2 * Math.PI : a) * e.period) / (2 * Math.PI)) % e.period;
    }
  });
  return out;
}
