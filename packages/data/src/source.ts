import { describeValue } from '@mddm/core';
import { DataError } from './errors';
import { defaultDataDir } from './paths';

/** Where the data files are: a folder (Node) or a URL (any runtime with `fetch`). */
export interface DataSourceOptions {
  /** Data folder, default {@link defaultDataDir} (the package's own `data/`, or `$MDDM_DATA_DIR`). Node only. */
  dataDir?: string;
  /**
   * Base URL of a copy of the data folder (e.g. `'/data/'` on a page, or
   * `'https://unpkg.com/@mddm/data@0.1.0/data/'`); `<set>.xyz.gz` and `manifest.json` are fetched
   * relative to it. Relative URLs resolve against the page (`location.href`). Exclusive with `dataDir`.
   */
  baseUrl?: string | URL;
  /** The `fetch` to use with `baseUrl`, default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** One data file's bytes and where they came from (a path or a URL, for messages). */
export interface DataFile {
  /** The raw bytes. */
  bytes: Uint8Array;
  /** File path or URL. */
  source: string;
  /** A faster gunzip than `DecompressionStream` where there is one (Node's zlib, for local files). */
  gunzip?: (bytes: Uint8Array) => Promise<Uint8Array>;
}

/** `baseUrl` as an absolute URL ending in `/` (so a file name resolves inside it, not beside it). */
function baseOf(baseUrl: string | URL): URL {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  let url: URL;
  try {
    url = new URL(String(baseUrl), page);
  } catch (e) {
    throw new DataError(`baseUrl ${describeValue(String(baseUrl))} is not a valid URL${page ? '' : ' (relative URLs need a page to resolve against)'}`, 'DATA_BAD_ARGUMENT', undefined, { cause: e });
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** `fetch` of `url` (with `init`), a DataError for a network failure. */
async function fetchUrl(url: string, options: DataSourceOptions, init?: RequestInit): Promise<Response> {
  const get = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof get !== 'function') throw new DataError(`no fetch in this runtime; pass { fetch }`, 'DATA_UNSUPPORTED', url);
  try {
    return await get(url, init);
  } catch (e) {
    throw new DataError(`fetch failed: ${(e as Error).message}`, 'DATA_FETCH_FAILED', url, { cause: e });
  }
}

/** The DataError of an HTTP error status (`DATA_NOT_FOUND` for 404). */
function httpError(response: Response, url: string): DataError {
  return new DataError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, response.status === 404 ? 'DATA_NOT_FOUND' : 'DATA_FETCH_FAILED', url);
}

async function fetchFile(file: string, options: DataSourceOptions): Promise<DataFile> {
  const url = new URL(file, baseOf(options.baseUrl!)).href;
  const response = await fetchUrl(url, options);
  if (!response.ok) throw httpError(response, url);
  return { bytes: new Uint8Array(await response.arrayBuffer()), source: url };
}

async function readLocalFile(file: string, options: DataSourceOptions): Promise<DataFile> {
  const dir = options.dataDir ?? defaultDataDir();
  let fs: typeof import('node:fs/promises');
  let path: typeof import('node:path');
  let zlib: typeof import('node:zlib');
  try {
    [fs, path, zlib] = await Promise.all([import('node:fs/promises'), import('node:path'), import('node:zlib')]);
  } catch (e) {
    throw new DataError(`reading the data folder needs Node's file system; in a browser load by URL with { baseUrl }`, 'DATA_UNSUPPORTED', dir, { cause: e });
  }
  const source = path.join(dir, file);
  try {
    const gunzip = (bytes: Uint8Array) => new Promise<Uint8Array>((done, fail) => zlib.gunzip(bytes, (e, out) => (e ? fail(e) : done(out))));
    return { bytes: await fs.readFile(source), source, gunzip };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new DataError(`no such file`, 'DATA_NOT_FOUND', source, { cause: e });
    throw new DataError(`cannot read: ${(e as Error).message}`, 'DATA_ERROR', source, { cause: e });
  }
}

/**
 * Reads one file of the data folder, from `options.dataDir` (Node) or `options.baseUrl` (fetch).
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` for both or a bad URL, `DATA_NOT_FOUND`, `DATA_FETCH_FAILED`, `DATA_UNSUPPORTED`
 * @internal
 */
export async function readDataFile(file: string, options: DataSourceOptions = {}): Promise<DataFile> {
  if (options.dataDir !== undefined && options.baseUrl !== undefined) {
    throw new DataError(`give dataDir or baseUrl, not both`, 'DATA_BAD_ARGUMENT');
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    throw new DataError(`dataDir must be a non-empty string, got ${describeValue(options.dataDir)}`, 'DATA_BAD_ARGUMENT');
  }
  return options.baseUrl !== undefined ? fetchFile(file, options) : readLocalFile(file, options);
}

/**
 * The text of gzipped bytes ({@link gunzipBytes}, decoded as UTF-8).
 * @internal
 */
export async function gunzipText(file: DataFile): Promise<string> {
  return new TextDecoder().decode(await gunzipBytes(file));
}

/**
 * The bytes of gzipped bytes (`file.gunzip`, else `DecompressionStream('gzip')`: browsers and Node >= 18). Bytes
 * without the gzip magic number are taken as already decompressed: a server that sends `.gz` files
 * with `Content-Encoding: gzip` has `fetch` decompress them on the way.
 * @internal
 */
export async function gunzipBytes(file: DataFile): Promise<Uint8Array> {
  const { bytes } = file;
  if (!(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  if (file.gunzip) {
    try {
      return await file.gunzip(bytes);
    } catch (e) {
      throw new DataError(`not a valid gzip file: ${(e as Error).message}`, 'DATA_ERROR', file.source, { cause: e });
    }
  }
  const Decompression = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
  if (Decompression === undefined) throw new DataError(`no DecompressionStream in this runtime (Node >= 18 and current browsers have it)`, 'DATA_UNSUPPORTED', file.source);
  try {
    // (a Buffer's bytes may be typed as over a SharedArrayBuffer, which Blob's type refuses; they are not)
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new Decompression('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataError(`not a valid gzip file: ${(e as Error).message}`, 'DATA_ERROR', file.source, { cause: e });
  }
}

/**
 * Bytes `[offset, offset + length)` of one data file: a file read (Node) or an HTTP range request (`baseUrl`).
 * `null` where the server does not answer the range as asked (no range support, or a `Content-Encoding` that changes
 * the bytes): the caller reads the whole file instead.
 * @throws {@link DataError} as {@link readDataFile}
 * @internal
 */
export async function readDataRange(file: string, offset: number, length: number, options: DataSourceOptions = {}): Promise<DataFile | null> {
  if (options.dataDir !== undefined && options.baseUrl !== undefined) throw new DataError(`give dataDir or baseUrl, not both`, 'DATA_BAD_ARGUMENT');
  if (options.baseUrl === undefined) {
    const dir = options.dataDir ?? defaultDataDir();
    const [fsp, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    const source = path.join(dir, file);
    let handle;
    try {
      handle = await fsp.open(source, 'r');
      const bytes = new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, offset);
      if (bytesRead !== length) throw new DataError(`the file ends before byte ${offset + length} (re-pack the data)`, 'DATA_ERROR', source);
      return { bytes, source };
    } catch (e) {
      if (e instanceof DataError) throw e;
      const code = (e as { code?: string }).code;
      throw new DataError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, code === 'ENOENT' ? 'DATA_NOT_FOUND' : 'DATA_ERROR', source, { cause: e });
    } finally {
      await handle?.close();
    }
  }
  const url = new URL(file, baseOf(options.baseUrl)).href;
  const response = await fetchUrl(url, options, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
  if (response.status !== 206) {
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return null;
    throw httpError(response, url);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  return bytes.length === length ? { bytes, source: url } : null;
}

/**
 * The text of one frame's raw deflate data (a framed set's span, `PackedConformation.offset` / `bytes`), completed
 * by the empty final block (`DEFLATE_FINAL_BLOCK` of `@mddm/io`): Node's zlib, else `DecompressionStream('deflate-raw')`.
 * @internal
 */
export async function inflateFrameText(part: DataFile): Promise<string> {
  const bytes = new Uint8Array(part.bytes.length + 2);
  bytes.set(part.bytes);
  bytes.set([0x03, 0x00], part.bytes.length);
  try {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (isNode) {
      const zlib = await import('node:zlib');
      return zlib.inflateRawSync(bytes).toString('utf8');
    }
    const Decompression = (globalThis as { DecompressionStream?: typeof DecompressionStream }).DecompressionStream;
    if (Decompression === undefined) throw new DataError(`no DecompressionStream in this runtime`, 'DATA_UNSUPPORTED', part.source);
    return await new Response(new Blob([bytes]).stream().pipeThrough(new Decompression('deflate-raw'))).text();
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`a frame's compressed bytes do not inflate (re-pack the data): ${(e as Error).message}`, 'DATA_ERROR', part.source, { cause: e });
  }
}
