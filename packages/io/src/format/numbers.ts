import { IoError } from '../errors';

/**
 * Shortest decimal text that parses back to exactly `x` (JavaScript's `Number#toString`, which is
 * the shortest round-trip representation), with `-0` kept as `-0`. Throws on NaN/Infinity.
 * @internal
 */
export function formatReal(x: number, what: string): string {
  if (!Number.isFinite(x)) {
    throw new IoError(`${what} must be a finite number, got ${x}`, 'IO_BAD_FRAME');
  }
  if (x === 0 && Object.is(x, -0)) return '-0';
  return String(x);
}

/**
 * {@link formatReal} without the error: the text, or undefined when `x` is NaN/Infinity (hot loops
 * build the error message only when needed).
 * @internal
 */
export function realText(x: number): string | undefined {
  if (x - x !== 0) return undefined; // NaN or +-Infinity
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

const REAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?$/;
const INT = /^[+-]?\d+$/;

/**
 * Parses a decimal real (`1`, `-2.5`, `.5`, `1e-3`, Fortran `1.0D-3`); returns NaN when `s` is not
 * one (`nan`, `inf`, hex, empty strings are rejected, unlike `Number()`).
 * @internal
 */
export function parseReal(s: string): number {
  if (!REAL.test(s)) return NaN;
  return Number(s.indexOf('d') >= 0 || s.indexOf('D') >= 0 ? s.replace(/[dD]/, 'e') : s);
}

/** Parses a decimal integer; NaN when `s` is not one. @internal */
export function parseInteger(s: string): number {
  return INT.test(s) ? Number(s) : NaN;
}

/** Splits a line on runs of whitespace, ignoring leading/trailing whitespace. @internal */
export function splitFields(line: string): string[] {
  const t = line.trim();
  return t.length === 0 ? [] : t.split(/\s+/);
}
