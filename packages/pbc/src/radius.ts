import { BoxLike, boxLengthsInto } from './box';
import { describeValue } from '@mddm/core';
import { PbcError } from './errors';
import { Vec3Array, validatePositions } from './positions';
import { binIntoCells, cellGrid } from './cellList';

/**
 * Fixed-radius neighbor lists in CSR form: the neighbors of point `i` are entries
 * `offsets[i] .. offsets[i + 1] - 1` of `indices`, `distances` and `vectors`. Pairs are ordered and
 * both directions appear (`i -> j` and `j -> i`); a point is never its own neighbor. The order within
 * a row is deterministic but unspecified.
 */
export interface RadiusNeighbors {
  /** Number of points. */
  n: number;
  /** `[n + 1]` row starts; `offsets[n]` is the total number of ordered pairs. */
  offsets: Int32Array;
  /** `[pairs]` neighbor indices. */
  indices: Int32Array;
  /** `[pairs]` minimum-image distances, each `<= rMax` (LJ length units). */
  distances: Float64Array;
  /** `[pairs * 3]` minimum-image vectors `x_j - x_i`, components in `[-L/2, L/2)`. */
  vectors: Float64Array;
}

/**
 * All ordered pairs `(i, j)`, `i != j`, with minimum-image distance `<= rMax`, via a cell list of
 * cells at least `rMax` wide (O(N) at uniform density).
 *
 * @param positions - flat `[N, 3]` (need not be wrapped)
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param rMax - cutoff radius, `0 < rMax <= min(L) / 2` (the minimum-image convention is only
 *   unique up to half the smallest box length)
 * @returns {@link RadiusNeighbors} (CSR)
 * @throws {@link PbcError} on bad positions, box or `rMax`
 */
export function periodicRadiusNeighbors(positions: Vec3Array, box: BoxLike, rMax: number): RadiusNeighbors {
  const N = validatePositions(positions);
  const Ls = boxLengthsInto(box, new Float64Array(3));
  const lx = Ls[0], ly = Ls[1], lz = Ls[2];
  const half = 0.5 * Math.min(lx, ly, lz);
  if (typeof rMax !== 'number' || !Number.isFinite(rMax) || !(rMax > 0)) {
    throw new PbcError(`periodicRadiusNeighbors: rMax must be a finite number > 0, got ${describeValue(rMax)}`, 'PBC_BAD_RMAX');
  }
  if (rMax > half) {
    throw new PbcError(
      `periodicRadiusNeighbors: rMax must be <= half the smallest box length (${half}) for the minimum-image convention, got ${rMax}`,
      'PBC_BAD_RMAX',
    );
  }
  const grid = cellGrid(lx, ly, lz, rMax, N, new Int32Array(3));
  const nx = grid[0], ny = grid[1], nz = grid[2];
  const cells = nx * ny * nz;
  const w = new Float64Array(3 * N);
  const cellOf = new Int32Array(N);
  const start = new Int32Array(cells + 1);
  const sidx = new Int32Array(N);
  const sorted = new Float64Array(3 * N);
  binIntoCells(positions, 0, N, lx, ly, lz, nx, ny, nz, w, cellOf, start, sidx, sorted);
  // offsets per axis: -1..1 when >= 3 cells (cells are >= rMax wide), else every cell once
  const lox = nx >= 3 ? -1 : 0, hix = nx >= 3 ? 1 : nx - 1;
  const loy = ny >= 3 ? -1 : 0, hiy = ny >= 3 ? 1 : ny - 1;
  const loz = nz >= 3 ? -1 : 0, hiz = nz >= 3 ? 1 : nz - 1;
  const r2 = rMax * rMax;
  const hx = 0.5 * lx, hy = 0.5 * ly, hz = 0.5 * lz;
  const expected = (N * N * (4 / 3) * Math.PI * rMax * rMax * rMax) / (lx * ly * lz);
  let cap = Math.max(16, Math.ceil(expected * 1.1) + N);
  let idx = new Int32Array(cap);
  let dist = new Float64Array(cap);
  let vec = new Float64Array(3 * cap);
  const offsets = new Int32Array(N + 1);
  let p = 0;
  for (let i = 0; i < N; i++) {
    const qx = w[3 * i], qy = w[3 * i + 1], qz = w[3 * i + 2];
    const c0 = cellOf[i];
    const ix = c0 % nx, iy = Math.floor(c0 / nx) % ny, iz = Math.floor(c0 / (nx * ny));
    for (let dz = loz; dz <= hiz; dz++) {
      let jz = iz + dz;
      if (jz < 0) jz += nz; else if (jz >= nz) jz -= nz;
      for (let dy = loy; dy <= hiy; dy++) {
        let jy = iy + dy;
        if (jy < 0) jy += ny; else if (jy >= ny) jy -= ny;
        for (let dx = lox; dx <= hix; dx++) {
          let jx = ix + dx;
          if (jx < 0) jx += nx; else if (jx >= nx) jx -= nx;
          const cell = jx + nx * (jy + ny * jz);
          const end = start[cell + 1];
          for (let s = start[cell]; s < end; s++) {
            let ddx = sorted[3 * s] - qx;
            if (ddx >= hx) ddx -= lx; else if (ddx < -hx) ddx += lx;
            let ddy = sorted[3 * s + 1] - qy;
            if (ddy >= hy) ddy -= ly; else if (ddy < -hy) ddy += ly;
            let ddz = sorted[3 * s + 2] - qz;
            if (ddz >= hz) ddz -= lz; else if (ddz < -hz) ddz += lz;
            const d2 = ddx * ddx + ddy * ddy + ddz * ddz;
            if (d2 > r2) continue;
            const j = sidx[s];
            if (j === i) continue;
            if (p === cap) {
              cap *= 2;
              const ni = new Int32Array(cap); ni.set(idx); idx = ni;
              const nd = new Float64Array(cap); nd.set(dist); dist = nd;
              const nv = new Float64Array(3 * cap); nv.set(vec); vec = nv;
            }
            idx[p] = j;
            dist[p] = Math.sqrt(d2);
            vec[3 * p] = ddx; vec[3 * p + 1] = ddy; vec[3 * p + 2] = ddz;
            p++;
          }
        }
      }
    }
    offsets[i + 1] = p;
  }
  return { n: N, offsets, indices: idx.slice(0, p), distances: dist.slice(0, p), vectors: vec.slice(0, 3 * p) };
}
