import { IoError } from '../errors';
import { formatReal, parseInteger, parseReal } from '../format/numbers';
import type { FrameInfoValue } from '../frame';

/** One token of an extended XYZ comment line: `key=value` (value raw text) or a bare `key`. @internal */
export interface KeyValueToken {
  key: string;
  /** Unescaped value text; `undefined` for a bare key (means `true`). */
  value: string | undefined;
  /** Whether the value was quoted (`"..."` or `{...}`): quoted values stay strings. */
  quoted: boolean;
}

/**
 * Splits an extended XYZ comment line into `key=value` tokens. Values may be bare (no whitespace),
 * double-quoted with `\"`, `\\` and `\n` escapes, or in braces `{...}`; whitespace around `=` is
 * allowed; a key without `=` is a flag.
 * @internal
 */
export function tokenizeKeyValues(line: string, where: { file: string; line: number }): KeyValueToken[] {
  const out: KeyValueToken[] = [];
  const n = line.length;
  let i = 0;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  const readWord = (): { text: string; quoted: boolean } => {
    const c = line[i];
    if (c === '"') {
      let s = '';
      i++;
      while (i < n && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < n) {
          const e = line[i + 1];
          s += e === 'n' ? '\n' : e;
          i += 2;
        } else s += line[i++];
      }
      if (i >= n) throw new IoError(`unterminated quoted string in the comment line (opened at column ${line.lastIndexOf('"', i) + 1})`, 'IO_PARSE', where);
      i++;
      return { text: s, quoted: true };
    }
    if (c === '{') {
      const j = line.indexOf('}', i);
      if (j < 0) throw new IoError(`unterminated '{' in the comment line (column ${i + 1})`, 'IO_PARSE', where);
      const s = line.slice(i + 1, j);
      i = j + 1;
      return { text: s, quoted: true };
    }
    const start = i;
    while (i < n && !isSpace(line[i]) && line[i] !== '=') i++;
    return { text: line.slice(start, i), quoted: false };
  };
  while (true) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) break;
    if (line[i] === '=') throw new IoError(`'=' without a key in the comment line (column ${i + 1})`, 'IO_PARSE', where);
    const key = readWord().text;
    let j = i;
    while (j < n && isSpace(line[j])) j++;
    if (j < n && line[j] === '=') {
      i = j + 1;
      while (i < n && isSpace(line[i])) i++;
      if (i >= n) throw new IoError(`key '${key}' has '=' but no value`, 'IO_PARSE', where);
      const v = readWord();
      if (!v.quoted && v.text.length === 0) throw new IoError(`key '${key}' has an empty value`, 'IO_PARSE', where);
      out.push({ key, value: v.text, quoted: v.quoted });
    } else {
      out.push({ key, value: undefined, quoted: false });
    }
  }
  return out;
}

const TRUE = new Set(['T', 'True', 'true', 'TRUE']);
const FALSE = new Set(['F', 'False', 'false', 'FALSE']);

/** Parses an extended XYZ logical (`T`, `F`, `True`, `false`, ...); undefined if not one. @internal */
export function parseLogical(s: string): boolean | undefined {
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

/** Converts a token to an info value: bare numbers -> number, bare T/F/True/False -> boolean, else string. @internal */
export function infoValue(tok: KeyValueToken): FrameInfoValue {
  if (tok.value === undefined) return true;
  if (tok.quoted) return tok.value;
  const b = parseLogical(tok.value);
  if (b !== undefined) return b;
  const x = parseInteger(tok.value);
  if (!Number.isNaN(x)) return x;
  const y = parseReal(tok.value);
  return Number.isFinite(y) ? y : tok.value;
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_.\-+/:@]*$/;
const BARE_STRING = /^[A-Za-z0-9_.\-+/:@,;()<>*#%!?~^|&]+$/;

/** Writes a key, quoting it if needed. @internal */
export function formatKey(key: string): string {
  if (key.length === 0) throw new IoError(`info keys must be non-empty strings`, 'IO_BAD_FRAME');
  return BARE_KEY.test(key) ? key : quote(key);
}

/**
 * Writes an info value so that {@link infoValue} reads back the same value: numbers in shortest
 * round-trip form, booleans as `T`/`F`, strings bare when unambiguous, quoted otherwise.
 * @internal
 */
export function formatInfoValue(key: string, v: FrameInfoValue): string {
  if (typeof v === 'number') return formatReal(v, `info value '${key}'`);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'string') {
    const ambiguous = !BARE_STRING.test(v) || parseLogical(v) !== undefined || !Number.isNaN(parseReal(v));
    return ambiguous ? quote(v) : v;
  }
  throw new IoError(`info value '${key}' must be a number, string or boolean, got ${v === null ? 'null' : typeof v}`, 'IO_BAD_FRAME');
}

function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}
