/**
 * The fused PBC-Conv kernel over typed arrays (forward and backward), independent of tfjs.
 *
 * One layer computes, for every node i with neighbors j = indices[i*k + s],
 *   z0_e = dx_e Wd + A_i + B_j,   A_i = b0 + g_{frame(i)} Wg + f_i (Wi - Wj),   B_j = f_j Wj
 *   a_l = act(z_l),  z_{l+1} = a_l W_{l+1} + b_{l+1},   out_i = agg_s z_last_e
 * which equals the first Linear applied to [dx || f_i || f_j - f_i || g] (SPEC section 2): node terms
 * are computed once per node, only dx Wd per edge. Weights are row-major [in, out] (tfjs Dense
 * convention); W0's rows are ordered [dx (3) | f_i (F) | f_j - f_i (F) | g (G)].
 * @internal
 */
import { featureWeightDiff, globalRowBackward, globalRowTerms } from './firstLinear';
import { Act, Agg } from './kernelTypes';
import type { KernelGrads, KernelInputs, KernelShape, Saved } from './kernelTypes';
import type { Scratch } from './scratch';

function sigmoid(x: number): number { return 1 / (1 + Math.exp(-x)); }

/** Computes the node terms A [n*H0] (bias + global + f_i (Wi - Wj)) and B [n*H0] (f Wj). @internal */
export function nodeTerms(s: KernelShape, x: KernelInputs, A: Float32Array, B: Float32Array | null, scratch: Scratch): void {
  const { n, F, nodesPerFrame } = s;
  const H = s.widths[0]!;
  const W0 = x.W[0]!;
  const gT = scratch.get('gTerm', s.gRows * H);
  globalRowTerms(s, x, gT);
  const Wd = scratch.get('WiMinusWj', F * H);
  featureWeightDiff(s, x, Wd);
  const f = x.f;
  for (let i = 0; i < n; i++) {
    const r = s.gRows === 1 ? 0 : (i / nodesPerFrame) | 0;
    const ai = i * H;
    for (let h = 0; h < H; h++) A[ai + h] = gT[r * H + h]!;
    if (f !== null && B !== null) {
      for (let h = 0; h < H; h++) B[ai + h] = 0;
      for (let c = 0; c < F; c++) {
        const v = f[i * F + c]!;
        if (v === 0) continue;
        const wr = c * H, wj = (3 + F + c) * H;
        for (let h = 0; h < H; h++) {
          A[ai + h] += v * Wd[wr + h]!;
          B[ai + h] += v * W0[wj + h]!;
        }
      }
    }
  }
}

/**
 * Forward pass. Writes `out` [n * O]. If `saved` is given, stores what the backward pass needs.
 * @internal
 */
export function forward(s: KernelShape, x: KernelInputs, out: Float32Array, saved: Saved | null, scratch: Scratch): void {
  const { n, k, F, act, agg } = s;
  const widths = s.widths;
  const L = widths.length;
  const H0 = widths[0]!;
  const O = widths[L - 1]!;
  const A = scratch.get('A', n * H0);
  const B = F > 0 ? scratch.get('B', n * H0) : null;
  nodeTerms(s, x, A, B, scratch);
  const W0 = x.W[0]!;
  let maxW = 0;
  for (const w of widths) maxW = Math.max(maxW, w);
  const cur = scratch.get('cur', maxW);
  const nxt = scratch.get('nxt', maxW);
  const idx = x.indices, dx = x.vectors;
  const argmax = saved ? saved.argmax : null;
  for (let i = 0; i < n; i++) {
    const oi = i * O;
    for (let s2 = 0; s2 < k; s2++) {
      const e = i * k + s2;
      const j = idx[e]!;
      const d0 = dx[3 * e]!, d1 = dx[3 * e + 1]!, d2 = dx[3 * e + 2]!;
      // layer 0 (factorized)
      let width = H0;
      for (let h = 0; h < H0; h++) {
        let z = d0 * W0[h]! + d1 * W0[H0 + h]! + d2 * W0[2 * H0 + h]! + A[i * H0 + h]!;
        if (B !== null) z += B[j * H0 + h]!;
        cur[h] = z;
      }
      let a = cur, t = nxt;
      for (let l = 1; l < L; l++) {
        // activation of layer l-1
        const zs = saved && act === Act.Silu ? saved.z[l - 1]! : null;
        const as = saved ? saved.a[l - 1]! : null;
        const base = e * width;
        for (let h = 0; h < width; h++) {
          const z = a[h]!;
          if (zs) zs[base + h] = z;
          const v = act === Act.Relu ? (z > 0 ? z : 0) : act === Act.Tanh ? Math.tanh(z) : z * sigmoid(z);
          a[h] = v;
          if (as) as[base + h] = v;
        }
        const Wl = x.W[l]!, bl = x.b[l]!;
        const wOut = widths[l]!;
        for (let o = 0; o < wOut; o++) t[o] = bl[o]!;
        for (let h = 0; h < width; h++) {
          const v = a[h]!;
          if (v === 0) continue;
          const wr = h * wOut;
          for (let o = 0; o < wOut; o++) t[o] += v * Wl[wr + o]!;
        }
        const tmp = a; a = t; t = tmp;
        width = wOut;
      }
      // aggregate the last layer's output (no activation)
      if (agg === Agg.Max) {
        if (s2 === 0) {
          for (let c = 0; c < O; c++) out[oi + c] = a[c]!;
          if (argmax) for (let c = 0; c < O; c++) argmax[oi + c] = 0;
        } else {
          for (let c = 0; c < O; c++) {
            if (a[c]! > out[oi + c]!) {
              out[oi + c] = a[c]!;
              if (argmax) argmax[oi + c] = s2;
            }
          }
        }
      } else {
        if (s2 === 0) for (let c = 0; c < O; c++) out[oi + c] = a[c]!;
        else for (let c = 0; c < O; c++) out[oi + c] += a[c]!;
      }
    }
    if (agg === Agg.Mean) for (let c = 0; c < O; c++) out[oi + c] /= k;
  }
}

/**
 * Backward pass: given dOut [n * O] and the buffers saved by {@link forward}, accumulates (writes)
 * all gradients into `grads` (overwritten).
 * @internal
 */
export function backward(s: KernelShape, x: KernelInputs, saved: Saved, dOut: Float32Array, grads: KernelGrads,
  scratch: Scratch): void {
  const { n, k, F, act, agg } = s;
  const widths = s.widths;
  const L = widths.length;
  const H0 = widths[0]!;
  const O = widths[L - 1]!;
  for (const a of grads.dW) a.fill(0);
  for (const a of grads.db) a.fill(0);
  const dA = scratch.get('dA', n * H0).fill(0);
  const dB = F > 0 ? scratch.get('dB', n * H0).fill(0) : null;
  let maxW = 0;
  for (const w of widths) maxW = Math.max(maxW, w);
  const dz = scratch.get('dz', maxW);
  const da = scratch.get('da', maxW);
  const idx = x.indices, dx = x.vectors;
  const W0 = x.W[0]!;
  const dW0 = grads.dW[0]!;
  const argmax = saved.argmax;
  const scale = agg === Agg.Mean ? 1 / k : 1;
  for (let i = 0; i < n; i++) {
    const oi = i * O;
    for (let s2 = 0; s2 < k; s2++) {
      const e = i * k + s2;
      // gradient wrt the last Linear's output on this edge
      let any = false;
      if (agg === Agg.Max) {
        for (let c = 0; c < O; c++) {
          if (argmax[oi + c] === s2) { dz[c] = dOut[oi + c]!; if (dz[c] !== 0) any = true; } else dz[c] = 0;
        }
      } else {
        for (let c = 0; c < O; c++) { dz[c] = dOut[oi + c]! * scale; if (dz[c] !== 0) any = true; }
      }
      if (!any) continue;
      let width = O;
      for (let l = L - 1; l >= 1; l--) {
        const inW = widths[l - 1]!;
        const aPrev = saved.a[l - 1]!;
        const base = e * inW;
        const Wl = x.W[l]!, dWl = grads.dW[l]!, dbl = grads.db[l]!;
        for (let o = 0; o < width; o++) dbl[o] += dz[o]!;
        for (let h = 0; h < inW; h++) {
          const av = aPrev[base + h]!;
          const wr = h * width;
          let acc = 0;
          for (let o = 0; o < width; o++) {
            const g = dz[o]!;
            acc += Wl[wr + o]! * g;
            if (av !== 0) dWl[wr + o] += av * g;
          }
          da[h] = acc;
        }
        // through the activation of layer l-1
        if (act === Act.Relu) {
          for (let h = 0; h < inW; h++) dz[h] = aPrev[base + h]! > 0 ? da[h]! : 0;
        } else if (act === Act.Tanh) {
          for (let h = 0; h < inW; h++) { const v = aPrev[base + h]!; dz[h] = da[h]! * (1 - v * v); }
        } else {
          const zs = saved.z[l - 1]!;
          for (let h = 0; h < inW; h++) {
            const z = zs[base + h]!;
            const sg = sigmoid(z);
            dz[h] = da[h]! * sg * (1 + z * (1 - sg));
          }
        }
        width = inW;
      }
      // layer 0: dWd += dx^T dz0, dA_i += dz0, dB_j += dz0
      const d0 = dx[3 * e]!, d1 = dx[3 * e + 1]!, d2 = dx[3 * e + 2]!;
      const j = idx[e]!;
      for (let h = 0; h < H0; h++) {
        const g = dz[h]!;
        dW0[h] += d0 * g;
        dW0[H0 + h] += d1 * g;
        dW0[2 * H0 + h] += d2 * g;
        dA[i * H0 + h] += g;
        if (dB !== null) dB[j * H0 + h] += g;
      }
    }
  }
  // node level: A_i = b0 + g_r Wg + f_i (Wi - Wj); B_j = f_j Wj
  globalRowBackward(s, x, dA, grads, scratch.get64('dAr', s.gRows * H0));
  const f = x.f, df = grads.df;
  if (F > 0 && f !== null && df !== null && dB !== null) {
    // recomputed: a later forward pass of this layer (same scratch) may have overwritten forward's copy
    const Wd = scratch.get('WiMinusWj', F * H0);
    featureWeightDiff(s, x, Wd);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < F; c++) {
        const v = f[i * F + c]!;
        const wi = (3 + c) * H0, wj = (3 + F + c) * H0, wd = c * H0;
        let acc = 0;
        for (let h = 0; h < H0; h++) {
          const ga = dA[i * H0 + h]!, gb = dB[i * H0 + h]!;
          dW0[wi + h] += v * ga;
          dW0[wj + h] += v * (gb - ga);
          acc += ga * Wd[wd + h]! + gb * W0[wj + h]!;
        }
        df[i * F + c] = acc;
      }
    }
  }
}
