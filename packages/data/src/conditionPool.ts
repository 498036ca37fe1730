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

/**
 * The frames of several shipped sets with their conditions, as the pool of retrieval-initialised sampling
 * (`retrievalSample` of `@mddm/model`, whose `RetrievalFrame` this satisfies; `PretrainedManifest.init.sets`).
 * @param sets - data set names, {@link DatasetName}s (e.g. `['opp-train', 'opp-train-ext', 'opp-train-twins']`)
 * @param keys - info keys of the conditions (default `['k', 'phi', 'T']`)
 * @param options - where the data is, as {@link loadDataset}
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for an unknown set or a frame without a finite value at a key; what `loadDataset` throws
 * @example
 * ```ts
 * const pool = await loadConditionPool(['opp-train', 'opp-train-ext', 'opp-train-twins']);
 * console.log(pool[0].conditions); // [11.8026, 2.8372, 0.01312]
 * ```
 */
export async function loadConditionPool(sets: readonly (DatasetName | string)[], keys: readonly string[] = ['k', 'phi', 'T'], options: LoadDatasetOptions = {}): Promise<ConditionFrame[]> {
  if (!Array.isArray(sets) || sets.length === 0) throw new DataError(`loadConditionPool: sets must be a non-empty array of data set names, got ${JSON.stringify(sets)}`, 'DATA_BAD_ARGUMENT');
  const names = sets.map((s) => (checkDatasetName(s), s));
  const frames = (await Promise.all(names.map((s) => loadDataset(s, options)))).flat();
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
