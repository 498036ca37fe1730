import { loadDataset, type LoadDatasetOptions } from './load';
import { checkDatasetName, type DatasetName } from './names';
import { DataError } from './errors';

/** One frame of a {@link loadConditionPool} pool: positions, box and raw conditions read from its info. */
export interface ConditionFrame {
  /** Positions `[N, 3]` (LJ units). */
  positions: Float64Array;
  /** Box lengths `[Lx, Ly, Lz]` (LJ units). */
  box: [number, number, number];
  /** The frame's conditions in the order of `keys` (e.g. `[k, phi, T]`). */
  conditions: number[];
  /** The frame's id (`info.id`). */
  id: string;
}

/** Which frames a {@link loadConditionPool} pool holds (e.g. a pretrained model's `manifest.init`). */
export interface ConditionPoolSpec {
  /** Data set names, {@link DatasetName}s (e.g. `['opp-train', 'opp-train-ext', 'opp-train-twins']`). */
  sets: readonly string[];
  /**
   * The first `counts[set]` frames (by id) of a set, for sets that grow (e.g. `opp-train-ext`): pins the pool a
   * measurement used. Default: every packed frame.
   */
  counts?: Readonly<Record<string, number>>;
}

/** Options of {@link loadConditionPool}: the info keys of the conditions, and where the data is. */
export interface LoadConditionPoolOptions extends LoadDatasetOptions {
  /** Info keys of the conditions (default `['k', 'phi', 'T']`). */
  keys?: readonly string[];
}

/**
 * The frames of several shipped sets with their conditions, as the pool of retrieval-initialised sampling
 * (`retrievalSample` of `@mddm/model`, whose `RetrievalFrame` this satisfies; `PretrainedManifest.init`).
 * @param spec - the sets, and optionally how many frames of each ({@link ConditionPoolSpec})
 * @param options - condition keys, and where the data is, as {@link loadDataset}
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for an unknown set, a count that is not a non-negative integer or
 *   exceeds the packed frames, or a frame without a finite value at a key; what `loadDataset` throws
 * @example
 * ```ts
 * const pool = await loadConditionPool({ sets: ['opp-train', 'opp-train-ext'], counts: { 'opp-train-ext': 101 } });
 * console.log(pool.length, pool[0].conditions); // 301 [11.8026, 2.8372, 0.01312]
 * ```
 */
export async function loadConditionPool(spec: ConditionPoolSpec, options: LoadConditionPoolOptions = {}): Promise<ConditionFrame[]> {
  const sets = spec?.sets;
  if (!Array.isArray(sets) || sets.length === 0) throw new DataError(`loadConditionPool: sets must be a non-empty array of data set names, got ${JSON.stringify(sets)}`, 'DATA_BAD_ARGUMENT');
  const names = sets.map((s) => (checkDatasetName(s), s));
  const { keys = ['k', 'phi', 'T'], ...where } = options;
  const frames = (await Promise.all(names.map(async (s) => {
    const all = await loadDataset(s, where);
    const count = spec.counts?.[s];
    if (count === undefined) return all;
    if (!Number.isInteger(count) || count < 0 || count > all.length) {
      throw new DataError(`loadConditionPool: counts['${s}'] must be an integer in [0, ${all.length}] (the packed frames), got ${JSON.stringify(count)}`, 'DATA_BAD_ARGUMENT');
    }
    return all.slice(0, count);
  }))).flat();
  return frames.map((f) => ({
    positions: f.positions,
    box: [f.box[0], f.box[1], f.box[2]],
    conditions: keys.map((k) => {
      const v = f.info?.[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`loadConditionPool: frame ${String(f.info?.id)} has no finite info.${k}`, 'DATA_BAD_ARGUMENT');
      return v;
    }),
    id: String(f.info?.id),
  }));
}
