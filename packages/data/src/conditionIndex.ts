import { loadDataManifest } from './manifest';
import { checkDatasetName, type DatasetName } from './names';
import { DataError } from './errors';
import type { DataSourceOptions } from './source';
import type { ConditionPoolSpec } from './conditionPool';

/** One frame of a pool as the data manifest lists it: no positions ({@link loadConditionIndex}). */
export interface ConditionIndexEntry {
  /** The frame's id (`info.id` of the frame). */
  id: string;
  /** The data set it is in. */
  set: DatasetName;
  /** Its position in the set's file (0-based). */
  index: number;
  /** Its conditions in the order of `keys` (e.g. `[k, phi, T]`). */
  conditions: number[];
  /** Where its compressed bytes lie in the set's file (`offset`, `bytes`), for sets packed framed (`PackedConformation`). */
  span?: { offset: number; bytes: number };
}

/** Options of {@link loadConditionIndex}: the condition keys, and where the data is. */
export interface LoadConditionIndexOptions extends DataSourceOptions {
  /** Condition keys, among those the manifest lists per conformation (`k`, `phi`, `T`, `seed`); default `['k', 'phi', 'T']`. */
  keys?: readonly string[];
}

/**
 * The frames of a {@link loadConditionPool} pool, same order, with their conditions but without positions: read
 * from the data manifest alone (a few hundred kB), not from the frames (tens of MB). Pick frames by their
 * conditions here, then load only those with `loadConditionPool(spec, { ids })`.
 *
 * @param spec - the sets, and optionally how many frames of each ({@link ConditionPoolSpec})
 * @param options - condition keys, and where the data is (`dataDir` or `baseUrl`)
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for an unknown set, a bad count or a key the manifest does not list;
 *   `DATA_NOT_FOUND` for a set that is not packed; what `loadDataManifest` throws
 * @example
 * ```ts
 * const index = await loadConditionIndex(manifest.init);               // [{ id, set, index, conditions: [k, phi, T] }, ...]
 * const pool = await loadConditionPool(manifest.init, { ids: [index[0].id] }); // the positions of one frame
 * ```
 */
export async function loadConditionIndex(spec: ConditionPoolSpec, options: LoadConditionIndexOptions = {}): Promise<ConditionIndexEntry[]> {
  const names = checkSpec(spec, 'loadConditionIndex');
  const { keys = ['k', 'phi', 'T'], ...where } = options;
  const manifest = await loadDataManifest(where);
  return names.flatMap((set) => {
    const packed = manifest.sets[set];
    if (packed === undefined) {
      throw new DataError(`data set '${set}' is not packed there (not in its manifest); generate and pack it (pnpm --filter @mddm/data pack-data)`, 'DATA_NOT_FOUND');
    }
    const count = checkCount(spec, set, packed.conformations.length, 'loadConditionIndex');
    return packed.conformations.slice(0, count).map((c, index) => ({
      id: c.id,
      set,
      index,
      conditions: keys.map((k) => {
        const v = (c as unknown as Record<string, unknown>)[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new DataError(`loadConditionIndex: the manifest lists no finite '${k}' for ${c.id} (it lists k, phi, T, seed; use loadConditionPool for other info keys)`, 'DATA_BAD_ARGUMENT');
        }
        return v;
      }),
      ...(Number.isInteger(c.offset) && Number.isInteger(c.bytes) ? { span: { offset: c.offset!, bytes: c.bytes! } } : {}),
    }));
  });
}

/** @internal The spec's set names, checked. @throws {@link DataError} `DATA_BAD_ARGUMENT` */
export function checkSpec(spec: ConditionPoolSpec, fn: string): DatasetName[] {
  const sets = spec?.sets;
  if (!Array.isArray(sets) || sets.length === 0) throw new DataError(`${fn}: sets must be a non-empty array of data set names, got ${JSON.stringify(sets)}`, 'DATA_BAD_ARGUMENT');
  return sets.map((s) => (checkDatasetName(s), s));
}

/** @internal How many frames of `set` the pool holds: `spec.counts[set]`, checked against the packed `total`, else all. */
export function checkCount(spec: ConditionPoolSpec, set: string, total: number, fn: string): number {
  const count = spec.counts?.[set];
  if (count === undefined) return total;
  if (!Number.isInteger(count) || count < 0 || count > total) {
    throw new DataError(`${fn}: counts['${set}'] must be an integer in [0, ${total}] (the packed frames), got ${JSON.stringify(count)}`, 'DATA_BAD_ARGUMENT');
  }
  return count;
}
