// Fused PBC-Conv kernel (relu hidden activations) in AssemblyScript with 128-bit SIMD.
// Built by scripts/build-wasm.mjs into src/generated/kernel-wasm.ts (base64), so users need no compiler.
// All buffers live in the imported linear memory; the JS side (src/wasm.ts) lays them out.
// Widths must be multiples of 4. Weights are row-major [in, out]. See src/kernel.ts for the math.
//
// A "net" descriptor (i32 words at `net`): [nL, W0, b0, in0, out0, W1, b1, in1, out1, ...]
// A "save" descriptor (i32 words): [a_0, a_1, ..., a_{nL-2}] pointers to [E, out_l] post-relu values.
// A "grad" descriptor (i32 words): [dW0, db0, dW1, db1, ...].

@inline function netW(net: usize, l: i32): usize { return <usize>load<i32>(net + 4 + 16 * l); }
@inline function netB(net: usize, l: i32): usize { return <usize>load<i32>(net + 8 + 16 * l); }
@inline function netIn(net: usize, l: i32): i32 { return load<i32>(net + 12 + 16 * l); }
@inline function netOut(net: usize, l: i32): i32 { return load<i32>(net + 16 + 16 * l); }

/** A[i] = gT[row(i)] + sum_c f[i,c] (Wi - Wj)[c];  B[i] = sum_c f[i,c] Wj[c], for i in [lo, hi). */
export function nodeTerms(F: i32, H: i32, npf: i32, gRows: i32, f: usize, gT: usize, Wdiff: usize, Wj: usize,
  A: usize, B: usize, lo: i32, hi: i32): void {
  const rowBytes = <usize>H << 2;
  if (H == 32) {
    for (let i = lo; i < hi; i++) {
      const r = gRows == 1 ? 0 : i / npf;
      const fi = f + ((<usize>(i * F)) << 2);
      rowTimes32(fi, F, gT + <usize>r * rowBytes, Wdiff, A + <usize>i * rowBytes);
      if (F > 0) rowTimes32(fi, F, 0, Wj, B + <usize>i * rowBytes);
    }
    return;
  }
  for (let i = lo; i < hi; i++) {
    const r = gRows == 1 ? 0 : i / npf;
    const a = A + <usize>i * rowBytes, b = B + <usize>i * rowBytes, g = gT + <usize>r * rowBytes;
    for (let o: usize = 0; o < rowBytes; o += 16) {
      v128.store(a + o, v128.load(g + o));
      if (F > 0) v128.store(b + o, f32x4.splat(0));
    }
    for (let c = 0; c < F; c++) {
      const v = load<f32>(f + ((<usize>(i * F + c)) << 2));
      if (v == 0) continue;
      const s = f32x4.splat(v);
      const wd = Wdiff + <usize>c * rowBytes, wj = Wj + <usize>c * rowBytes;
      for (let o: usize = 0; o < rowBytes; o += 16) {
        v128.store(a + o, f32x4.add(v128.load(a + o), f32x4.mul(s, v128.load(wd + o))));
        v128.store(b + o, f32x4.add(v128.load(b + o), f32x4.mul(s, v128.load(wj + o))));
      }
    }
  }
}

/** y[0..32) = (init ? init : 0) + sum_c x[c] W[c, 0..32), register accumulators. */
@inline function rowTimes32(x: usize, n: i32, init: usize, W: usize, y: usize): void {
  const z = f32x4.splat(0);
  let c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
  if (init != 0) {
    c0 = v128.load(init); c1 = v128.load(init, 16); c2 = v128.load(init, 32); c3 = v128.load(init, 48);
    c4 = v128.load(init, 64); c5 = v128.load(init, 80); c6 = v128.load(init, 96); c7 = v128.load(init, 112);
  }
  for (let c = 0; c < n; c++) {
    const s = v128.load32_splat(x + (<usize>c << 2));
    const w = W + (<usize>c << 7);
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(w)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(w, 16)));
    c2 = f32x4.add(c2, f32x4.mul(s, v128.load(w, 32)));
    c3 = f32x4.add(c3, f32x4.mul(s, v128.load(w, 48)));
    c4 = f32x4.add(c4, f32x4.mul(s, v128.load(w, 64)));
    c5 = f32x4.add(c5, f32x4.mul(s, v128.load(w, 80)));
    c6 = f32x4.add(c6, f32x4.mul(s, v128.load(w, 96)));
    c7 = f32x4.add(c7, f32x4.mul(s, v128.load(w, 112)));
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
  v128.store(y, c4, 64); v128.store(y, c5, 80); v128.store(y, c6, 96); v128.store(y, c7, 112);
}

/** Indices h in [0, n) with x[h] > 0, written to nz (i32); returns the count. Branch-free. */
@inline function compact(x: usize, n: i32, nz: usize): i32 {
  let cnt = 0;
  for (let h = 0; h < n; h++) {
    store<i32>(nz + (<usize>cnt << 2), h);
    cnt += i32(load<f32>(x + (<usize>h << 2)) > 0);
  }
  return cnt;
}

/** Bit h set iff x[h] > 0, for n <= 32 (multiple of 4). */
@inline function maskOf(x: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let m = 0;
  for (let q = 0; q < n; q += 4) m |= i32x4.bitmask(f32x4.gt(v128.load(x + (<usize>q << 2)), zero)) << q;
  return m;
}

/** matvec32 over the set bits of `mask` (input width <= 32); returns the output's positivity mask if relu. */
@inline function matvec32Mask(x: usize, mask: i32, W: usize, b: usize, y: usize, relu: bool): i32 {
  let c0 = v128.load(b), c1 = v128.load(b, 16), c2 = v128.load(b, 32), c3 = v128.load(b, 48);
  let c4 = v128.load(b, 64), c5 = v128.load(b, 80), c6 = v128.load(b, 96), c7 = v128.load(b, 112);
  for (let m = mask; m != 0; m &= m - 1) {
    const h = ctz<i32>(m);
    const s = v128.load32_splat(x + (<usize>h << 2));
    const w = W + (<usize>h << 7);
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(w)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(w, 16)));
    c2 = f32x4.add(c2, f32x4.mul(s, v128.load(w, 32)));
    c3 = f32x4.add(c3, f32x4.mul(s, v128.load(w, 48)));
    c4 = f32x4.add(c4, f32x4.mul(s, v128.load(w, 64)));
    c5 = f32x4.add(c5, f32x4.mul(s, v128.load(w, 80)));
    c6 = f32x4.add(c6, f32x4.mul(s, v128.load(w, 96)));
    c7 = f32x4.add(c7, f32x4.mul(s, v128.load(w, 112)));
  }
  let out = 0;
  if (relu) {
    const z = f32x4.splat(0);
    c0 = f32x4.max(c0, z); c1 = f32x4.max(c1, z); c2 = f32x4.max(c2, z); c3 = f32x4.max(c3, z);
    c4 = f32x4.max(c4, z); c5 = f32x4.max(c5, z); c6 = f32x4.max(c6, z); c7 = f32x4.max(c7, z);
    out = i32x4.bitmask(f32x4.gt(c0, z)) | (i32x4.bitmask(f32x4.gt(c1, z)) << 4) | (i32x4.bitmask(f32x4.gt(c2, z)) << 8)
      | (i32x4.bitmask(f32x4.gt(c3, z)) << 12) | (i32x4.bitmask(f32x4.gt(c4, z)) << 16) | (i32x4.bitmask(f32x4.gt(c5, z)) << 20)
      | (i32x4.bitmask(f32x4.gt(c6, z)) << 24) | (i32x4.bitmask(f32x4.gt(c7, z)) << 28);
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
  v128.store(y, c4, 64); v128.store(y, c5, 80); v128.store(y, c6, 96); v128.store(y, c7, 112);
  return out;
}

/** y = b + sum_{t < cnt} x[nz[t]] W[nz[t], :] for out width 32, register accumulators; relu if `relu`. */
@inline function matvec32(x: usize, nz: usize, cnt: i32, W: usize, b: usize, y: usize, relu: bool): void {
  let c0 = v128.load(b), c1 = v128.load(b, 16), c2 = v128.load(b, 32), c3 = v128.load(b, 48);
  let c4 = v128.load(b, 64), c5 = v128.load(b, 80), c6 = v128.load(b, 96), c7 = v128.load(b, 112);
  for (let t = 0; t < cnt; t++) {
    const h = load<i32>(nz + (<usize>t << 2));
    const s = v128.load32_splat(x + (<usize>h << 2));
    const w = W + (<usize>h << 7);
    c0 = f32x4.add(c0, f32x4.mul(s, v128.load(w)));
    c1 = f32x4.add(c1, f32x4.mul(s, v128.load(w, 16)));
    c2 = f32x4.add(c2, f32x4.mul(s, v128.load(w, 32)));
    c3 = f32x4.add(c3, f32x4.mul(s, v128.load(w, 48)));
    c4 = f32x4.add(c4, f32x4.mul(s, v128.load(w, 64)));
    c5 = f32x4.add(c5, f32x4.mul(s, v128.load(w, 80)));
    c6 = f32x4.add(c6, f32x4.mul(s, v128.load(w, 96)));
    c7 = f32x4.add(c7, f32x4.mul(s, v128.load(w, 112)));
  }
  if (relu) {
    const z = f32x4.splat(0);
    c0 = f32x4.max(c0, z); c1 = f32x4.max(c1, z); c2 = f32x4.max(c2, z); c3 = f32x4.max(c3, z);
    c4 = f32x4.max(c4, z); c5 = f32x4.max(c5, z); c6 = f32x4.max(c6, z); c7 = f32x4.max(c7, z);
  }
  v128.store(y, c0); v128.store(y, c1, 16); v128.store(y, c2, 32); v128.store(y, c3, 48);
  v128.store(y, c4, 64); v128.store(y, c5, 80); v128.store(y, c6, 96); v128.store(y, c7, 112);
}

/** Generic-width version of matvec32 (accumulates in memory at y). */
function matvecN(x: usize, nz: usize, cnt: i32, W: usize, b: usize, y: usize, ow: i32, relu: bool): void {
  const rowBytes = <usize>ow << 2;
  for (let o: usize = 0; o < rowBytes; o += 16) v128.store(y + o, v128.load(b + o));
  for (let t = 0; t < cnt; t++) {
    const h = load<i32>(nz + (<usize>t << 2));
    const s = v128.load32_splat(x + (<usize>h << 2));
    const w = W + <usize>h * rowBytes;
    for (let o: usize = 0; o < rowBytes; o += 16) v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(s, v128.load(w + o))));
  }
  if (relu) {
    const z = f32x4.splat(0);
    for (let o: usize = 0; o < rowBytes; o += 16) v128.store(y + o, f32x4.max(v128.load(y + o), z));
  }
}

/**
 * Forward over the edges of nodes [lo, hi). out [n, O]; save (descriptor or 0) receives post-relu
 * hidden values per edge; argmax (or 0) the winning neighbor slot per (node, channel) for agg = 0 (max).
 * agg: 0 max, 1 mean, 2 sum. scratch: >= 4 * maxWidth * 4 + maxWidth * 4 bytes.
 */
export function forwardEdges(k: i32, net: usize, idx: usize, dx: usize, A: usize, B: usize, hasB: i32, out: usize,
  save: usize, argmax: usize, agg: i32, lo: i32, hi: i32, scratch: usize): void {
  const nL = load<i32>(net);
  const H0 = netOut(net, 0);
  const O = netOut(net, nL - 1);
  const W0 = netW(net, 0);
  const h0Bytes = <usize>H0 << 2;
  const oBytes = <usize>O << 2;
  const bufA = scratch, bufB = scratch + 1024, zL = scratch + 2048, nz = scratch + 3072;
  const zero = f32x4.splat(0);
  const invK = f32x4.splat(1 / <f32>k);
  for (let i = lo; i < hi; i++) {
    const Ai = A + <usize>i * h0Bytes;
    const outI = out + <usize>i * oBytes;
    const amI = argmax + <usize>i * oBytes;
    for (let s = 0; s < k; s++) {
      const e = i * k + s;
      const j = load<i32>(idx + (<usize>e << 2));
      const dxe = dx + <usize>e * 12;
      const s0 = v128.load32_splat(dxe), s1 = v128.load32_splat(dxe, 4), s2 = v128.load32_splat(dxe, 8);
      const Bj = B + <usize>j * h0Bytes;
      let a: usize = save != 0 ? <usize>load<i32>(save) + <usize>e * h0Bytes : bufA;
      let mask = 0;
      for (let o: usize = 0; o < h0Bytes; o += 16) {
        let z = f32x4.add(v128.load(Ai + o), f32x4.mul(s0, v128.load(W0 + o)));
        z = f32x4.add(z, f32x4.mul(s1, v128.load(W0 + h0Bytes + o)));
        z = f32x4.add(z, f32x4.mul(s2, v128.load(W0 + 2 * h0Bytes + o)));
        if (hasB) z = f32x4.add(z, v128.load(Bj + o));
        z = f32x4.max(z, zero);
        v128.store(a + o, z);
        mask |= i32x4.bitmask(f32x4.gt(z, zero)) << <i32>(o >> 2);
      }
      let width = H0;
      for (let l = 1; l < nL; l++) {
        const ow = netOut(net, l);
        const last = l == nL - 1;
        const y: usize = last ? zL : (save != 0 ? <usize>load<i32>(save + (<usize>l << 2)) + <usize>e * (<usize>ow << 2) : (a == bufA ? bufB : bufA));
        if (ow == 32 && width <= 32) {
          mask = matvec32Mask(a, mask, netW(net, l), netB(net, l), y, !last);
        } else {
          const cnt = compact(a, width, nz);
          if (ow == 32) matvec32(a, nz, cnt, netW(net, l), netB(net, l), y, !last);
          else matvecN(a, nz, cnt, netW(net, l), netB(net, l), y, ow, !last);
          mask = ow <= 32 ? maskOf(y, ow) : 0;
        }
        a = y;
        width = ow;
      }
      // aggregate zL into out[i]
      if (agg == 0) {
        if (s == 0) {
          for (let o: usize = 0; o < oBytes; o += 16) {
            v128.store(outI + o, v128.load(zL + o));
            if (argmax != 0) v128.store(amI + o, i32x4.splat(0));
          }
        } else {
          const sv = i32x4.splat(s);
          for (let o: usize = 0; o < oBytes; o += 16) {
            const z = v128.load(zL + o), cur = v128.load(outI + o);
            const m = f32x4.gt(z, cur);
            v128.store(outI + o, v128.bitselect(z, cur, m));
            if (argmax != 0) v128.store(amI + o, v128.bitselect(sv, v128.load(amI + o), m));
          }
        }
      } else {
        if (s == 0) for (let o: usize = 0; o < oBytes; o += 16) v128.store(outI + o, v128.load(zL + o));
        else for (let o: usize = 0; o < oBytes; o += 16) v128.store(outI + o, f32x4.add(v128.load(outI + o), v128.load(zL + o)));
      }
    }
    if (agg == 1) for (let o: usize = 0; o < oBytes; o += 16) v128.store(outI + o, f32x4.mul(v128.load(outI + o), invK));
  }
}

/** Backward through Linear l for the generic paths (index list nz[0..cnt) of nonzero inputs). */
function backRest(l: i32, nL: i32, agg: i32, nAct: i32, width: i32, inW: i32, aPrev: usize, W: usize, dW: usize,
  db: usize, dz: usize, da: usize, nz: usize, cnt: i32, act: usize): void {
  const wBytes = <usize>width << 2;
  const zero = f32x4.splat(0);
  if (agg == 0 && l == nL - 1 && nAct * 4 < width) {
    // sparse: few active output channels
    for (let t = 0; t < cnt; t++) store<f32>(da + (<usize>load<i32>(nz + (<usize>t << 2)) << 2), 0);
    for (let q = 0; q < nAct; q++) {
      const c = load<i32>(act + (<usize>q << 2));
      const g = load<f32>(dz + (<usize>c << 2));
      store<f32>(db + (<usize>c << 2), load<f32>(db + (<usize>c << 2)) + g);
      for (let t = 0; t < cnt; t++) {
        const h = load<i32>(nz + (<usize>t << 2));
        const p = (<usize>(h * width + c)) << 2;
        store<f32>(dW + p, load<f32>(dW + p) + load<f32>(aPrev + (<usize>h << 2)) * g);
        store<f32>(da + (<usize>h << 2), load<f32>(da + (<usize>h << 2)) + load<f32>(W + p) * g);
      }
    }
  } else {
    for (let o: usize = 0; o < wBytes; o += 16) v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(dz + o)));
    if (width == 32) {
      const g0 = v128.load(dz), g1 = v128.load(dz, 16), g2 = v128.load(dz, 32), g3 = v128.load(dz, 48);
      const g4 = v128.load(dz, 64), g5 = v128.load(dz, 80), g6 = v128.load(dz, 96), g7 = v128.load(dz, 112);
      for (let t = 0; t < cnt; t++) {
        const h = load<i32>(nz + (<usize>t << 2));
        const sa = v128.load32_splat(aPrev + (<usize>h << 2));
        const w = W + (<usize>h << 7), d = dW + (<usize>h << 7);
        v128.store(d, f32x4.add(v128.load(d), f32x4.mul(sa, g0)));
        v128.store(d, f32x4.add(v128.load(d, 16), f32x4.mul(sa, g1)), 16);
        v128.store(d, f32x4.add(v128.load(d, 32), f32x4.mul(sa, g2)), 32);
        v128.store(d, f32x4.add(v128.load(d, 48), f32x4.mul(sa, g3)), 48);
        v128.store(d, f32x4.add(v128.load(d, 64), f32x4.mul(sa, g4)), 64);
        v128.store(d, f32x4.add(v128.load(d, 80), f32x4.mul(sa, g5)), 80);
        v128.store(d, f32x4.add(v128.load(d, 96), f32x4.mul(sa, g6)), 96);
        v128.store(d, f32x4.add(v128.load(d, 112), f32x4.mul(sa, g7)), 112);
        let acc = f32x4.mul(v128.load(w), g0);
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 16), g1));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 32), g2));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 48), g3));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 64), g4));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 80), g5));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 96), g6));
        acc = f32x4.add(acc, f32x4.mul(v128.load(w, 112), g7));
        store<f32>(da + (<usize>h << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
          + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      }
    } else {
      for (let t = 0; t < cnt; t++) {
        const h = load<i32>(nz + (<usize>t << 2));
        const sa = v128.load32_splat(aPrev + (<usize>h << 2));
        const w = W + <usize>h * wBytes, d = dW + <usize>h * wBytes;
        let acc = zero;
        for (let o: usize = 0; o < wBytes; o += 16) {
          const g = v128.load(dz + o);
          v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(sa, g)));
          acc = f32x4.add(acc, f32x4.mul(v128.load(w + o), g));
        }
        store<f32>(da + (<usize>h << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
          + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      }
    }
  }
  // dz for Linear l-1 = da masked by relu'(a_{l-1}) (zero where a == 0)
  const inBytes = <usize>inW << 2;
  for (let o: usize = 0; o < inBytes; o += 16) v128.store(dz + o, zero);
  for (let t = 0; t < cnt; t++) {
    const h = <usize>load<i32>(nz + (<usize>t << 2)) << 2;
    store<f32>(dz + h, load<f32>(da + h));
  }
}

/**
 * Backward over the edges of nodes [lo, hi): accumulates (+=) into the grad descriptor's dW_l, db_l
 * (l >= 1), the dx rows of dW0, and dA [n, H0], dB [n, H0] (dB only if hasB).
 * dOut [n, O]; save/argmax as written by forwardEdges. scratch as forwardEdges.
 */
export function backwardEdges(k: i32, net: usize, idx: usize, dx: usize, hasB: i32, dOut: usize, save: usize,
  argmax: usize, agg: i32, grad: usize, dA: usize, dB: usize, lo: i32, hi: i32, scratch: usize): void {
  const nL = load<i32>(net);
  const H0 = netOut(net, 0);
  const O = netOut(net, nL - 1);
  const h0Bytes = <usize>H0 << 2;
  const oBytes = <usize>O << 2;
  const dz = scratch, da = scratch + 1024, nz = scratch + 2048, act = scratch + 3072;
  const dW0 = <usize>load<i32>(grad);
  const scale: f32 = agg == 1 ? 1 / <f32>k : 1;
  const zero = f32x4.splat(0);
  for (let i = lo; i < hi; i++) {
    const dOutI = dOut + <usize>i * oBytes;
    const amI = argmax + <usize>i * oBytes;
    for (let s = 0; s < k; s++) {
      const e = i * k + s;
      // dz of the last Linear on this edge; list of active channels
      let nAct = 0;
      if (agg == 0 && O > 32) {
        for (let c = 0; c < O; c++) {
          const hit = load<i32>(amI + (<usize>c << 2)) == s;
          store<f32>(dz + (<usize>c << 2), hit ? load<f32>(dOutI + (<usize>c << 2)) : 0);
          store<i32>(act + (<usize>nAct << 2), c);
          nAct += i32(hit);
        }
        if (nAct == 0) continue;
      } else if (agg == 0) {
        // channels this edge won: SIMD compare of the argmax row with s; dz = dOut there, 0 elsewhere
        const sv = i32x4.splat(s);
        let m = 0;
        for (let q = 0; q < O; q += 4) {
          const eq = i32x4.eq(v128.load(amI + (<usize>q << 2)), sv);
          v128.store(dz + (<usize>q << 2), v128.and(v128.load(dOutI + (<usize>q << 2)), eq));
          m |= i32x4.bitmask(eq) << q;
        }
        if (m == 0) continue;
        for (let mm = m; mm != 0; mm &= mm - 1) { store<i32>(act + (<usize>nAct << 2), ctz<i32>(mm)); nAct++; }
      } else {
        const sv = f32x4.splat(scale);
        for (let o: usize = 0; o < oBytes; o += 16) v128.store(dz + o, f32x4.mul(v128.load(dOutI + o), sv));
        nAct = O;
      }
      // through Linears nL-1 .. 1
      let width = O;
      for (let l = nL - 1; l >= 1; l--) {
        const inW = netIn(net, l);
        const aPrev = <usize>load<i32>(save + (<usize>(l - 1) << 2)) + <usize>e * (<usize>inW << 2);
        const W = netW(net, l);
        const dW = <usize>load<i32>(grad + (<usize>(2 * l) << 2));
        const db = <usize>load<i32>(grad + (<usize>(2 * l + 1) << 2));
        const wBytes = <usize>width << 2;
        const useMask = inW <= 32;
        const mask = useMask ? maskOf(aPrev, inW) : 0;
        const cnt = useMask ? 0 : compact(aPrev, inW, nz);
        if (useMask && width == 32 && !(agg == 0 && l == nL - 1 && nAct * 4 < width)) {
          for (let o: usize = 0; o < wBytes; o += 16) v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(dz + o)));
          const g0 = v128.load(dz), g1 = v128.load(dz, 16), g2 = v128.load(dz, 32), g3 = v128.load(dz, 48);
          const g4 = v128.load(dz, 64), g5 = v128.load(dz, 80), g6 = v128.load(dz, 96), g7 = v128.load(dz, 112);
          // dz for Linear l-1: da masked by relu' (zero where a == 0)
          const inBytes = <usize>inW << 2;
          for (let o: usize = 0; o < inBytes; o += 16) v128.store(da + o, zero);
          for (let m = mask; m != 0; m &= m - 1) {
            const h = ctz<i32>(m);
            const sa = v128.load32_splat(aPrev + (<usize>h << 2));
            const w = W + (<usize>h << 7), d = dW + (<usize>h << 7);
            v128.store(d, f32x4.add(v128.load(d), f32x4.mul(sa, g0)));
            v128.store(d, f32x4.add(v128.load(d, 16), f32x4.mul(sa, g1)), 16);
            v128.store(d, f32x4.add(v128.load(d, 32), f32x4.mul(sa, g2)), 32);
            v128.store(d, f32x4.add(v128.load(d, 48), f32x4.mul(sa, g3)), 48);
            v128.store(d, f32x4.add(v128.load(d, 64), f32x4.mul(sa, g4)), 64);
            v128.store(d, f32x4.add(v128.load(d, 80), f32x4.mul(sa, g5)), 80);
            v128.store(d, f32x4.add(v128.load(d, 96), f32x4.mul(sa, g6)), 96);
            v128.store(d, f32x4.add(v128.load(d, 112), f32x4.mul(sa, g7)), 112);
            let acc = f32x4.mul(v128.load(w), g0);
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 16), g1));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 32), g2));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 48), g3));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 64), g4));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 80), g5));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 96), g6));
            acc = f32x4.add(acc, f32x4.mul(v128.load(w, 112), g7));
            store<f32>(da + (<usize>h << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
              + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
          }
          for (let o: usize = 0; o < inBytes; o += 16) v128.store(dz + o, v128.load(da + o));
          width = inW;
          continue;
        }
        if (useMask) {
          // build the index list from the mask for the generic paths below
          let c2 = 0;
          for (let m = mask; m != 0; m &= m - 1) { store<i32>(nz + (<usize>c2 << 2), ctz<i32>(m)); c2++; }
          backRest(l, nL, agg, nAct, width, inW, aPrev, W, dW, db, dz, da, nz, c2, act);
        } else {
          backRest(l, nL, agg, nAct, width, inW, aPrev, W, dW, db, dz, da, nz, cnt, act);
        }
        width = inW;
      }
      // Linear 0: dWd += dx^T dz0, dA_i += dz0, dB_j += dz0
      const dxe = dx + <usize>e * 12;
      const s0 = v128.load32_splat(dxe), s1 = v128.load32_splat(dxe, 4), s2 = v128.load32_splat(dxe, 8);
      const j = load<i32>(idx + (<usize>e << 2));
      const dAi = dA + <usize>i * h0Bytes, dBj = dB + <usize>j * h0Bytes;
      for (let o: usize = 0; o < h0Bytes; o += 16) {
        const g = v128.load(dz + o);
        v128.store(dW0 + o, f32x4.add(v128.load(dW0 + o), f32x4.mul(s0, g)));
        v128.store(dW0 + h0Bytes + o, f32x4.add(v128.load(dW0 + h0Bytes + o), f32x4.mul(s1, g)));
        v128.store(dW0 + 2 * h0Bytes + o, f32x4.add(v128.load(dW0 + 2 * h0Bytes + o), f32x4.mul(s2, g)));
        v128.store(dAi + o, f32x4.add(v128.load(dAi + o), g));
        if (hasB) v128.store(dBj + o, f32x4.add(v128.load(dBj + o), g));
      }
    }
  }
}

/**
 * Node-level backward for nodes [lo, hi): df[i,c] = dA_i . (Wi - Wj)[c] + dB_i . Wj[c];
 * dWi[c] += f[i,c] dA_i; dWj[c] += f[i,c] (dB_i - dA_i). dWi/dWj point into dW0's rows.
 */
export function nodeBackward(F: i32, H: i32, f: usize, dA: usize, dB: usize, Wdiff: usize, Wj: usize, df: usize,
  dWi: usize, dWj: usize, lo: i32, hi: i32): void {
  const rowBytes = <usize>H << 2;
  for (let i = lo; i < hi; i++) {
    const a = dA + <usize>i * rowBytes, b = dB + <usize>i * rowBytes;
    for (let c = 0; c < F; c++) {
      const v = f32x4.splat(load<f32>(f + ((<usize>(i * F + c)) << 2)));
      const wd = Wdiff + <usize>c * rowBytes, wj = Wj + <usize>c * rowBytes;
      const pi = dWi + <usize>c * rowBytes, pj = dWj + <usize>c * rowBytes;
      let acc = f32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const ga = v128.load(a + o), gb = v128.load(b + o);
        acc = f32x4.add(acc, f32x4.add(f32x4.mul(ga, v128.load(wd + o)), f32x4.mul(gb, v128.load(wj + o))));
        v128.store(pi + o, f32x4.add(v128.load(pi + o), f32x4.mul(v, ga)));
        v128.store(pj + o, f32x4.add(v128.load(pj + o), f32x4.mul(v, f32x4.sub(gb, ga))));
      }
      store<f32>(df + ((<usize>(i * F + c)) << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
        + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    }
  }
}

/** Fills n f32 at p with zeros. */
export function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}
