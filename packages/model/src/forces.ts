import { describeValue } from '@mddm/core';
import { toBox, validatePositions, type BoxLike, type Vec3Array } from '@mddm/pbc';
import { applySymmetry, boxSymmetries, rotateBackVectors } from './augment';
import type { DenoiserLike } from './denoiserLike';
import { ModelError } from './errors';
import { timeInputAtSigma } from './noiseLevel';

/** Options of {@link forces}. */
export interface ForceOptions {
  /** Noise std `sigma` at which the denoiser is read, LJ units; inside the trained band (`trainedNoiseRange`). */
  sigma: number;
  /** Temperature `k_B T` of the training data, LJ energy units (k_B = 1), > 0. */
  kT: number;
  /** Raw conditions of a conditional denoiser (length `denoiser.conditions`). */
  conditions?: ArrayLike<number>;
  /**
   * Average the force over the symmetries of the box (48 for a cube, `boxSymmetries`):
   * `F(x) = mean_g g^-1 F_hat(g x)`. The network is translation invariant but only approximately
   * rotation equivariant (it learns equivariance from the training augmentation); the average is
   * exactly equivariant under the box's symmetry group and removes the part of the network's error
   * that is not. Costs one network evaluation per symmetry. Default false.
   */
  symmetryAverage?: boolean;
}

function checkForceOptions(denoiser: DenoiserLike, options: ForceOptions): { tau: number; scale: number } {
  if (!options || typeof options !== 'object') throw new ModelError(`force options must be { sigma, kT, conditions? }, got ${describeValue(options)}`, 'MODEL_BAD_CONFIG');
  const { kT } = options;
  if (typeof kT !== 'number' || !Number.isFinite(kT) || !(kT > 0)) throw new ModelError(`kT must be a finite temperature > 0 (LJ units, k_B = 1), got ${describeValue(kT)}`, 'MODEL_BAD_INPUT');
  if (denoiser.training?.target === 'score') {
    throw new ModelError('forces needs an eps-predicting denoiser (training target "eps"); this one was trained on the wrapped-score target', 'MODEL_BAD_CONFIG');
  }
  const tau = timeInputAtSigma(denoiser, options.sigma);
  return { tau, scale: -kT / options.sigma };
}

/**
 * Forces from a denoiser (SPEC §8, "On the Connection Between Diffusion Models and MD"): with
 * `x_sigma = x + sigma eps`, the score of the noisy density is `-eps_hat / sigma`, which tends to the
 * Boltzmann score `F / kT` as `sigma -> 0`. So
 *
 *   `F_hat(x) = -kT eps_hat(x, sigma) / sigma`,
 *
 * with the denoiser read at the clean positions `x` and the time input of noise level `sigma`
 * ({@link timeInputAtSigma}). The first-order (Taylor) error grows with `sigma`; too small a `sigma`
 * amplifies the network's own error by `1/sigma`. One network evaluation, no gradient.
 *
 * @param denoiser - a trained eps-predicting denoiser
 * @param positions - `[N, 3]` flat, LJ units (wrapped into the box)
 * @param box - the periodic box (LJ units)
 * @param options - `sigma` (LJ units), `kT` (LJ energy units), `conditions`
 * @returns forces `[N, 3]` flat (Float64Array), LJ units (energy / length)
 * @throws ModelError `MODEL_BAD_INPUT` (sigma <= 0, kT <= 0, bad positions or conditions),
 *   `MODEL_SIGMA_OUT_OF_RANGE` (sigma outside the trained noise band), `MODEL_BAD_CONFIG` (untrained
 *   or score-target denoiser)
 */
export function forces(denoiser: DenoiserLike, positions: Vec3Array, box: BoxLike, options: ForceOptions): Float64Array {
  const { tau, scale } = checkForceOptions(denoiser, options);
  validatePositions(positions);
  const out = new Float64Array(positions.length);
  writeForces(denoiser, positions, box, tau, scale, options, out);
  return out;
}

/** `out = scale * eps_hat(x)`, or its average over the box's symmetries (see `ForceOptions.symmetryAverage`). */
function writeForces(denoiser: DenoiserLike, positions: Vec3Array, box: BoxLike, tau: number, scale: number, options: ForceOptions, out: Float64Array): void {
  const conditions = options.conditions;
  if (!options.symmetryAverage) {
    const eps = denoiser.predict(positions, box, tau, { conditions });
    for (let i = 0; i < eps.length; i++) out[i] = scale * eps[i];
    return;
  }
  const lengths = toBox(box).lengths;
  const symmetries = boxSymmetries(lengths);
  const moved = new Float64Array(positions.length);
  const back = new Float64Array(positions.length);
  out.fill(0);
  for (const s of symmetries) {
    applySymmetry(s, positions, lengths, moved);
    rotateBackVectors(s, denoiser.predict(moved, box, tau, { conditions }), back);
    for (let i = 0; i < out.length; i++) out[i] += back[i];
  }
  const w = scale / symmetries.length;
  for (let i = 0; i < out.length; i++) out[i] *= w;
}

/**
 * A denoiser's force as a force function of `langevin` (`@mddm/io`): `(positions, out) => void`
 * writing {@link forces} into `out`. Options are checked once, here.
 *
 * @param denoiser - a trained eps-predicting denoiser
 * @param box - the periodic box the dynamics runs in
 * @param options - see {@link ForceOptions}
 * @returns the force function
 * @throws ModelError as {@link forces}
 */
export function denoiserForceField(denoiser: DenoiserLike, box: BoxLike, options: ForceOptions): (positions: Float64Array, out: Float64Array) => void {
  const { tau, scale } = checkForceOptions(denoiser, options);
  return (positions, out) => writeForces(denoiser, positions, box, tau, scale, options, out);
}
