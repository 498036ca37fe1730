import { IoError } from '../errors';
import { streamFrames } from '../format/files';
import type { Frame } from '../frame';
import { XyzFrameParser } from './parser';

/**
 * Streams the frames of an extended XYZ file (multi-frame; gzipped if the name ends in `.gz`),
 * reading line by line with constant memory (one frame at a time), so trajectories larger than
 * memory can be processed.
 *
 * Requires an orthorhombic `Lattice` on every frame; `Properties` defaults to
 * `species:S:1:pos:R:3`; other columns go to {@link Frame.properties}, other `key=value` pairs to
 * {@link Frame.info} (bare numbers become numbers, `T`/`F` booleans, the rest strings).
 *
 * @param path - file path
 * @returns async iterable of frames, in file order
 * @throws {@link IoError} with file name and line number on malformed input (truncated frame,
 *   wrong atom count, non-numeric field, missing Lattice, ...)
 * @example
 * ```ts
 * for await (const frame of readXyz('traj.xyz')) console.log(frame.positions.length / 3, frame.info);
 * ```
 */
export async function* readXyz(path: string): AsyncGenerator<Frame> {
  yield* streamFrames(path, new XyzFrameParser(path));
}

/**
 * Parses extended XYZ text (all frames at once); see {@link readXyz} for the format.
 *
 * @param text - file contents
 * @param name - name used in error messages, default `'<text>'`
 * @returns the frames, in order
 * @throws {@link IoError} with line number on malformed input
 */
export function readXyzText(text: string, name = '<text>'): Frame[] {
  if (typeof text !== 'string') throw new IoError(`readXyzText: text must be a string, got ${text === null ? 'null' : typeof text}`, 'IO_BAD_ARGUMENT');
  const parser = new XyzFrameParser(name);
  const frames: Frame[] = [];
  const lines = text.split('\n');
  // A final newline produces one empty trailing element, which is not a line.
  const count = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let i = 0; i < count; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const f = parser.push(line, i + 1);
    if (f) frames.push(f);
  }
  parser.end(count);
  return frames;
}
