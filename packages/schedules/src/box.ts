import { boxLengthsInto, type BoxLike } from '@mddm/pbc';
import { ScheduleError } from './errors';

/** @internal Scratch for box lengths: callers copy the 3 numbers to locals immediately. */
const scratch = new Float64Array(3);

/**
 * @internal Validate a {@link BoxLike} (with `@mddm/pbc`'s `boxLengthsInto`, the one box check) and
 * return its lengths `[Lx, Ly, Lz]` in a shared scratch array (no allocation). Copy the values
 * before the next call. A bad box throws a `ScheduleError` (`SCHEDULE_BAD_ARG`) prefixed with the
 * function name, whose `cause` is the `PbcError` (`PBC_BAD_BOX`).
 */
export function boxLengths(box: BoxLike, fn: string): Float64Array {
  try {
    return boxLengthsInto(box, scratch);
  } catch (e) {
    throw new ScheduleError(`${fn}: ${(e as Error).message}`, 'SCHEDULE_BAD_ARG', { cause: e });
  }
}
