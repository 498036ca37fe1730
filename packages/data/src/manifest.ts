import type { DataManifest } from '@mddm/io/browser';
import { DataError } from './errors';
import { readDataFile, type DataSourceOptions } from './source';

/**
 * Reads `manifest.json` of the shipped data (counts, atoms, box, protocol and the parameters of
 * every conformation, per set), written by `packDatasets` of `@mddm/io`.
 *
 * @param options - `dataDir` (Node, default the package's `data/`) or `baseUrl` (fetch)
 * @returns the manifest
 * @throws {@link DataError} `DATA_NOT_FOUND` if there is none, `DATA_ERROR` if it is not a data manifest
 * @example
 * ```ts
 * const manifest = await loadDataManifest();
 * console.log(manifest.sets['opp-train'].count); // 200
 * ```
 */
export async function loadDataManifest(options: DataSourceOptions = {}): Promise<DataManifest> {
  const file = await readDataFile('manifest.json', options);
  let manifest: DataManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(file.bytes)) as DataManifest;
  } catch (e) {
    throw new DataError(`manifest is not JSON: ${(e as Error).message}`, 'DATA_ERROR', file.source, { cause: e });
  }
  if (manifest?.format !== 'mddm-io-datasets' || typeof manifest.sets !== 'object' || manifest.sets === null) {
    throw new DataError(`not a data manifest (expected format 'mddm-io-datasets')`, 'DATA_ERROR', file.source);
  }
  return manifest;
}
