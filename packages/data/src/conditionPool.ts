import { readXyzText, type Frame } from '@mddm/io/browser';
import { loadDataset, type LoadDatasetOptions } from './load';
import type { DatasetName } from './names';
import { DataError } from './errors';
import { checkCount, checkSpec, loadConditionIndex, type ConditionIndexEntry } from './conditionIndex';
import { xyzFrameSpans } from './frameSpans';
import { gunzipBytes, inflateFrameText, readDataFile, readDataRange } from './source';

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
  /**
   * Only the frames with these ids (any order; the pool keeps its own order): found in the data manifest
   * ({@link loadConditionIndex}); of a framed set only their own bytes are read (a file read, an HTTP range; the
   * whole file where the server ignores ranges or the set is not framed), and sets without a requested frame are
   * not read at all. Default: every frame.
   */
  ids?: readonly string[];
}

/**
 * The frames of several shipped sets with their conditions, as the pool of retrieval-initialised sampling
 * (`retrievalSample` of `@mddm/model`, whose `RetrievalFrame` this satisfies; `PretrainedManifest.init`).
 * @param spec - the sets, and optionally how many frames of each ({@link ConditionPoolSpec})
 * @param options - condition keys, and where the data is, as {@link loadDataset}
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for an unknown set, a count that is not a non-negative integer or
 *   exceeds the packed frames, an id that is not in the pool, or a frame without a finite value at a key;
 *   `DATA_ERROR` where a set's file and the manifest disagree (`ids`); what `loadDataset` throws
 * @example
 * ```ts
 * const pool = await loadConditionPool({ sets: ['opp-train', 'opp-train-ext'], counts: { 'opp-train-ext': 101 } });
 * console.log(pool.length, pool[0].conditions); // 301 [11.8026, 2.8372, 0.01312]
 * ```
 */
export async function loadConditionPool(spec: ConditionPoolSpec, options: LoadConditionPoolOptions = {}): Promise<ConditionFrame[]> {
  const names = checkSpec(spec, 'loadConditionPool');
  const { keys = ['k', 'phi', 'T'], ids, ...where } = options;
  const frames = ids === undefined
    ? (await Promise.all(names.map(async (s) => {
      const all = await loadDataset(s, where);
      return all.slice(0, checkCount(spec, s, all.length, 'loadConditionPool'));
    }))).flat()
    : await loadFramesById(spec, ids, where);
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

/** The frames of the pool with the given ids, in the pool's order, each parsed alone. */
async function loadFramesById(spec: ConditionPoolSpec, ids: readonly string[], where: LoadDatasetOptions): Promise<Frame[]> {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
    throw new DataError(`loadConditionPool: ids must be an array of frame ids (strings), got ${JSON.stringify(ids)}`, 'DATA_BAD_ARGUMENT');
  }
  const wanted = new Set(ids);
  const picked = (await loadConditionIndex(spec, { ...where, keys: [] })).filter((e) => wanted.has(e.id));
  const found = new Set(picked.map((e) => e.id));
  const missing = [...wanted].find((id) => !found.has(id));
  if (missing !== undefined) throw new DataError(`loadConditionPool: no frame '${missing}' in the pool of ${spec.sets.join(', ')}`, 'DATA_BAD_ARGUMENT');
  const bySet = new Map<DatasetName, ConditionIndexEntry[]>();
  for (const e of picked) bySet.set(e.set, [...(bySet.get(e.set) ?? []), e]);
  const parsed = new Map<string, Frame>();
  const check = (e: ConditionIndexEntry, frame: Frame | undefined, source: string) => {
    if (frame?.info?.id !== e.id) {
      throw new DataError(`frame ${e.index} of ${e.set} is ${JSON.stringify(frame?.info?.id)}, the manifest lists '${e.id}' (re-pack the data)`, 'DATA_ERROR', source);
    }
    parsed.set(e.id, frame);
  };
  await Promise.all([...bySet].map(async ([set, entries]) => {
    // a framed set: each frame's own bytes (a file read, an HTTP range), nothing else of the file
    if (entries.every((e) => e.span)) {
      const parts = await Promise.all(entries.map((e) => readDataRange(`${set}.xyz.gz`, e.span!.offset, e.span!.bytes, where)));
      if (parts.every((p) => p !== null)) {
        for (const [i, e] of entries.entries()) check(e, readXyzText(await inflateFrameText(parts[i]!), parts[i]!.source)[0], parts[i]!.source);
        return;
      }
    }
    const file = await readDataFile(`${set}.xyz.gz`, where);
    const bytes = await gunzipBytes(file);
    const spans = xyzFrameSpans(bytes, file.source);
    const decoder = new TextDecoder();
    for (const e of entries) {
      const span = spans[e.index];
      check(e, span ? readXyzText(decoder.decode(bytes.subarray(span[0], span[1])), file.source)[0] : undefined, file.source);
    }
  }));
  return picked.map((e) => parsed.get(e.id)!);
}
