import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { EdgeGraph } from '../src/graph';

/** Seeded uniform [0,1) generator (independent of the package's). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randomPositions(n: number, L: number, seed: number): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(3 * n);
  for (let i = 0; i < x.length; i++) x[i] = r() * L;
  return x;
}

export function randomArray(len: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = (2 * r() - 1) * scale;
  return x;
}

/** Brute-force minimum-image kNN graph (cubic box L; L = null: non-periodic), ties by index. */
export function bruteGraph(x: ArrayLike<number>, L: number | null, k: number, frames = 1): EdgeGraph {
  const n = x.length / 3;
  const npf = n / frames;
  const indices = new Int32Array(n * k);
  const vectors = new Float32Array(n * k * 3);
  for (let i = 0; i < n; i++) {
    const lo = Math.floor(i / npf) * npf;
    const cand: { j: number; d: number; v: number[] }[] = [];
    for (let j = lo; j < lo + npf; j++) {
      if (j === i) continue;
      const v = [0, 1, 2].map((c) => {
        let d = x[3 * j + c]! - x[3 * i + c]!;
        if (L !== null) d -= L * Math.round(d / L);
        return d;
      });
      cand.push({ j, d: v[0]! ** 2 + v[1]! ** 2 + v[2]! ** 2, v });
    }
    cand.sort((a, b) => a.d - b.d || a.j - b.j);
    for (let s = 0; s < k; s++) {
      indices[i * k + s] = cand[s]!.j;
      for (let c = 0; c < 3; c++) vectors[3 * (i * k + s) + c] = cand[s]!.v[c]!;
    }
  }
  return { n, k, frames, nodesPerFrame: npf, indices, vectors };
}

/**
 * Independent float64 reference of the layer: per edge, the UNfactorized input
 * [dx || f_i || f_j - f_i || g] through the MLP, then max/mean/sum over neighbors.
 */
export function referenceLayer(graph: EdgeGraph, f: Float32Array | null, F: number, g: Float32Array, G: number,
  weights: Float32Array[], act: 'relu' | 'silu' | 'tanh', agg: 'max' | 'mean' | 'sum'): Float64Array {
  const { n, k } = graph;
  const nL = weights.length / 2;
  const O = weights[2 * nL - 1]!.length;
  const out = new Float64Array(n * O);
  const gRows = g.length / G || 1;
  const actf = (z: number) => (act === 'relu' ? Math.max(z, 0) : act === 'tanh' ? Math.tanh(z) : z / (1 + Math.exp(-z)));
  for (let i = 0; i < n; i++) {
    const r = gRows === 1 ? 0 : Math.floor(i / graph.nodesPerFrame);
    const acc = new Float64Array(O).fill(agg === 'max' ? -Infinity : 0);
    for (let s = 0; s < k; s++) {
      const e = i * k + s;
      const j = graph.indices[e]!;
      let inp: number[] = [graph.vectors[3 * e]!, graph.vectors[3 * e + 1]!, graph.vectors[3 * e + 2]!];
      for (let c = 0; c < F; c++) inp.push(f![i * F + c]!);
      for (let c = 0; c < F; c++) inp.push(f![j * F + c]! - f![i * F + c]!);
      for (let c = 0; c < G; c++) inp.push(g[r * G + c]!);
      for (let l = 0; l < nL; l++) {
        const W = weights[2 * l]!, b = weights[2 * l + 1]!;
        const outW = b.length;
        const z: number[] = [];
        for (let o = 0; o < outW; o++) {
          let t = b[o]!;
          for (let h = 0; h < inp.length; h++) t += inp[h]! * W[h * outW + o]!;
          z.push(l < nL - 1 ? actf(t) : t);
        }
        inp = z;
      }
      for (let c = 0; c < O; c++) acc[c] = agg === 'max' ? Math.max(acc[c]!, inp[c]!) : acc[c]! + inp[c]!;
    }
    for (let c = 0; c < O; c++) out[i * O + c] = agg === 'mean' ? acc[c]! / k : acc[c]!;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Marks tfjs's "Hi, looks like you are running TensorFlow.js in Node.js ..." banner as already shown
 * on the cpu backend instance (as `selectBackend` of @mddm/model does; the cpu backend is used on
 * purpose here), instead of setting tfjs's global `PROD` flag, which would also turn off its debug
 * checks.
 */
function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

// Some test files create tensors while vitest collects them, before their `beforeAll(useBackend)`
// runs; tfjs would then start a backend by itself (a fresh cpu instance, with the banner). Start the
// cpu backend now instead (its initialisation is synchronous) and quiet it.
if (!(tf.engine() as unknown as { backendName: string | null }).backendName) void tf.setBackend('cpu');
quietCpuBanner();

/** Selects a backend for a test file (`'wasm'` is imported on demand). */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed`);
  await tf.ready();
  if (name === 'cpu') quietCpuBanner();
}
