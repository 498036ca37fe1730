// Independent O(N^2) reference implementations used by the tests (written without the package's helpers).

/** Wrap into [0, L) with floor (independent of the package's remainder-based code). */
export function refWrap(x: number, L: number): number {
  let y = x - L * Math.floor(x / L);
  if (y >= L) y -= L;
  if (y < 0) y += L;
  if (y >= L) y = 0;
  return y;
}

/** Minimum-image component via round, in [-L/2, L/2). */
export function refMic(d: number, L: number): number {
  let v = d - L * Math.round(d / L);
  if (v >= L / 2) v -= L;
  if (v < -L / 2) v += L;
  return v;
}

export function lengths(box: number | number[]): number[] {
  return typeof box === 'number' ? [box, box, box] : box;
}

/** Squared minimum-image distance between point i of a and point j of b. */
export function refD2(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, L: number[]): number {
  let s = 0;
  for (let c = 0; c < 3; c++) {
    const v = refMic(refWrap(b[3 * j + c], L[c]) - refWrap(a[3 * i + c], L[c]), L[c]);
    s += v * v;
  }
  return s;
}

/** All candidate (d2, j) of query i, sorted by (d2, j). */
export function refRow(data: ArrayLike<number>, queries: ArrayLike<number>, i: number, L: number[], self: boolean): { d2: number; j: number }[] {
  const n = data.length / 3;
  const row: { d2: number; j: number }[] = [];
  for (let j = 0; j < n; j++) {
    if (self && j === i) continue;
    row.push({ d2: refD2(queries, i, data, j, L), j });
  }
  row.sort((p, q) => p.d2 - q.d2 || p.j - q.j);
  return row;
}
