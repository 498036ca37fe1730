import { DataError } from './errors';

const NEWLINE = 10;

/**
 * Where each frame of extended XYZ bytes lies, found from the atom-count line that opens every frame, without
 * decoding or parsing the frames: so that a few frames of a large set can be parsed alone
 * (`loadConditionPool({ ids })`; decoding and parsing cost ~5x the gunzip on the shipped sets).
 *
 * A frame is its count line `N`, the comment line and `N` atom lines. Empty lines after the last frame are
 * allowed; anything else that is not a frame is an error (the full parser, `readXyzText` of `@mddm/io`, reports
 * the details of what is wrong inside a frame).
 *
 * @param bytes - extended XYZ text as UTF-8 bytes
 * @param source - file or URL, for messages
 * @returns `[start, end)` byte offsets of every frame in order (`end` after the frame's last newline, or the end of
 *   the bytes)
 * @throws {@link DataError} `DATA_ERROR` for a count line that is not a non-negative integer, or a truncated frame
 */
export function xyzFrameSpans(bytes: Uint8Array, source: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const decoder = new TextDecoder();
  let at = 0;
  let line = 1;
  while (at < bytes.length) {
    const eol = lineEnd(bytes, at);
    const head = decoder.decode(bytes.subarray(at, eol)).trim();
    if (head === '') {
      if (decoder.decode(bytes.subarray(at)).trim() === '') break; // trailing empty lines
      throw new DataError(`line ${line}: empty line where a frame's atom count should be`, 'DATA_ERROR', source);
    }
    if (!/^\d+$/.test(head)) throw new DataError(`line ${line}: expected a frame's atom count, got '${head.slice(0, 40)}'`, 'DATA_ERROR', source);
    const start = at;
    let end = eol;
    // the comment line and N atom lines
    for (let i = Number(head) + 1; i > 0; i--) {
      if (end >= bytes.length) throw new DataError(`line ${line}: the frame of ${head} atoms is truncated`, 'DATA_ERROR', source);
      end = lineEnd(bytes, end + 1);
    }
    line += Number(head) + 2;
    at = Math.min(end + 1, bytes.length);
    spans.push([start, at]);
  }
  return spans;
}

/** Offset of the newline ending the line that starts at `from` (or the length). */
function lineEnd(bytes: Uint8Array, from: number): number {
  const i = bytes.indexOf(NEWLINE, from);
  return i < 0 ? bytes.length : i;
}
