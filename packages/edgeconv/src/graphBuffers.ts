/**
 * The float32 arrays of the graphs `buildGraph` returns, kept per `KnnWorkspace`.
 *
 * Why: a model builds one graph per denoising step, and copying the float64 kNN result into fresh
 * `Int32Array`/`Float32Array`s allocated ~0.5 MB per step (N = 1000, k = 32) although the caller
 * passed a workspace precisely so that nothing allocates. Keying the buffers by that workspace keeps
 * its contract: results are owned by it and overwritten by its next call.
 * @internal
 */
import type { KnnWorkspace } from '@mddm/pbc';

/** Index and vector arrays of one graph. @internal */
export interface GraphArrays {
  /** `[n * k]` neighbor indices. */
  readonly indices: Int32Array;
  /** `[n * k * 3]` edge vectors. */
  readonly vectors: Float32Array;
}

interface Buffers extends GraphArrays { readonly n: number; readonly k: number }

const byWorkspace = new WeakMap<KnnWorkspace, Buffers>();

/**
 * Arrays for a graph of `n` nodes and `k` neighbors: fresh ones without a workspace, else the
 * workspace's, reused while `(n, k)` stays the same. Reallocating on any shape change (rather than
 * on growth only) means a graph of another shape never shares arrays with a newer one.
 * @internal
 */
export function graphArrays(n: number, k: number, workspace?: KnnWorkspace): GraphArrays {
  if (workspace === undefined) return { indices: new Int32Array(n * k), vectors: new Float32Array(n * k * 3) };
  let b = byWorkspace.get(workspace);
  if (b === undefined || b.n !== n || b.k !== k) {
    b = { n, k, indices: new Int32Array(n * k), vectors: new Float32Array(n * k * 3) };
    byWorkspace.set(workspace, b);
  }
  return b;
}
