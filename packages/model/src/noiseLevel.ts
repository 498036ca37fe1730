import { describeValue } from '@mddm/core';
import type { DenoiserLike } from './denoiserLike';
import { ModelError } from './errors';

/** The noise band a denoiser was trained on, in LJ units (see {@link trainedNoiseRange}). */
export interface TrainedNoiseRange {
  /** Smallest trained noise std (LJ units): `L sqrt(a_1)` (training draws t >= 1). */
  sigmaMinLj: number;
  /** Largest trained noise std (LJ units): `L sqrt(a_tMax)`. */
  sigmaMaxLj: number;
  /** Training box length `L` along the first axis (LJ units) that converts `a_t` (box fractions) to LJ units. */
  boxLj: number;
}

/**
 * The noise levels a trained denoiser has seen: `L sqrt(a_t)` for `t = 1..tMax` of its training
 * schedule and box (`denoiser.training`). Outside this band its output is an extrapolation.
 *
 * @param denoiser - a trained denoiser (`denoiser.training` set by `train` or a checkpoint)
 * @returns the band in LJ units
 * @throws ModelError `MODEL_BAD_CONFIG` for an untrained denoiser (no training record)
 */
export function trainedNoiseRange(denoiser: DenoiserLike): TrainedNoiseRange {
  const tr = denoiser.training;
  if (!tr || !Array.isArray(tr.schedule?.a) || tr.schedule.a.length !== tr.schedule.T + 1) {
    throw new ModelError('this denoiser has no training record (denoiser.training): its trained noise levels are unknown; train it or load a trained checkpoint', 'MODEL_BAD_CONFIG');
  }
  const a = tr.schedule.a;
  const L = tr.box[0];
  const tMax = tr.tMax ?? tr.schedule.T;
  return { sigmaMinLj: L * Math.sqrt(a[1]), sigmaMaxLj: L * Math.sqrt(a[tMax]), boxLj: L };
}

/**
 * Throws unless `sigmaLj` is a finite number > 0 inside the trained band (relative slack 1e-9).
 * @internal
 */
export function checkSigma(denoiser: DenoiserLike, sigmaLj: unknown, name = 'sigma'): TrainedNoiseRange {
  if (typeof sigmaLj !== 'number' || !Number.isFinite(sigmaLj) || !(sigmaLj > 0)) {
    throw new ModelError(`${name} must be a finite noise std > 0 in LJ units, got ${describeValue(sigmaLj)}`, 'MODEL_BAD_INPUT');
  }
  const r = trainedNoiseRange(denoiser);
  if (sigmaLj < r.sigmaMinLj * (1 - 1e-9) || sigmaLj > r.sigmaMaxLj * (1 + 1e-9)) {
    throw new ModelError(
      `${name} = ${sigmaLj} LJ units is outside the noise levels this model was trained on, [${r.sigmaMinLj.toPrecision(4)}, ${r.sigmaMaxLj.toPrecision(4)}] (L sqrt(a_t) for t = 1..tMax)`,
      'MODEL_SIGMA_OUT_OF_RANGE',
    );
  }
  return r;
}

/**
 * The time input `g[0]` of a denoiser at a noise std `sigmaLj` (LJ units) that need not fall on a
 * timestep: for `'log-sigma'` the encoding is a function of `log sigma`, evaluated exactly; for
 * `'t/T'` the fractional timestep is interpolated linearly in `log sigma` between the two
 * neighbouring timesteps. At `sigmaLj = L sqrt(a_t)` both equal `encodeTime(encoding, t, a)`.
 *
 * @param denoiser - a trained denoiser
 * @param sigmaLj - noise std in LJ units, inside {@link trainedNoiseRange}
 * @returns the time input (`tau`) for {@link Denoiser.predict} / {@link Denoiser.globalInput}
 * @throws ModelError `MODEL_BAD_INPUT` for `sigma <= 0` or non-finite, `MODEL_SIGMA_OUT_OF_RANGE` outside
 *   the trained band, `MODEL_BAD_CONFIG` for an untrained denoiser
 */
export function timeInputAtSigma(denoiser: DenoiserLike, sigmaLj: number): number {
  const { boxLj } = checkSigma(denoiser, sigmaLj);
  const { a, T } = denoiser.training!.schedule;
  const ls = Math.log(sigmaLj / boxLj);
  if (denoiser.timeEncoding === 'log-sigma') {
    const l1 = 0.5 * Math.log(a[1]);
    const lT = 0.5 * Math.log(a[T]);
    return (ls - l1) / (lT - l1);
  }
  let t = 1;
  while (t < T && 0.5 * Math.log(a[t + 1]) < ls) t++;
  if (t === T) return 1;
  const lo = 0.5 * Math.log(a[t]), hi = 0.5 * Math.log(a[t + 1]);
  const frac = hi > lo ? Math.min(1, Math.max(0, (ls - lo) / (hi - lo))) : 0;
  return (t + frac) / T;
}
