import { describeValue } from '@mddm/core';
import { RdfError } from './errors';

/**
 * @internal A validated pair of index sets (species A and B) for one frame of `n` particles.
 * `a`/`b` are `null` for "all particles".
 */
export interface Selection {
  a: Int32Array | null;
  b: Int32Array | null;
  nA: number;
  nB: number;
  /** `|A ∩ B|`: the number of i == j pairs that are excluded. */
  overlap: number;
  /** A and B are the same set (use the symmetric half-shell kernel). */
  same: boolean;
}

/** @internal Copy an index list into an Int32Array, checking that entries are integers >= 0. */
export function toIndexArray(indices: ArrayLike<number>, name: string): Int32Array {
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw new RdfError(`${name}: expected an array of particle indices, got ${describeValue(indices)}`, 'RDF_BAD_INDICES');
  }
  const m = indices.length;
  if (m === 0) throw new RdfError(`${name}: expected a non-empty array of particle indices, got an empty one`, 'RDF_BAD_INDICES');
  const out = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const v = indices[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new RdfError(`${name}: entries must be integers >= 0, got ${describeValue(v)} at position ${k}`, 'RDF_BAD_INDICES');
    }
    out[k] = v;
  }
  return out;
}

function checkSet(idx: Int32Array, n: number, mark: Uint8Array, name: string): void {
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k];
    if (v >= n) {
      mark.fill(0, 0, n);
      throw new RdfError(`${name}: index ${v} at position ${k} is out of range for a frame of ${n} particles (expected 0..${n - 1})`, 'RDF_BAD_INDICES');
    }
    if (mark[v] !== 0) {
      mark.fill(0, 0, n);
      throw new RdfError(`${name}: duplicate index ${v} at position ${k} (each particle may appear once)`, 'RDF_BAD_INDICES');
    }
    mark[v] = 1;
  }
}

/**
 * @internal Validate index sets against a frame of `n` particles. `mark` is a zeroed scratch buffer of
 * length >= n; it is left zeroed.
 */
export function resolveSelection(a: Int32Array | null, b: Int32Array | null, n: number, mark: Uint8Array): Selection {
  if (a === null && b === null) return { a: null, b: null, nA: n, nB: n, overlap: n, same: true };
  let overlap: number;
  if (a !== null) checkSet(a, n, mark, 'indicesA');
  if (b === null) {
    overlap = a!.length;
  } else if (a === null) {
    mark.fill(0, 0, n);
    checkSet(b, n, mark, 'indicesB');
    overlap = b.length;
  } else {
    // mark holds A; count B members already marked, then check B for range/duplicates with mark = 2.
    overlap = 0;
    for (let k = 0; k < b.length; k++) {
      const v = b[k];
      if (v >= n) {
        mark.fill(0, 0, n);
        throw new RdfError(`indicesB: index ${v} at position ${k} is out of range for a frame of ${n} particles (expected 0..${n - 1})`, 'RDF_BAD_INDICES');
      }
      if ((mark[v] & 2) !== 0) {
        mark.fill(0, 0, n);
        throw new RdfError(`indicesB: duplicate index ${v} at position ${k} (each particle may appear once)`, 'RDF_BAD_INDICES');
      }
      if (mark[v] === 1) overlap++;
      mark[v] |= 2;
    }
  }
  mark.fill(0, 0, n);
  const nA = a === null ? n : a.length;
  const nB = b === null ? n : b.length;
  return { a, b, nA, nB, overlap, same: nA === nB && overlap === nA };
}
