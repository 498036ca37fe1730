import { describeValue } from '@mddm/core';
import { ModelError } from './errors';

/** Agreement of predicted and reference per-atom forces (see {@link forceAgreement}). */
export interface ForceAgreement {
  /** Mean over atoms of the cosine between predicted and reference force vectors. */
  meanCosine: number;
  /** Median over atoms of `|F_pred| / |F_ref|`. */
  medianRatio: number;
  /** Relative RMS error `sqrt(sum |F_pred - F_ref|^2 / sum |F_ref|^2)`. */
  relativeRmse: number;
  /** Atoms compared (those with a nonzero reference force). */
  atoms: number;
}

/**
 * Compares two force fields atom by atom: mean cosine similarity, median magnitude ratio and the
 * relative RMS error. Atoms whose reference force is exactly zero are skipped.
 *
 * @param predicted - `[N, 3]` flat
 * @param reference - `[N, 3]` flat (e.g. `oppForces` of `@mddm/io`)
 * @returns see {@link ForceAgreement}
 * @throws ModelError `MODEL_BAD_INPUT` for arrays of different or non-multiple-of-3 length
 */
export function forceAgreement(predicted: ArrayLike<number>, reference: ArrayLike<number>): ForceAgreement {
  if (predicted.length !== reference.length || predicted.length % 3 !== 0) {
    throw new ModelError(`forceAgreement: predicted and reference must both be [N, 3] of the same N, got lengths ${describeValue(predicted.length)} and ${describeValue(reference.length)}`, 'MODEL_BAD_INPUT');
  }
  const n = predicted.length / 3;
  let cos = 0, atoms = 0, err = 0, ref = 0;
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const px = predicted[3 * i], py = predicted[3 * i + 1], pz = predicted[3 * i + 2];
    const rx = reference[3 * i], ry = reference[3 * i + 1], rz = reference[3 * i + 2];
    const np = Math.hypot(px, py, pz), nr = Math.hypot(rx, ry, rz);
    err += (px - rx) ** 2 + (py - ry) ** 2 + (pz - rz) ** 2;
    ref += nr * nr;
    if (nr === 0) continue;
    atoms++;
    cos += np === 0 ? 0 : (px * rx + py * ry + pz * rz) / (np * nr);
    ratios.push(np / nr);
  }
  ratios.sort((a, b) => a - b);
  const m = ratios.length;
  const median = m === 0 ? NaN : m % 2 ? ratios[(m - 1) / 2] : 0.5 * (ratios[m / 2 - 1] + ratios[m / 2]);
  return { meanCosine: atoms ? cos / atoms : NaN, medianRatio: median, relativeRmse: ref > 0 ? Math.sqrt(err / ref) : NaN, atoms };
}
