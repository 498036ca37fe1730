import { readXyzText, type Frame } from '@mddm/io/browser';
import { checkDatasetName, type DatasetName } from './names';
import { gunzipText, readDataFile, type DataSourceOptions } from './source';
import { DataError } from './errors';

/** Options of {@link loadDataset}: where the data folder is. */
export type LoadDatasetOptions = DataSourceOptions;

/**
 * Loads a shipped OPP data set (1000 particles in a 10^3 periodic box, LJ units, generated with
 * LAMMPS by the generator of `@mddm/io`; see the package README):
 * - `'opp-unconditional'`: 1 conformation at k = 7, phi = 1, T = 0.03 (the unconditional target);
 * - `'opp-replicas'`: 4 independent replicas at the same parameters (MD-to-MD variation);
 * - `'opp-train'`: conditional training set over 1 <= k <= 15, 0 <= phi <= 6, 0.01 <= T <= 0.05;
 * - `'opp-test'`: 25 conformations at other parameters in the same ranges;
 * - `'opp-test-replicas'`, `'opp-train-replicas'`: 3 more runs at each `opp-test` parameter set and
 *   at the first 25 of `opp-train` (ids `<parent id>_s<seed>`, group them with {@link replicasOf});
 * - `'opp-state-frames'`: 20 more independent runs at k = 7, phi = 1, T = 0.03 (LAMMPS seeds
 *   90000-90019), disjoint from `opp-unconditional` and `opp-replicas`: training data for a model
 *   that must learn the thermal ensemble of one state point (forces, SPEC §8), not one frame;
 * - `'opp-train-ext'`: the extension of `opp-train` (same ranges and protocol, 800 Latin-hypercube
 *   draws, LAMMPS seeds 20000-20799, disjoint from every other set), packed as far as the
 *   resumable generation has got (`pnpm mddm-data generate --preset train-extension`); ids
 *   `<index>_k.._phi.._T..`, so the first n by id are the first n draws of the plan;
 * - `'opp-train-ext2'`: a second, independent Latin hypercube of 800 over the same ranges (LAMMPS
 *   seeds 40000-40799, `--preset train-extension-2`), packed as it grows like `'opp-train-ext'`;
 * - `'opp-train-twins'`: one more independent run at each `opp-train` set from 0025 on (LAMMPS seeds
 *   30000-30174, ids `<opp-train id>_s<seed>`; the first 25 sets keep their replicas unseen for
 *   evaluation): training data in which MD's multimodality shows.
 *
 * Each frame has `positions` (`[N, 3]` wrapped into `[0, L)`), `box` and `info` with `k`, `phi`,
 * `T`, `seed`, `set`, `id`, `protocol`, ...
 *
 * In Node the files are read from the package's own `data/` folder (or `options.dataDir`); with
 * `options.baseUrl` they are fetched (browsers, or Node from a server), e.g. from a copy of the
 * folder next to a page.
 *
 * @param name - data set name, one of {@link DATASET_NAMES}
 * @param options - `dataDir` (Node) or `baseUrl` (fetch)
 * @returns the frames, sorted by id
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for an unknown name, `DATA_NOT_FOUND` if the set is
 *   not packed (no file, HTTP 404), `DATA_FETCH_FAILED`, `DATA_UNSUPPORTED`; `IoError` (`@mddm/io`) for a malformed file
 * @example
 * ```ts
 * const [target] = await loadDataset('opp-unconditional');
 * console.log(target.positions.length / 3, target.box, target.info.k); // 1000 [10, 10, 10] 7
 * const replicas = await loadDataset('opp-replicas', { baseUrl: '/data/' }); // in a browser
 * ```
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): Promise<Frame[]> {
  checkDatasetName(name);
  let file;
  try {
    file = await readDataFile(`${name}.xyz.gz`, options);
  } catch (e) {
    if (e instanceof DataError && e.code === 'DATA_NOT_FOUND') {
      throw new DataError(`data set '${name}' is not packed there: ${e.message}; generate it (pnpm mddm-data generate --preset shipped, or --preset replicas) and pack it (pnpm --filter @mddm/data pack-data)`, 'DATA_NOT_FOUND', e.source, { cause: e });
    }
    throw e;
  }
  return readXyzText(await gunzipText(file), file.source);
}
