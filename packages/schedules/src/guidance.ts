import { describeValue } from '@mddm/core';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { wrapScalar } from '@mddm/pbc';
import { boxLengths } from './box';
import {
  ScheduleError, checkOut, checkSameLength, checkStep, checkVec3, throwNonFinite,
} from './errors';
import type { Rng } from './rng';
import type { NoiseSchedule } from './schedule';
import type { EpsFunction } from './sampler';

/**
 * Classifier-free guidance (Ho & Salimans; `diffusion-models-lecture.md`, Classifier-Free Guidance):
 * `out = (1 + w) eps_cond - w eps_uncond`. `w = 0` is the conditional model, `w > 0` sharpens toward
 * the condition. Works elementwise on any flat array.
 *
 * @param epsCond - conditional prediction `eps_theta(x_t, t, y)`
 * @param epsUncond - unconditional prediction `eps_theta(x_t, t, null)` (same length)
 * @param w - guidance weight (finite; usually >= 0)
 * @param out - optional output (same type and length as `epsCond`; may alias either input)
 * @returns `out`
 */
export function classifierFreeGuidance<T extends Vec3Array>(epsCond: T, epsUncond: Vec3Array, w: number, out?: T): T {
  const fn = 'classifierFreeGuidance';
  if (!(epsCond instanceof Float64Array || epsCond instanceof Float32Array)) {
    throw new ScheduleError(`${fn}: epsCond must be a Float32Array or Float64Array, got ${describeValue(epsCond)}`, 'SCHEDULE_LENGTH');
  }
  checkSameLength(epsCond, epsUncond, fn, 'epsCond', 'epsUncond');
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new ScheduleError(`${fn}: w must be a finite number, got ${describeValue(w)}`, 'SCHEDULE_NAN');
  checkOut(epsCond, out, fn);
  const res = out ?? (new (epsCond.constructor as new (n: number) => T)(epsCond.length));
  const a = 1 + w;
  const n = epsCond.length;
  for (let i = 0; i < n; i++) {
    const v = a * epsCond[i] - w * epsUncond[i];
    if (v - v !== 0) throwNonFinite(fn, i, [['epsCond', epsCond], ['epsUncond', epsUncond]]);
    res[i] = v;
  }
  return res;
}

/**
 * Classifier-free guidance as an eps function of {@link runSampler} (or the `guide` option of
 * `sample` in `@mddm/model`): evaluates `epsCond` and `epsUncond` on the same state and combines them
 * with {@link classifierFreeGuidance}. Reports two network evaluations per call (SPEC §9).
 *
 * @param epsCond - conditional denoiser `eps_theta(x_t, t, y)`
 * @param epsUncond - unconditional denoiser `eps_theta(x_t, t, null)`
 * @param w - guidance weight (finite; 0 = the conditional model)
 * @returns an eps function writing `(1 + w) eps_cond - w eps_uncond` into its `out`
 */
export function classifierFreeGuidanceEps(epsCond: EpsFunction, epsUncond: EpsFunction, w: number): EpsFunction {
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new ScheduleError(`classifierFreeGuidanceEps: w must be a finite number, got ${describeValue(w)}`, 'SCHEDULE_NAN');
  let uncond = new Float64Array(0);
  return async (xt, t, out) => {
    if (uncond.length !== out.length) uncond = new Float64Array(out.length);
    const nCond = await epsCond(xt, t, out);
    const nUncond = await epsUncond(xt, t, uncond);
    classifierFreeGuidance(out, uncond, w, out);
    return (typeof nCond === 'number' ? nCond : 1) + (typeof nUncond === 'number' ? nUncond : 1);
  };
}

/**
 * Inpainting (RePaint-style replacement): after a step to timestep `t`, overwrite the particles with
 * `mask[i] !== 0` by their forward-noised known positions `wrap(known_i + L sqrt(a_t) eps)`, with
 * fresh `eps` from `rng` (3 normals per masked particle, in order). At `t = 0` the known positions
 * are copied exactly (wrapped). Use as `afterStep` of {@link runSampler} (or of `sample` in
 * `@mddm/model`): `afterStep: (x, t) => inpaint(x, known, mask, t, schedule, rng, box)`.
 *
 * @param x - current state (flat `[N, 3]`), modified in place
 * @param known - known clean positions (same length; only masked rows are read)
 * @param mask - `Uint8Array [N]`: 1 = known particle, 0 = generated
 * @param t - timestep of `x`, in `0..T`
 * @param schedule - the noise schedule
 * @param rng - random source
 * @param box - the periodic box
 * @returns `x`
 */
export function inpaint<T extends Vec3Array>(
  x: T, known: Vec3Array, mask: Uint8Array, t: number, schedule: NoiseSchedule, rng: Rng, box: BoxLike,
): T {
  const fn = 'inpaint';
  const N = checkVec3(x, fn, 'x');
  checkSameLength(x, known, fn, 'x', 'known');
  if (!(mask instanceof Uint8Array) || mask.length !== N) {
    throw new ScheduleError(`${fn}: mask must be a Uint8Array of length N = ${N} (one flag per particle), got ${describeValue(mask)}`, 'SCHEDULE_LENGTH');
  }
  checkStep(t, 0, schedule.T, fn);
  const Ls = Float64Array.from(boxLengths(box, fn)); // own copy: rng callbacks may use the shared scratch
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const c = t === 0 ? 0 : schedule.sqrtA[t];
  for (let p = 0; p < N; p++) {
    if (mask[p] === 0) continue;
    const i = 3 * p;
    const ex = c === 0 ? 0 : rng.normal(), ey = c === 0 ? 0 : rng.normal(), ez = c === 0 ? 0 : rng.normal();
    x[i] = wrapScalar(known[i] + lx * c * ex, lx);
    x[i + 1] = wrapScalar(known[i + 1] + ly * c * ey, ly);
    x[i + 2] = wrapScalar(known[i + 2] + lz * c * ez, lz);
    for (let d = 0; d < 3; d++) {
      const v = x[i + d];
      if (v !== v) throwNonFinite(fn, i + d, [['known', known]]);
      if (v >= Ls[d]) x[i + d] = 0;
    }
  }
  return x;
}

/**
 * Start state of a variation (SDEdit-style): `out = wrap(x0 + L sqrt(a_start) eps)` with `eps`
 * drawn from `rng`; then run {@link runSampler} (or `sample` of `@mddm/model` with `init`) with
 * `{ start }`. Small `start` stays close to `x0`; `start = T` forgets it.
 *
 * @param x0 - the conformation to vary, flat `[N, 3]`
 * @param start - timestep in `1..T`
 * @param schedule - the noise schedule
 * @param rng - random source (draws `3N` normals in order)
 * @param box - the periodic box
 * @param out - optional output (same type and length as `x0`)
 */
export function variationStart<T extends Vec3Array>(x0: T, start: number, schedule: NoiseSchedule, rng: Rng, box: BoxLike, out?: T): T {
  const fn = 'variationStart';
  checkVec3(x0, fn, 'x0');
  checkStep(start, 1, schedule.T, fn, 'start');
  const Ls = Float64Array.from(boxLengths(box, fn)); // own copy: rng callbacks may use the shared scratch
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  checkOut(x0, out, fn);
  const res = out ?? (new (x0.constructor as new (n: number) => T)(x0.length));
  const c = schedule.sqrtA[start];
  const n = x0.length;
  for (let i = 0; i < n; i += 3) {
    res[i] = wrapScalar(x0[i] + lx * c * rng.normal(), lx);
    res[i + 1] = wrapScalar(x0[i + 1] + ly * c * rng.normal(), ly);
    res[i + 2] = wrapScalar(x0[i + 2] + lz * c * rng.normal(), lz);
    for (let d = 0; d < 3; d++) {
      const v = res[i + d];
      if (v !== v) throwNonFinite(fn, i + d, [['x0', x0]]);
      if (v >= Ls[d]) res[i + d] = 0;
    }
  }
  return res;
}
