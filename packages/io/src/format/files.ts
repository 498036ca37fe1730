import type { Writable } from 'node:stream';
import { IoError } from '../errors';

/**
 * The Node built-ins the file functions use, imported on first use (not at module load), so the
 * modules that define both text and file functions (`xyz/read`, `xyz/write`, `lammps/dump`) load in
 * a browser, where only the text functions are called.
 */
async function nodeModules() {
  const [fs, fsp, path, readline, events, zlib] = await Promise.all([
    import('node:fs'),
    import('node:fs/promises'),
    import('node:path'),
    import('node:readline'),
    import('node:events'),
    import('node:zlib'),
  ]);
  return { fs, fsp, path, readline, events, zlib };
}

/** @internal A line-by-line frame parser: `push` returns a frame when one is complete; `end` checks the tail. */
export interface LineFrameParser<F> {
  push(line: string, lineNo: number): F | null;
  end(lastLineNo: number): void;
}

/**
 * Frames of a text file, streamed: every line goes through `parser`, complete frames are yielded,
 * and `parser.end` reports a truncated last frame.
 * @internal
 */
export async function* streamFrames<F>(path: string, parser: LineFrameParser<F>): AsyncGenerator<F> {
  let last = 0;
  for await (const [line, no] of readLines(path)) {
    last = no;
    const f = parser.push(line, no);
    if (f) yield f;
  }
  parser.end(last);
}

/**
 * Lines of a text file (gunzipped when the name ends in `.gz`), streamed with constant memory.
 * Yields `[line, lineNo]` with 1-based line numbers; `\r\n` endings are handled.
 * @internal
 */
export async function* readLines(path: string): AsyncGenerator<[string, number]> {
  checkPath(path);
  const { fs, readline, zlib } = await nodeModules();
  const raw = fs.createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    raw.once('open', () => resolve());
    raw.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new IoError(`cannot open file: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, err.code === 'ENOENT' ? 'IO_NOT_FOUND' : 'IO_ERROR', { file: path });
  }
  const input = path.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  let streamError: Error | undefined;
  if (input !== raw) input.on('error', (e: Error) => (streamError = e));
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      yield [line, n];
    }
  } catch (e) {
    throw new IoError(`read failed after line ${n}: ${(e as Error).message}`, 'IO_ERROR', { file: path });
  } finally {
    rl.close();
    raw.destroy();
  }
  if (streamError) throw new IoError(`read failed after line ${n}: ${streamError.message}`, 'IO_ERROR', { file: path });
}

/** Sink given to an {@link atomicWrite} producer: writes text, honouring back-pressure. @internal */
export type TextSink = (text: string) => Promise<void> | void;

/**
 * Writes a file atomically: the producer writes into a temporary file next to `path`, which is
 * then renamed over `path` (so readers never see a partial file, and a crash leaves the old file).
 * Gzips when `path` ends in `.gz` (deterministic: no timestamp in the gzip header).
 * @internal
 */
export async function atomicWrite(path: string, producer: (write: TextSink) => Promise<void> | void): Promise<void> {
  checkPath(path);
  const { fs, fsp, path: paths, events, zlib } = await nodeModules();
  const { once } = events.EventEmitter;
  const tmp = paths.join(paths.dirname(path), `.${paths.basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const file = fs.createWriteStream(tmp);
  let sink: Writable = file;
  if (path.endsWith('.gz')) {
    const gz = zlib.createGzip({ level: 6 });
    gz.pipe(file);
    sink = gz;
  }
  let failed: Error | undefined;
  const onError = (e: Error) => (failed ??= e);
  file.on('error', onError);
  sink.on('error', onError);
  const write: TextSink = (text) => {
    if (failed) throw failed;
    if (!sink.write(text)) return once(sink, 'drain').then(() => undefined);
  };
  try {
    await once(file, 'open');
    await producer(write);
    sink.end();
    await once(file, 'close');
    if (failed) throw failed;
    await fsp.rename(tmp, path);
  } catch (e) {
    sink.destroy();
    file.destroy();
    await fsp.unlink(tmp).catch(() => undefined);
    if (e instanceof IoError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new IoError(`write failed: ${err.message}`, 'IO_ERROR', { file: path });
  }
}

/** Throws IO_BAD_ARGUMENT unless `path` is a non-empty string. @internal */
export function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path.length === 0) {
    throw new IoError(`path must be a non-empty string, got ${path === null ? 'null' : typeof path === 'string' ? '""' : typeof path}`, 'IO_BAD_ARGUMENT');
  }
}
