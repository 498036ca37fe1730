/**
 * Node-level terms of the factorized first Linear and their gradients, shared by the TypeScript and
 * the WebAssembly kernel.
 *
 * Why: the first Linear over `[dx || f_i || f_j - f_i || g]` splits into
 * `dx Wd + A_i + B_j` with `A_i = b0 + g_r Wg + f_i (Wi - Wj)` and `B_j = f_j Wj` (SPEC section 2).
 * The per-global-row part `b0 + g_r Wg` and the difference `Wi - Wj` are cheap, per-layer work that
 * both kernels need in identical form; the wasm module only runs the per-edge and per-node loops.
 * Keeping one copy here keeps the two kernels' results identical. @internal
 */
import type { KernelGrads, KernelInputs, KernelShape } from './kernelTypes';

/**
 * Writes `gT[r * H0 + h] = b0[h] + sum_c g[r, c] Wg[c, h]` for every global row `r` (one row shared
 * by all frames, or one per frame). @internal
 */
export function globalRowTerms(s: KernelShape, x: KernelInputs, gT: Float32Array): void {
  const H = s.widths[0]!, F = s.F, G = s.G;
  const w0 = x.W[0]!, b0 = x.b[0]!;
  const gOff = 3 + 2 * F;
  for (let r = 0; r < s.gRows; r++) {
    for (let h = 0; h < H; h++) {
      let acc = b0[h]!;
      for (let c = 0; c < G; c++) acc += x.g[r * G + c]! * w0[(gOff + c) * H + h]!;
      gT[r * H + h] = acc;
    }
  }
}

/** Writes `Wd[c * H0 + h] = Wi[c, h] - Wj[c, h]`, the weight of `f_i` in the node term `A_i`. @internal */
export function featureWeightDiff(s: KernelShape, x: KernelInputs, Wd: Float32Array): void {
  const H = s.widths[0]!, F = s.F;
  const w0 = x.W[0]!;
  for (let c = 0; c < F; c++) {
    for (let h = 0; h < H; h++) Wd[c * H + h] = w0[(3 + c) * H + h]! - w0[(3 + F + c) * H + h]!;
  }
}

/**
 * Backward of the global-row terms: given `dA` `[n * H0]` (the gradient w.r.t. every node term `A_i`),
 * sums it per global row into `dAr` (float64: n terms per row) and writes (overwrites) `db0`, the `g`
 * rows of `dW0` and `dg`. Leaves the `dx` and feature rows of `dW0` untouched. @internal
 */
export function globalRowBackward(s: KernelShape, x: KernelInputs, dA: Float32Array, grads: KernelGrads,
  dAr: Float64Array): void {
  const { n, F, G, gRows, nodesPerFrame } = s;
  const H0 = s.widths[0]!;
  dAr.fill(0);
  for (let i = 0; i < n; i++) {
    const r = gRows === 1 ? 0 : (i / nodesPerFrame) | 0;
    for (let h = 0; h < H0; h++) dAr[r * H0 + h] += dA[i * H0 + h]!;
  }
  const db0 = grads.db[0]!, dW0 = grads.dW[0]!, w0 = x.W[0]!;
  db0.fill(0);
  for (let r = 0; r < gRows; r++) for (let h = 0; h < H0; h++) db0[h] += dAr[r * H0 + h]!;
  const gOff = 3 + 2 * F;
  dW0.fill(0, gOff * H0, (gOff + G) * H0);
  for (let r = 0; r < gRows; r++) {
    for (let c = 0; c < G; c++) {
      const gv = x.g[r * G + c]!;
      let acc = 0;
      for (let h = 0; h < H0; h++) {
        dW0[(gOff + c) * H0 + h] += gv * dAr[r * H0 + h]!;
        acc += w0[(gOff + c) * H0 + h]! * dAr[r * H0 + h]!;
      }
      grads.dg[r * G + c] = acc;
    }
  }
}
