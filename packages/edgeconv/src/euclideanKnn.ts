/**
 * Exact kNN of a non-periodic point cloud (brute force with a sorted insertion list per node,
 * O(N^2) per frame): the `box = null` case of `buildGraph`. @internal
 */
import type { Vec3Array } from '@mddm/pbc';
import type { GraphArrays } from './graphBuffers';

/**
 * Fills `out` with the `k` nearest neighbors (sorted by distance, ties by index, self excluded) of
 * every point within its frame and the vectors `x_j - x_i`. Positions must be finite. @internal
 */
export function euclideanKnnInto(x: Vec3Array, frames: number, k: number, out: GraphArrays): void {
  const n = x.length / 3;
  const npf = n / frames;
  const { indices, vectors } = out;
  const bestD = new Float64Array(k);
  const bestJ = new Int32Array(k);
  for (let b = 0; b < frames; b++) {
    const lo = b * npf;
    const hi = lo + npf;
    for (let i = lo; i < hi; i++) {
      const xi = x[3 * i]!, yi = x[3 * i + 1]!, zi = x[3 * i + 2]!;
      let count = 0;
      for (let j = lo; j < hi; j++) {
        if (j === i) continue;
        const dx = x[3 * j]! - xi, dy = x[3 * j + 1]! - yi, dz = x[3 * j + 2]! - zi;
        const d = dx * dx + dy * dy + dz * dz;
        if (count === k && d >= bestD[k - 1]!) continue;
        let p = count < k ? count++ : k - 1;
        while (p > 0 && bestD[p - 1]! > d) {
          bestD[p] = bestD[p - 1]!;
          bestJ[p] = bestJ[p - 1]!;
          p--;
        }
        bestD[p] = d;
        bestJ[p] = j;
      }
      for (let s = 0; s < k; s++) {
        const j = bestJ[s]!;
        const e = i * k + s;
        indices[e] = j;
        vectors[3 * e] = x[3 * j]! - xi;
        vectors[3 * e + 1] = x[3 * j + 1]! - yi;
        vectors[3 * e + 2] = x[3 * j + 2]! - zi;
      }
    }
  }
}
