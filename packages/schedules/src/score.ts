import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { boxLengths } from './box';
import {
  ScheduleError, checkOut, checkSameLength, checkStep, checkVec3, throwNonFinite,
} from './errors';
import { describeValue } from '@mddm/core';
import type { NoiseSchedule } from './schedule';

/**
 * Crossover between the two series, in units of `sigma / L`: the image sum is used below, the
 * Fourier (theta) series at and above. Both are accurate to ~1e-16 relative on either side (the
 * tests check that they agree around the crossover).
 */
export const WRAPPED_SCORE_CROSSOVER = 0.3;

/** `-ln(1e-17)`: the series are truncated once the omitted terms are below `1e-17` of the kept ones. */
const TAIL = 39.2;
const TWO_PI = 2 * Math.PI;

/** Number of images on each side used by the image sum for `r = sigma / L`: smallest K with `K (K + 1) >= 2 r^2 TAIL`. */
function imagesFor(r: number): number {
  let K = 1;
  const need = 2 * r * r * TAIL;
  while (K * (K + 1) < need) K++;
  return K;
}

/** Number of Fourier terms for `r = sigma / L`: smallest N with `2 pi^2 r^2 (N + 1)^2 >= TAIL + 0.45`. */
function termsFor(r: number): number {
  const N = Math.ceil(Math.sqrt((TAIL + 0.45) / (2 * Math.PI * Math.PI * r * r))) - 1;
  return Math.max(1, N);
}

/** Scratch for the second return value (density) of the series kernels. */
let lastDensity = 0;

/**
 * Image-sum kernel in box units: `u` in `[-1/2, 1/2]`, `r = sigma / L`. Returns the score
 * `d/du log p(u)` and sets `lastDensity` to `p(u)` (density per unit `u`, integrates to 1).
 */
function imageKernel(u: number, r: number, K: number): number {
  const inv = 1 / (2 * r * r);
  let num = -u;
  let den = 1; // k = 0 term relative weight (the largest, since |u| <= 1/2)
  const u2 = u * u;
  for (let k = 1; k <= K; k++) {
    const y1 = u + k, y2 = u - k;
    const w1 = Math.exp(-(y1 * y1 - u2) * inv);
    const w2 = Math.exp(-(y2 * y2 - u2) * inv);
    num -= y1 * w1 + y2 * w2;
    den += w1 + w2;
  }
  lastDensity = (Math.exp(-u2 * inv) * den) / (Math.sqrt(2 * Math.PI) * r);
  return num / (den * r * r);
}

/** Fourier (theta-series) kernel in box units; same contract as {@link imageKernel}. */
function fourierKernel(u: number, r: number, N: number): number {
  const c = -2 * Math.PI * Math.PI * r * r;
  let p = 1;
  let dp = 0;
  for (let n = 1; n <= N; n++) {
    const q = Math.exp(c * n * n);
    const ang = TWO_PI * n * u;
    p += 2 * q * Math.cos(ang);
    dp -= 2 * TWO_PI * n * q * Math.sin(ang);
  }
  lastDensity = p;
  return dp / p;
}

function reduce(d: number, L: number): number {
  const u = d / L;
  return u - Math.round(u);
}

function checkScalarArgs(d: number, sigma: number, L: number, fn: string): void {
  if (typeof d !== 'number' || !Number.isFinite(d)) throw new ScheduleError(`${fn}: d must be a finite number, got ${describeValue(d)}`, 'SCHEDULE_NAN');
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || !(sigma > 0)) {
    throw new ScheduleError(`${fn}: sigma must be a finite number > 0, got ${describeValue(sigma)}`, 'SCHEDULE_BAD_ARG');
  }
  if (typeof L !== 'number' || !Number.isFinite(L) || !(L > 0)) throw new ScheduleError(`${fn}: L must be a finite number > 0, got ${describeValue(L)}`, 'SCHEDULE_BAD_ARG');
}

/**
 * Score of the wrapped normal (DiffCSP; `diffusion-models-lecture.md`, last section):
 * `d/dd log p(d)` with `p(d) = sum_k N(d + k L; 0, sigma^2)`, periodic in `d` with period `L`.
 *
 * Evaluation: `d` is reduced to `u = d/L` in `[-1/2, 1/2]` and `r = sigma/L`.
 * - `r < 0.3`: image sum `s = sum_k -(u+k)/r^2 w_k / sum_k w_k`, `w_k = exp(-((u+k)^2 - u^2)/(2 r^2))`
 *   over `|k| <= K`, `K` the smallest integer with `K(K+1) >= 2 r^2 * 39.2` (K = 1..3); the omitted
 *   weights are below `exp(-K(K+1)/(2 r^2)) <= 1e-17` of the `k = 0` weight. No underflow at tiny
 *   sigma (the `k = 0` weight is 1; the result tends to `-d/sigma^2`).
 * - `r >= 0.3`: theta series `p ∝ 1 + 2 sum_{n=1}^N q^{n^2} cos(2 pi n u)`, `q = exp(-2 pi^2 r^2)`,
 *   `N` the smallest with `2 pi^2 r^2 (N+1)^2 >= 39.65` (N = 1..4); the omitted terms are below
 *   `1e-17` of `p`'s minimum `1 - 2q >= 0.66`. The score tends to 0 as `sigma/L` grows.
 * Truncation error is below double rounding (~1e-16 relative to the score scale `1/(sigma^2/L)`).
 *
 * @param d - displacement (any real; LJ units)
 * @param sigma - noise std (> 0, same units)
 * @param L - period / box length (> 0)
 * @returns the score in 1/length units
 * @throws {@link ScheduleError} on non-finite `d`, or `sigma`, `L` not finite and > 0
 */
export function wrappedNormalScore(d: number, sigma: number, L: number): number {
  checkScalarArgs(d, sigma, L, 'wrappedNormalScore');
  const u = reduce(d, L);
  const r = sigma / L;
  const s = r < WRAPPED_SCORE_CROSSOVER ? imageKernel(u, r, imagesFor(r)) : fourierKernel(u, r, termsFor(r));
  return s / L + 0; // + 0: no -0 at d = 0
}

/**
 * Log density of the wrapped normal on `[0, L)` (normalized over one period), same series and
 * accuracy as {@link wrappedNormalScore}. For tiny `sigma` far from 0 the density underflows to 0
 * and this returns `-Infinity`; use it for moderate arguments (diagnostics, tests).
 *
 * @param d - displacement (LJ units)
 * @param sigma - noise std (> 0)
 * @param L - period (> 0)
 * @returns `log p(d)` in log(1/length)
 */
export function wrappedNormalLogDensity(d: number, sigma: number, L: number): number {
  checkScalarArgs(d, sigma, L, 'wrappedNormalLogDensity');
  const u = reduce(d, L);
  const r = sigma / L;
  if (r < WRAPPED_SCORE_CROSSOVER) {
    const K = imagesFor(r);
    const inv = 1 / (2 * r * r);
    let den = 1;
    for (let k = 1; k <= K; k++) {
      const y1 = u + k, y2 = u - k;
      den += Math.exp(-(y1 * y1 - u * u) * inv) + Math.exp(-(y2 * y2 - u * u) * inv);
    }
    return -u * u * inv + Math.log(den) - Math.log(Math.sqrt(2 * Math.PI) * r * L);
  }
  fourierKernel(u, r, termsFor(r));
  return Math.log(lastDensity / L);
}

/**
 * The wrapped-normal score with an explicit number of images `K` (`|k| <= K`), for tests and
 * studies of the truncation. Prefer {@link wrappedNormalScore}.
 *
 * @param d - displacement (LJ units)
 * @param sigma - noise std (> 0)
 * @param L - period (> 0)
 * @param K - images per side (integer >= 0): the sum runs over `|k| <= K`
 * @returns the score in 1/length units
 */
export function wrappedNormalScoreImageSum(d: number, sigma: number, L: number, K: number): number {
  checkScalarArgs(d, sigma, L, 'wrappedNormalScoreImageSum');
  if (!Number.isInteger(K) || K < 0) throw new ScheduleError(`wrappedNormalScoreImageSum: K must be an integer >= 0, got ${describeValue(K)}`, 'SCHEDULE_BAD_ARG');
  return imageKernel(reduce(d, L), sigma / L, K) / L;
}

/**
 * The wrapped-normal score from the first `N` Fourier (theta-series) terms, for tests and studies
 * of the truncation. Prefer {@link wrappedNormalScore}.
 *
 * @param d - displacement (LJ units)
 * @param sigma - noise std (> 0)
 * @param L - period (> 0)
 * @param N - number of Fourier terms (integer >= 1)
 * @returns the score in 1/length units
 */
export function wrappedNormalScoreFourier(d: number, sigma: number, L: number, N: number): number {
  checkScalarArgs(d, sigma, L, 'wrappedNormalScoreFourier');
  if (!Number.isInteger(N) || N < 1) throw new ScheduleError(`wrappedNormalScoreFourier: N must be an integer >= 1, got ${describeValue(N)}`, 'SCHEDULE_BAD_ARG');
  return fourierKernel(reduce(d, L), sigma / L, N) / L;
}

/**
 * Elementwise wrapped-normal score of flat `[N, 3]` displacements, with per-axis std
 * `sigma_d = L_d * sigmaFrac` (the forward noise of step t has `sigmaFrac = sqrt(a_t)`).
 * `out[i] = d/dd log p_{sigma_d, L_d}(disp[i])` in 1/length units.
 *
 * @param disp - displacements `x_t - x_0` (any lift; the score is periodic), flat `[N, 3]`
 * @param sigmaFrac - std in box lengths (> 0)
 * @param box - the periodic box
 * @param out - optional output (same type and length; may alias `disp`)
 */
export function wrappedNormalScores<T extends Vec3Array>(disp: T, sigmaFrac: number, box: BoxLike, out?: T): T {
  const fn = 'wrappedNormalScores';
  checkVec3(disp, fn, 'disp');
  if (typeof sigmaFrac !== 'number' || !Number.isFinite(sigmaFrac) || !(sigmaFrac > 0)) {
    throw new ScheduleError(`${fn}: sigmaFrac must be a finite number > 0, got ${describeValue(sigmaFrac)}`, 'SCHEDULE_BAD_ARG');
  }
  const Ls = boxLengths(box, fn);
  const l0 = Ls[0], l1 = Ls[1], l2 = Ls[2];
  checkOut(disp, out, fn);
  const res = out ?? (new (disp.constructor as new (n: number) => T)(disp.length));
  const r = sigmaFrac;
  const image = r < WRAPPED_SCORE_CROSSOVER;
  const M = image ? imagesFor(r) : termsFor(r);
  const n = disp.length;
  for (let i = 0; i < n; i++) {
    const v = disp[i];
    if (v - v !== 0) throwNonFinite(fn, i, [['disp', disp]]);
    const L = i % 3 === 0 ? l0 : i % 3 === 1 ? l1 : l2;
    const u = reduce(v, L);
    res[i] = (image ? imageKernel(u, r, M) : fourierKernel(u, r, M)) / L;
  }
  return res;
}

/**
 * DiffCSP's normalization `lambda = 1 / E_{u ~ WN(0, sigma^2)}[(d/du log p(u))^2]` in box-fraction
 * units (period 1, `sigma` in box lengths), so that `sqrt(lambda) * score` has unit mean square.
 * For small sigma `lambda -> sigma^2` (Fisher information of a normal); for large sigma
 * `lambda ~ 1/(8 pi^2 q^2)`, `q = exp(-2 pi^2 sigma^2)` (huge: the score is nearly 0).
 *
 * Computed by the periodic trapezoid rule on `M = max(64, ceil(8/sigma))` nodes of `E = ∫ p s^2 du`
 * (spectrally accurate for this smooth periodic integrand); for `sigma < 0.02` the wrapped
 * correction is below `exp(-1/(8 sigma^2)) < 1e-135` and `sigma^2` is returned.
 *
 * @param sigma - std in box lengths (> 0), e.g. `schedule.sqrtA[t]`
 * @returns lambda in box-fraction^2 units
 */
export function wrappedScoreLambda(sigma: number): number {
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || !(sigma > 0)) {
    throw new ScheduleError(`wrappedScoreLambda: sigma must be a finite number > 0, got ${describeValue(sigma)}`, 'SCHEDULE_BAD_ARG');
  }
  if (sigma < 0.02) return sigma * sigma;
  const M = Math.max(64, Math.ceil(8 / sigma));
  const image = sigma < WRAPPED_SCORE_CROSSOVER;
  const K = image ? imagesFor(sigma) : termsFor(sigma);
  let sum = 0;
  for (let j = 0; j < M; j++) {
    const u = -0.5 + j / M;
    const s = image ? imageKernel(u, sigma, K) : fourierKernel(u, sigma, K);
    sum += lastDensity * s * s;
  }
  const e = sum / M;
  return e > 0 ? 1 / e : Infinity;
}

/**
 * {@link wrappedScoreLambda} for every timestep of a schedule: `out[t] = lambda(sqrt(a_t))`, `t = 0..T`.
 * Compute once per schedule (a few ms for T = 500) and reuse.
 *
 * @param schedule - the noise schedule
 * @returns `Float64Array [T + 1]`
 */
export function scoreLambdaTable(schedule: NoiseSchedule): Float64Array {
  const out = new Float64Array(schedule.T + 1);
  for (let t = 0; t <= schedule.T; t++) out[t] = wrappedScoreLambda(schedule.sqrtA[t]);
  return out;
}

/**
 * Normalized wrapped-score training target (DiffCSP-style, eps-like):
 * `out = -sqrt(lambda_t) * s(u)`, `u = (x_t - x_0)/L` per axis, `s` the wrapped-normal score in box
 * units with `sigma = sqrt(a_t)`. It has unit mean square under the forward process, equals the
 * minimum-image `eps` when `sqrt(a_t)` is small, and stays well defined when eps is not identifiable
 * (large noise). Convert a prediction back with {@link epsFromScoreTarget}.
 *
 * @param xt - noisy positions at `t`, flat `[N, 3]`
 * @param x0 - clean positions (same length)
 * @param t - timestep in `0..T`
 * @param schedule - the noise schedule
 * @param box - the periodic box
 * @param out - optional output (same type and length as `xt`)
 * @param lambdaT - `lambda_t` if already known (e.g. from {@link scoreLambdaTable}); computed otherwise
 */
export function wrappedScoreTarget<T extends Vec3Array>(
  xt: T, x0: Vec3Array, t: number, schedule: NoiseSchedule, box: BoxLike, out?: T, lambdaT?: number,
): T {
  const fn = 'wrappedScoreTarget';
  checkVec3(xt, fn, 'xt');
  checkSameLength(xt, x0, fn, 'xt', 'x0');
  checkStep(t, 0, schedule.T, fn);
  const r = schedule.sqrtA[t];
  if (!(r > 0)) throw new ScheduleError(`${fn}: a_t must be > 0 at t = ${t}, got ${schedule.a[t]}`, 'SCHEDULE_BAD_ARG');
  const lam = lambdaT ?? wrappedScoreLambda(r);
  if (typeof lam !== 'number' || !(lam > 0) || !Number.isFinite(lam)) throw new ScheduleError(`${fn}: lambdaT must be a finite number > 0, got ${describeValue(lam)}`, 'SCHEDULE_BAD_ARG');
  const Ls = boxLengths(box, fn);
  const l0 = Ls[0], l1 = Ls[1], l2 = Ls[2];
  checkOut(xt, out, fn);
  const res = out ?? (new (xt.constructor as new (n: number) => T)(xt.length));
  const c = -Math.sqrt(lam);
  const image = r < WRAPPED_SCORE_CROSSOVER;
  const M = image ? imagesFor(r) : termsFor(r);
  const n = xt.length;
  for (let i = 0; i < n; i++) {
    const v = xt[i] - x0[i];
    if (v - v !== 0) throwNonFinite(fn, i, [['xt', xt], ['x0', x0]]);
    const L = i % 3 === 0 ? l0 : i % 3 === 1 ? l1 : l2;
    const u = reduce(v, L);
    res[i] = c * (image ? imageKernel(u, r, M) : fourierKernel(u, r, M));
  }
  return res;
}

/**
 * Convert a prediction of the normalized wrapped-score target ({@link wrappedScoreTarget}) into the
 * equivalent noise prediction for the samplers: `out = sqrt(a_t / lambda_t) * pred`
 * (i.e. `eps = -sqrt(a_t) * score`, so that `x0_hat = x_t + L a_t * score`, Tweedie's formula).
 *
 * @param pred - predicted normalized target, any flat array
 * @param t - timestep in `0..T`
 * @param schedule - the noise schedule
 * @param lambdaT - `lambda_t` if known (from {@link scoreLambdaTable}); computed otherwise
 * @param out - optional output (same type and length as `pred`; may alias)
 */
export function epsFromScoreTarget<T extends Vec3Array>(pred: T, t: number, schedule: NoiseSchedule, lambdaT?: number, out?: T): T {
  const fn = 'epsFromScoreTarget';
  if (!(pred instanceof Float64Array || pred instanceof Float32Array)) throw new ScheduleError(`${fn}: pred must be a Float32Array or Float64Array, got ${describeValue(pred)}`, 'SCHEDULE_LENGTH');
  checkStep(t, 0, schedule.T, fn);
  const lam = lambdaT ?? wrappedScoreLambda(schedule.sqrtA[t]);
  if (typeof lam !== 'number' || !(lam > 0) || !Number.isFinite(lam)) throw new ScheduleError(`${fn}: lambdaT must be a finite number > 0, got ${describeValue(lam)}`, 'SCHEDULE_BAD_ARG');
  checkOut(pred, out, fn);
  const res = out ?? (new (pred.constructor as new (n: number) => T)(pred.length));
  const c = Math.sqrt(schedule.a[t] / lam);
  const n = pred.length;
  for (let i = 0; i < n; i++) {
    const v = c * pred[i];
    if (v - v !== 0) throwNonFinite(fn, i, [['pred', pred]]);
    res[i] = v;
  }
  return res;
}
