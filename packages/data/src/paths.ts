import { DataError } from './errors';

// The package's data folder relative to this module: both `src/<file>.ts` (tests, tsx) and the
// built `dist/index.{js,cjs}` sit one folder below the package root. A variable, not a literal, so
// that bundlers do not try to inline the folder as an asset (`new URL('<literal>', import.meta.url)`).
const DATA_FOLDER = '../data/';

/** `process.getBuiltinModule` (Node >= 20.16), without a static Node import. */
type GetBuiltin = (id: 'node:url') => typeof import('node:url');

/**
 * The file system path of a `file:` URL (`fileURLToPath` of `node:url` where available, so that
 * Windows drive letters and UNC paths are right; a percent-decoded POSIX path otherwise).
 */
function filePath(url: URL): string {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;
  if (getBuiltin) return getBuiltin('node:url').fileURLToPath(url);
  return decodeURIComponent(url.pathname);
}

/**
 * Directory of the shipped data sets: the `data/` folder of the installed `@mddm/data` package
 * (found from this module's location, so it works from the sources, the ESM build and the CJS
 * build), or `$MDDM_DATA_DIR` when set. Node only; in a browser, load by URL (`{ baseUrl }`).
 *
 * @returns absolute path of the data directory, without a trailing separator
 * @throws {@link DataError} `DATA_UNSUPPORTED` when this module was not loaded from a file (a browser bundle)
 * @example
 * ```ts
 * console.log(defaultDataDir()); // .../node_modules/@mddm/data/data
 * ```
 */
export function defaultDataDir(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.MDDM_DATA_DIR;
  if (env) return env;
  const url = new URL(DATA_FOLDER, import.meta.url);
  if (url.protocol !== 'file:') {
    throw new DataError(`@mddm/data was loaded from ${url.protocol}, not from a file, so it has no data folder on disk; load by URL with { baseUrl }`, 'DATA_UNSUPPORTED');
  }
  return filePath(url).replace(/[/\\]$/, '');
}
