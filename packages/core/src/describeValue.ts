/**
 * Short printable form of an arbitrary value for error messages: numbers as written (`-0` kept),
 * strings quoted, arrays as their first 6 items, typed arrays as `Float64Array(length 3000)`,
 * other objects by constructor name. Every mddm package's errors use it.
 *
 * @param value - anything
 * @returns a one-line description, never throws
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `[${value.slice(0, 6).map(describeValue).join(', ')}${value.length > 6 ? ', ...' : ''}]`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as ArrayLike<number>).length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
