import { describeValue } from '@mddm/core';
import { ScheduleError } from './errors';

/**
 * Subtracts the centroid of every frame, in place: after it each frame's mean position is 0 (up to
 * rounding). The sampler step of non-periodic diffusion for translation-invariant models (SPEC §6,
 * paper Appendix B): such a model cannot see the centroid, so without re-centring the noise that
 * every step adds to it would accumulate.
 *
 * @param x - `[frames * N, 3]` flat positions (modified)
 * @param frames - number of stacked frames (default 1)
 * @returns `x`
 * @throws {@link ScheduleError} `SCHEDULE_LENGTH` if `x.length` is not a positive multiple of `3 frames`
 */
export function recenter<T extends Float32Array | Float64Array>(x: T, frames = 1): T {
  if (!Number.isInteger(frames) || frames < 1 || x.length === 0 || x.length % (3 * frames) !== 0) {
    throw new ScheduleError(`recenter: x.length (${x.length}) must be a positive multiple of 3 * frames (frames = ${describeValue(frames)})`, 'SCHEDULE_LENGTH');
  }
  const per = x.length / frames;
  const n = per / 3;
  for (let f = 0; f < frames; f++) {
    const o = f * per;
    let sx = 0, sy = 0, sz = 0;
    for (let i = o; i < o + per; i += 3) {
      sx += x[i]; sy += x[i + 1]; sz += x[i + 2];
    }
    sx /= n; sy /= n; sz /= n;
    for (let i = o; i < o + per; i += 3) {
      x[i] -= sx; x[i + 1] -= sy; x[i + 2] -= sz;
    }
  }
  return x;
}
