import { describeValue } from '@mddm/core';
import { createRng, variationStart } from '@mddm/schedules';
import { toBox, validatePositions, type BoxLike, type Vec3Array } from '@mddm/pbc';
import type { DenoiserLike } from './denoiserLike';
import { ModelError, checkInt } from './errors';
import { trainedNoiseRange } from './noiseLevel';
import { rescaleSchedule, sample, trainedSchedule, type SampleOptions, type SampleResult } from './sample';
import { gridEnd } from './solvers';

/** Options of {@link variation}: a noise level (`sigmaLj` or `t`) plus the sampler options of `sample`. */
export interface VariationOptions extends Omit<SampleOptions, 'n' | 'box' | 'init' | 'start' | 'afterStep'> {
  /** Noise std (LJ units) to noise the conformation to; the first timestep whose std reaches it is used. */
  sigmaLj?: number;
  /** Or the timestep directly (`1..T` of the sampling schedule). Give exactly one of `sigmaLj` and `t`. */
  t?: number;
}

/** Result of {@link variation}: the variations and the level used. */
export interface VariationResult extends SampleResult {
  /** Timestep the conformation was noised to (the sampler's `start`). */
  t: number;
  /** Its noise std in LJ units, `L sqrt(a_t)` of the sampling schedule and box. */
  sigmaLj: number;
}

/**
 * Variations of a conformation (DynamicsDiffusion Algorithm 2, SDEdit): noise it to a level with the
 * forward process, `x_t = wrap(x + L sqrt(a_t) eps)` (`variationStart` of `@mddm/schedules`), and
 * denoise from there with `sample`. Small levels keep the structure (particles move by about
 * `sigma`); at the largest trained level the original is forgotten.
 *
 * @param denoiser - a trained denoiser
 * @param positions - the conformation `[N, 3]` (LJ units)
 * @param box - its periodic box
 * @param options - `sigmaLj` or `t`, and any `sample` option (`count`, `steps`, `spacing`, `corrector`, `seed`, ...)
 * @returns the variations (`count` of them), the timestep and its noise std
 * @throws ModelError `MODEL_BAD_INPUT` (sigma <= 0, bad positions), `MODEL_SIGMA_OUT_OF_RANGE` (a level
 *   above the largest trained one), `MODEL_BAD_CONFIG` (both or neither of sigmaLj / t, t out of range)
 */
export async function variation(denoiser: DenoiserLike, positions: Vec3Array, box: BoxLike, options: VariationOptions): Promise<VariationResult> {
  if (!options || typeof options !== 'object') throw new ModelError(`variation options must be an object, got ${describeValue(options)}`, 'MODEL_BAD_CONFIG');
  const n = validatePositions(positions);
  const L = toBox(box).lengths;
  const lengths: [number, number, number] = [L[0], L[1], L[2]];
  const trained = trainedSchedule(denoiser);
  const tb = denoiser.training?.box;
  const schedule = options.schedule ?? (trained && tb ? rescaleSchedule(trained, tb, lengths) ?? trained : trained);
  if (!schedule) throw new ModelError('variation: this denoiser has no training record; pass options.schedule', 'MODEL_BAD_CONFIG');
  const T = schedule.T;
  if ((options.sigmaLj === undefined) === (options.t === undefined)) {
    throw new ModelError(`variation: give exactly one of sigmaLj (noise std, LJ units) and t (timestep), got ${options.t === undefined ? 'neither' : 'both'}`, 'MODEL_BAD_CONFIG');
  }
  let t: number;
  if (options.t !== undefined) t = checkInt(options.t, 't', 1, T);
  else {
    const s = options.sigmaLj;
    if (typeof s !== 'number' || !Number.isFinite(s) || !(s > 0)) throw new ModelError(`variation: sigmaLj must be a finite noise std > 0 (LJ units), got ${describeValue(s)}`, 'MODEL_BAD_INPUT');
    if (denoiser.training && !options.schedule) {
      const r = trainedNoiseRange(denoiser);
      if (s > r.sigmaMaxLj * (1 + 1e-9)) {
        throw new ModelError(`variation: sigmaLj = ${s} is above the largest noise level this model was trained on (${r.sigmaMaxLj.toPrecision(4)} LJ units)`, 'MODEL_SIGMA_OUT_OF_RANGE');
      }
    }
    t = 1;
    while (t < T && L[0] * schedule.sqrtA[t] < s * (1 - 1e-12)) t++;
  }
  const count = checkInt(options.count ?? 1, 'count', 1);
  const x0 = Float64Array.from(positions);
  const init = new Float64Array(count * 3 * n);
  const rng = createRng((options.seed ?? 0) + 0x51ed27);
  for (let c = 0; c < count; c++) variationStart(x0, t, schedule, rng, lengths, init.subarray(c * 3 * n, (c + 1) * 3 * n));
  const { sigmaLj: _s, t: _t, ...rest } = options;
  const levels = t - gridEnd(options.sigmaMinLj, schedule, L[0], t, denoiser.training?.sampleSigmaMinLj) + 1; // the grid sample will use
  const steps = Math.min(options.steps ?? levels, levels);
  const r = await sample(denoiser, { ...rest, schedule, n, box: lengths, count, init, start: t, steps });
  return { ...r, t, sigmaLj: L[0] * schedule.sqrtA[t] };
}
