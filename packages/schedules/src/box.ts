import type { BoxLike } from '@mddm/pbc';
import { ScheduleError, show } from './errors';

/** @internal Scratch for box lengths: callers copy the 3 numbers to locals immediately. */
const scratch = new Float64Array(3);

function len(v: unknown, fn: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
    throw new ScheduleError(`${fn}: box ${what} must be a finite number > 0, got ${show(v)}`, 'SCHEDULE_BAD_ARG');
  }
  return v;
}

/**
 * @internal Validate a {@link BoxLike} and return its lengths `[Lx, Ly, Lz]` in a shared scratch
 * array (no allocation). Copy the values before the next call.
 */
export function boxLengths(box: BoxLike, fn: string): Float64Array {
  if (typeof box === 'number') {
    const L = len(box, fn, 'length L');
    scratch[0] = L; scratch[1] = L; scratch[2] = L;
    return scratch;
  }
  if (Array.isArray(box)) {
    if (box.length !== 3) throw new ScheduleError(`${fn}: box must be L or [Lx, Ly, Lz], got an array of length ${box.length}`, 'SCHEDULE_BAD_ARG');
    scratch[0] = len(box[0], fn, 'Lx'); scratch[1] = len(box[1], fn, 'Ly'); scratch[2] = len(box[2], fn, 'Lz');
    return scratch;
  }
  const b = box as { lengths?: unknown } | null;
  if (b !== null && typeof b === 'object' && (b.lengths instanceof Float64Array || b.lengths instanceof Float32Array) && b.lengths.length === 3) {
    scratch[0] = len(b.lengths[0], fn, 'Lx'); scratch[1] = len(b.lengths[1], fn, 'Ly'); scratch[2] = len(b.lengths[2], fn, 'Lz');
    return scratch;
  }
  throw new ScheduleError(`${fn}: box must be a number L, [Lx, Ly, Lz] or a Box, got ${show(box)}`, 'SCHEDULE_BAD_ARG');
}

/**
 * @internal Wrap one coordinate into `[0, L)` (float64). `-0` -> `+0`; a value that rounds up to `L`
 * (e.g. `-1e-20`) becomes `0`, its periodic image. Float32 callers must re-check after the store.
 */
export function wrap1(x: number, L: number): number {
  if (x >= 0 && x < L) return x + 0;
  let y = x % L;
  if (y < 0) y += L;
  if (y >= L) y = 0;
  return y + 0;
}
