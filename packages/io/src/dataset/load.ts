import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IoError } from '../errors';
import type { Frame } from '../frame';
import { readXyz } from '../xyz/read';
import { DATASET_NAMES, type DatasetName } from './names';
import type { DataManifest } from './pack';
import { defaultDataDir } from './paths';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Data directory, default the package's `data/` (or `$MDDM_IO_DATA_DIR`). */
  dataDir?: string;
}

/**
 * Loads a shipped OPP data set (1000 particles in a 10^3 periodic box, LJ units, generated with
 * LAMMPS by this package's generator; see the package README):
 * - `'opp-unconditional'`: 1 conformation at k = 7, phi = 1, T = 0.03 (the unconditional target);
 * - `'opp-replicas'`: 4 independent replicas at the same parameters (MD-to-MD variation);
 * - `'opp-train'`: conditional training set over 1 <= k <= 15, 0 <= phi <= 6, 0.01 <= T <= 0.05;
 * - `'opp-test'`: 25 conformations at other parameters in the same ranges.
 *
 * Each frame has `positions` (`[N, 3]` wrapped into `[0, L)`), `box` and `info` with `k`, `phi`,
 * `T`, `seed`, `set`, `id`, `protocol`, ... Node only (reads files).
 *
 * @param name - data set name
 * @param options - optional data directory
 * @returns the frames, sorted by id
 * @throws {@link IoError} `IO_BAD_ARGUMENT` for an unknown name, `IO_NOT_FOUND` if the set is not packed
 * @example
 * ```ts
 * const [target] = await loadDataset('opp-unconditional');
 * console.log(target.positions.length / 3, target.box, target.info.k); // 1000 [10, 10, 10] 7
 * ```
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): Promise<Frame[]> {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new IoError(`unknown data set ${JSON.stringify(name)}; expected one of ${DATASET_NAMES.map((n) => `'${n}'`).join(', ')}`, 'IO_BAD_ARGUMENT');
  }
  const dir = options.dataDir ?? defaultDataDir();
  const path = join(dir, `${name}.xyz.gz`);
  if (!existsSync(path)) {
    throw new IoError(`data set '${name}' is not packed in ${dir}; generate it (pnpm mddm-data generate --preset shipped) and pack it (pnpm mddm-data pack)`, 'IO_NOT_FOUND', { file: path });
  }
  const frames: Frame[] = [];
  for await (const f of readXyz(path)) frames.push(f);
  return frames;
}

/**
 * Reads `manifest.json` of the shipped data (counts, atoms, box, protocol and the parameters of
 * every conformation, per set).
 *
 * @param options - optional data directory
 * @returns the manifest
 * @throws {@link IoError} `IO_NOT_FOUND` if there is none
 */
export async function loadDataManifest(options: LoadDatasetOptions = {}): Promise<DataManifest> {
  const path = join(options.dataDir ?? defaultDataDir(), 'manifest.json');
  if (!existsSync(path)) throw new IoError(`no data manifest`, 'IO_NOT_FOUND', { file: path });
  return JSON.parse(await readFile(path, 'utf8')) as DataManifest;
}
