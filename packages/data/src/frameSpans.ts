import { DataError } from './errors';

/**
 * Where each frame of extended XYZ text lies, found from the atom-count line that opens every frame, without
 * parsing the frames: so that a few frames of a large set can be parsed alone (`loadConditionPool({ ids })`;
 * parsing is ~5x the cost of the gunzip on the shipped sets).
 *
 * A frame is its count line `N`, the comment line and `N` atom lines. Empty lines after the last frame are
 * allowed; anything else that is not a frame is an error (the full parser, `readXyzText` of `@mddm/io`, reports
 * the details of what is wrong inside a frame).
 *
 * @param text - extended XYZ text
 * @param source - file or URL, for messages
 * @returns `[start, end)` character offsets of every frame in order (`end` after the frame's last newline, or
 *   the end of the text)
 * @throws {@link DataError} `DATA_ERROR` for a count line that is not a non-negative integer, or a truncated frame
 */
export function xyzFrameSpans(text: string, source: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let at = 0;
  let line = 1;
  while (at < text.length) {
    const eol = lineEnd(text, at);
    const head = text.slice(at, eol).trim();
    if (head === '') {
      if (text.slice(at).trim() === '') break; // trailing empty lines
      throw new DataError(`line ${line}: empty line where a frame's atom count should be`, 'DATA_ERROR', source);
    }
    if (!/^\d+$/.test(head)) throw new DataError(`line ${line}: expected a frame's atom count, got '${head.slice(0, 40)}'`, 'DATA_ERROR', source);
    const start = at;
    let end = eol;
    // the comment line and N atom lines
    for (let i = Number(head) + 1; i > 0; i--) {
      if (end >= text.length) throw new DataError(`line ${line}: the frame of ${head} atoms is truncated`, 'DATA_ERROR', source);
      end = lineEnd(text, end + 1);
    }
    line += Number(head) + 2;
    at = Math.min(end + 1, text.length);
    spans.push([start, at]);
  }
  return spans;
}

/** Offset of the newline ending the line that starts at `from` (or the text's length). */
function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}
