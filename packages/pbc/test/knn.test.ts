import { describe, expect, it } from 'vitest';
import { KnnWorkspace, PbcError, periodicKnn, periodicKnnBatch, toBox, type KnnResult } from '../src/index';
import { lengths, refMic, refRow, refWrap } from './brute';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPoints(n: number, L: number[], r: () => number, spread = 1, f32 = false): Float64Array | Float32Array {
  const a = f32 ? new Float32Array(3 * n) : new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) a[i] = (r() * spread - (spread - 1) / 2) * L[i % 3];
  return a;
}

const TOL = 1e-12;

/**
 * Check a kNN result against brute force: distances equal to tolerance, every returned neighbor has
 * the claimed distance and minimum-image vector, rows sorted, no duplicates, self excluded, and the
 * neighbor set equals the brute-force set except for ties at the k-th distance. Collects failures
 * and asserts once (per-element expect() calls are slow).
 */
function checkAgainstBrute(
  res: KnnResult, data: ArrayLike<number>, queries: ArrayLike<number>, box: number | number[], k: number, self: boolean, rows?: number[],
): void {
  const L = lengths(box);
  const n = queries.length / 3;
  const tol = TOL * Math.max(1, ...L);
  const errors: string[] = [];
  const fail = (msg: string) => {
    if (errors.length < 10) errors.push(msg);
  };
  expect([res.n, res.k, res.indices.length, res.distances.length, res.vectors.length]).toEqual([n, k, n * k, n * k, 3 * n * k]);
  for (const i of rows ?? Array.from({ length: n }, (_, i) => i)) {
    const row = refRow(data, queries, i, L, self);
    const seen = new Set<number>();
    for (let t = 0; t < k; t++) {
      const j = res.indices[i * k + t];
      const d = res.distances[i * k + t];
      if (!(Math.abs(d - Math.sqrt(row[t].d2)) <= tol)) fail(`row ${i} rank ${t}: distance ${d} != brute ${Math.sqrt(row[t].d2)}`);
      if (self && j === i) fail(`row ${i}: contains itself`);
      if (seen.has(j)) fail(`row ${i}: duplicate neighbor ${j}`);
      seen.add(j);
      if (t > 0 && d < res.distances[i * k + t - 1]) fail(`row ${i}: not sorted at rank ${t}`);
      let s = 0;
      for (let c = 0; c < 3; c++) {
        const v = res.vectors[3 * (i * k + t) + c];
        const ref = refMic(refWrap(data[3 * j + c], L[c]) - refWrap(queries[3 * i + c], L[c]), L[c]);
        // equal, or the two ends of an exact tie at +-L/2
        if (!(Math.abs(v - ref) <= TOL * L[c] || Math.abs(Math.abs(v - ref) - L[c]) <= TOL * L[c])) fail(`row ${i} rank ${t} axis ${c}: vector ${v} != ${ref}`);
        if (!(v >= -L[c] / 2 && v <= L[c] / 2)) fail(`row ${i} rank ${t}: vector component ${v} outside [-L/2, L/2]`);
        s += v * v;
      }
      if (!(Math.abs(Math.sqrt(s) - d) <= tol)) fail(`row ${i} rank ${t}: |vector| ${Math.sqrt(s)} != distance ${d}`);
    }
    // sets equal up to ties at the boundary distance
    const dk = Math.sqrt(row[k - 1].d2);
    for (let t = 0; t < k; t++) {
      if (Math.sqrt(row[t].d2) < dk - tol && !seen.has(row[t].j)) fail(`row ${i}: missing neighbor ${row[t].j} at ${Math.sqrt(row[t].d2)}`);
    }
  }
  expect(errors).toEqual([]);
}

describe('periodicKnn vs brute force', () => {
  it('random points, cubic and orthorhombic boxes, several k', () => {
    const r = rng(1);
    for (const [n, box, k] of [
      [200, 6, 8], [300, [5, 7, 9], 16], [64, 4, 63], [50, [1, 10, 3], 12], [500, 8, 32], [40, 0.01, 39],
    ] as [number, number | number[], number][]) {
      const x = randomPoints(n, lengths(box), r);
      checkAgainstBrute(periodicKnn(x, box as never, k), x, x, box, k, true);
    }
  });

  it('a Box object and a tuple give the same result as the number', () => {
    const r = rng(12);
    const x = randomPoints(100, [4, 4, 4], r);
    const a = periodicKnn(x, 4, 7);
    expect(periodicKnn(x, toBox(4), 7).indices).toEqual(a.indices);
    expect(periodicKnn(x, [4, 4, 4], 7).distances).toEqual(a.distances);
  });

  it('unwrapped positions (several box lengths away) and float32', () => {
    const r = rng(2);
    const x = randomPoints(300, [6, 6, 6], r, 7, true);
    checkAgainstBrute(periodicKnn(x, 6, 20), x, x, 6, 20, true);
  });

  it('points on and next to the boundaries, duplicates', () => {
    const r = rng(3);
    const L = 5;
    const pts: number[] = [];
    const specials = [0, -0, L, -L, L - 1e-12, 1e-12, -1e-12, L / 2, 2 * L - 1e-9];
    for (let i = 0; i < 120; i++) {
      for (let c = 0; c < 3; c++) pts.push(r() < 0.5 ? specials[Math.floor(r() * specials.length)] : r() * L);
    }
    for (let i = 0; i < 30; i++) pts.push(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]); // duplicates
    const x = Float64Array.from(pts);
    for (const k of [1, 5, 40, 149]) checkAgainstBrute(periodicKnn(x, L, k), x, x, L, k, true);
  });

  it('k = N - 1 and tiny boxes where the search must widen', () => {
    const r = rng(4);
    for (const n of [2, 3, 5, 17, 90]) {
      const x = randomPoints(n, [1, 1, 1], r);
      checkAgainstBrute(periodicKnn(x, 1, n - 1), x, x, 1, n - 1, true);
    }
  });

  it('clustered data (dense blob in a big box) widens the search correctly', () => {
    const r = rng(5);
    const n = 400;
    const x = new Float64Array(3 * n);
    for (let i = 0; i < 3 * n; i++) x[i] = i < 3 * 350 ? 10 + r() * 0.5 : r() * 40;
    checkAgainstBrute(periodicKnn(x, 40, 30), x, x, 40, 30, true);
  });

  it('sparse points far from a dense slab need a wider offset table than the first guess', () => {
    const r = rng(9);
    const n = 2000, L = 30;
    const x = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      x[3 * i] = r() * L;
      x[3 * i + 1] = r() * L;
      x[3 * i + 2] = i < 1900 ? r() * 0.5 : r() * L;
    }
    const rows = [...Array.from({ length: 100 }, (_, t) => 1900 + t), 0, 1, 2, 3, 500, 1899];
    checkAgainstBrute(periodicKnn(x, L, 33), x, x, L, 33, true, rows);
  });

  it('lattice with ties at exactly L/2', () => {
    // simple cubic lattice, spacing 1, L = 4: every point has neighbors at exactly L/2 = 2
    const L = 4, pts: number[] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) pts.push(a, b, c);
    const x = Float64Array.from(pts);
    for (const k of [6, 7, 18, 30, 63]) {
      const res = periodicKnn(x, L, k);
      checkAgainstBrute(res, x, x, L, k, true);
      // deterministic tie-breaking: exactly the brute-force (distance, index) order
      const want: number[] = [];
      for (let i = 0; i < 64; i++) {
        const row = refRow(x, x, i, [L, L, L], true);
        for (let t = 0; t < k; t++) want.push(row[t].j);
      }
      expect(Array.from(res.indices)).toEqual(want);
    }
  });

  it('queries distinct from data: self not excluded, k up to N', () => {
    const r = rng(6);
    const x = randomPoints(150, [6, 5, 4], r);
    const q = randomPoints(40, [6, 5, 4], r, 3);
    q.set(x.subarray(0, 9)); // three queries coincide with data points -> distance 0
    for (const k of [1, 10, 150]) {
      const res = periodicKnn(x, [6, 5, 4], k, { queries: q });
      checkAgainstBrute(res, x, q, [6, 5, 4], k, false);
    }
    const res = periodicKnn(x, [6, 5, 4], 1, { queries: q });
    expect(res.indices[0]).toBe(0);
    expect(res.distances[0]).toBe(0);
  });
});

describe('workspace and batch', () => {
  it('workspace reuses result arrays and gives identical results', () => {
    const r = rng(7);
    const ws = new KnnWorkspace();
    const x = randomPoints(300, [7, 7, 7], r);
    const a = periodicKnn(x, 7, 12, { workspace: ws });
    const copy = a.indices.slice();
    const b = periodicKnn(x, 7, 12, { workspace: ws });
    expect(b).toBe(a);
    expect(b.indices).toEqual(copy);
    const c = periodicKnn(x, 7, 12);
    expect(c.indices).toEqual(copy);
    expect(c.distances).toEqual(a.distances);
    // no internal buffer is reallocated on repeated calls of the same or a smaller size
    const buffers = () => [ws.sorted, ws.sortedIndex, ws.cellStart, ws.bestD2, ws.offsets, ws.offsetLb2, ws.gapX, ws.colX, ws.wrapped];
    const before = buffers();
    periodicKnn(x, 7, 12, { workspace: ws });
    periodicKnn(x.map((v) => v + 0.37), 7, 12, { workspace: ws });
    expect(buffers().every((b, i) => b === before[i])).toBe(true);
    // a different k or N gets fresh result arrays, and results stay correct
    const d = periodicKnn(x.subarray(0, 3 * 200), 7, 5, { workspace: ws });
    expect(d.n).toBe(200);
    expect(d.indices).toEqual(periodicKnn(x.subarray(0, 3 * 200), 7, 5).indices);
  });

  it('batch equals per-frame calls with global indices', () => {
    const r = rng(8);
    const B = 3, N = 120, k = 10;
    const x = randomPoints(B * N, [5, 5, 5], r);
    const res = periodicKnnBatch(x, 5, k, { frames: B, workspace: new KnnWorkspace() });
    expect(res.n).toBe(B * N);
    for (let b = 0; b < B; b++) {
      const one = periodicKnn(x.slice(3 * b * N, 3 * (b + 1) * N), 5, k);
      expect(Array.from(res.indices.subarray(b * N * k, (b + 1) * N * k))).toEqual(Array.from(one.indices, (j) => j + b * N));
      expect(res.distances.subarray(b * N * k, (b + 1) * N * k)).toEqual(one.distances);
      expect(res.vectors.subarray(3 * b * N * k, 3 * (b + 1) * N * k)).toEqual(one.vectors);
    }
    // `frames` as a bare number is the same call without a workspace
    const plain = periodicKnnBatch(x, 5, k, B);
    expect(plain.indices).toEqual(res.indices);
    expect(plain.distances).toEqual(res.distances);
  });
});

describe('periodicKnn input errors', () => {
  const x = new Float64Array(30).map((_, i) => i % 7);
  it.each([
    ['non-integer k', () => periodicKnn(x, 10, 2.5), /integer.*2\.5/],
    ['k < 1', () => periodicKnn(x, 10, 0), />= 1/],
    ['k >= N', () => periodicKnn(x, 10, 10), /<= 9/],
    ['k > N with queries', () => periodicKnn(x, 10, 11, { queries: x }), /<= 10/],
    ['NaN k', () => periodicKnn(x, 10, NaN), /integer/],
    ['length % 3', () => periodicKnn(new Float64Array(7), 10, 1), /multiple of 3.*7/],
    ['NaN coordinate', () => periodicKnn(Float64Array.of(0, 0, 0, 1, NaN, 1), 10, 1), /finite.*NaN/],
    ['Inf coordinate', () => periodicKnn(Float64Array.of(0, 0, 0, 1, Infinity, 1), 10, 1), /finite.*Infinity/],
    ['bad queries', () => periodicKnn(x, 10, 1, { queries: new Float64Array(4) }), /queries.*multiple of 3/],
    ['zero box', () => periodicKnn(x, 0, 1), /box.*> 0.*0/],
    ['negative box', () => periodicKnn(x, [1, -2, 3], 1), /Ly.*-2/],
    ['NaN box', () => periodicKnn(x, NaN, 1), /NaN/],
    ['Inf box', () => periodicKnn(x, Infinity, 1), /Infinity/],
    ['bad frames', () => periodicKnnBatch(x, 10, 1, 4), /multiple of frames/],
    ['non-integer frames', () => periodicKnnBatch(x, 10, 1, { frames: 1.5 }), /frames must be an integer >= 1, got 1.5/],
    ['batch k >= N', () => periodicKnnBatch(x, 10, 5, 2), /periodicKnnBatch: k must be <= 4/],
    ['bad workspace', () => periodicKnn(x, 10, 1, { workspace: {} as never }), /KnnWorkspace/],
  ])('%s', (_name, fn, msg) => {
    expect(fn).toThrow(PbcError);
    expect(fn).toThrow(msg);
  });
});
