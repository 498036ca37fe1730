import { describeValue } from '../describeValue';
import { CoreError } from '../errors';

/**
 * A seedable, reproducible random source. All sampling in the mddm packages takes one, so a run is
 * reproducible from its seed, and {@link Rng.state} / {@link Rng.setState} let training resume
 * bit-identically.
 */
export interface Rng {
  /** Uniform double in `[0, 1)` with 53 random bits. */
  uniform(): number;
  /** Standard normal `N(0, 1)` (Marsaglia polar method). */
  normal(): number;
  /** Uniform 32-bit unsigned integer (one raw generator output). */
  uint32(): number;
  /** Uniform integer in `lo..hi` inclusive (unbiased, rejection sampling); `lo <= hi` safe integers. */
  integer(lo: number, hi: number): number;
  /** Fill `out` with uniforms in `[lo, hi)` (default `[0, 1)`); float32 values that round to `hi` become `lo`. */
  fillUniform(out: Float32Array | Float64Array, lo?: number, hi?: number): void;
  /** Fill `out` with independent standard normals. */
  fillNormal(out: Float32Array | Float64Array): void;
  /** A JSON-serializable snapshot of the complete generator state (including the cached normal). */
  state(): RngState;
  /** Restore a snapshot from {@link Rng.state}; subsequent draws are bit-identical. */
  setState(s: unknown): void;
}

/** Serialized state of the generator returned by {@link createRng}. */
export interface RngState {
  /** Always `'xoshiro128**'`. */
  readonly algorithm: 'xoshiro128**';
  /** The four 32-bit state words (unsigned). */
  readonly s: [number, number, number, number];
  /** The second normal of the last polar pair, not yet returned (or `null`). */
  readonly spare: number | null;
}

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** SplitMix32 output function: a 32-bit Weyl step (golden ratio increment) finalized by an avalanche hash. */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

class Xoshiro128ss implements Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    // Split the safe integer into two 32-bit halves and feed both through a SplitMix32 stream.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO32) >>> 0;
    let w = (lo ^ mix32(hi ^ 0x6a09e667)) | 0;
    const next = (): number => {
      w = (w + 0x9e3779b9) | 0;
      return mix32(w);
    };
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  uint32(): number {
    const s0 = this.s0, s1 = this.s1;
    let s2 = this.s2, s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  uniform(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO53;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  integer(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo || hi - lo >= TWO32) {
      throw new CoreError(`Rng.integer: need safe integers lo <= hi with hi - lo < 2^32, got lo = ${describeValue(lo)}, hi = ${describeValue(hi)}`, 'CORE_BAD_ARG');
    }
    const range = hi - lo + 1;
    if (range === TWO32) return lo + this.uint32();
    const limit = TWO32 - (TWO32 % range); // reject the incomplete top block
    let x: number;
    do x = this.uint32();
    while (x >= limit);
    return lo + (x % range);
  }

  fillUniform(out: Float32Array | Float64Array, lo = 0, hi = 1): void {
    if (!(out instanceof Float64Array || out instanceof Float32Array)) {
      throw new CoreError(`Rng.fillUniform: out must be a Float32Array or Float64Array, got ${describeValue(out)}`, 'CORE_BAD_ARG');
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw new CoreError(`Rng.fillUniform: need finite lo < hi, got lo = ${describeValue(lo)}, hi = ${describeValue(hi)}`, 'CORE_BAD_ARG');
    }
    const w = hi - lo;
    const n = out.length;
    for (let i = 0; i < n; i++) {
      out[i] = lo + w * this.uniform();
      if (out[i] >= hi) out[i] = lo; // rounding (float32 store, or w * u rounding up): use the periodic image
    }
  }

  fillNormal(out: Float32Array | Float64Array): void {
    if (!(out instanceof Float64Array || out instanceof Float32Array)) {
      throw new CoreError(`Rng.fillNormal: out must be a Float32Array or Float64Array, got ${describeValue(out)}`, 'CORE_BAD_ARG');
    }
    const n = out.length;
    let i = 0;
    if (n > 0 && this.hasSpare) {
      out[i++] = this.spare;
      this.hasSpare = false;
    }
    // Same stream as repeated normal(), with the generator state held in locals (hot path).
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    while (i < n) {
      let u: number, v: number, s: number;
      do {
        // four xoshiro128** outputs -> two 53-bit uniforms
        let m = Math.imul(s1, 5);
        const r0 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        let t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        m = Math.imul(s1, 5);
        const r1 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        m = Math.imul(s1, 5);
        const r2 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        m = Math.imul(s1, 5);
        const r3 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
        t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        u = (2 * ((r0 >>> 5) * 67108864 + (r1 >>> 6))) / TWO53 - 1;
        v = (2 * ((r2 >>> 5) * 67108864 + (r3 >>> 6))) / TWO53 - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = u * f;
      if (i < n) out[i++] = v * f;
      else {
        this.spare = v * f;
        this.hasSpare = true;
      }
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
  }

  state(): RngState {
    return {
      algorithm: 'xoshiro128**',
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spare: this.hasSpare ? this.spare : null,
    };
  }

  setState(st: unknown): void {
    const o = st as { algorithm?: unknown; s?: unknown; spare?: unknown } | null;
    const ok =
      o !== null && typeof o === 'object' && o.algorithm === 'xoshiro128**' && Array.isArray(o.s) && o.s.length === 4 &&
      o.s.every((x) => Number.isInteger(x) && x >= 0 && x < TWO32) && (o.s as number[]).some((x) => x !== 0) &&
      (o.spare === null || (typeof o.spare === 'number' && Number.isFinite(o.spare)));
    if (!ok) {
      throw new CoreError(
        `Rng.setState: expected { algorithm: 'xoshiro128**', s: [4 uint32, not all 0], spare: number | null } from Rng.state(), got ${describeValue(st)}`,
        'CORE_BAD_STATE',
      );
    }
    const s = o!.s as number[];
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
    this.hasSpare = o!.spare !== null;
    this.spare = this.hasSpare ? (o!.spare as number) : 0;
  }
}

/**
 * Create the library's reproducible random source.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018; 128-bit state, period 2^128 - 1, 32-bit output,
 * `rotl(s1 * 5, 7) * 9` scrambler). Seeding: the safe-integer seed is split into its low and high
 * 32-bit words, combined, and expanded to the four state words by SplitMix32 (a Weyl sequence with
 * increment `0x9e3779b9`, each output finalized by the avalanche hash
 * `z ^= z >>> 16; z *= 0x21f0aaad; z ^= z >>> 15; z *= 0x735a2d97; z ^= z >>> 15`).
 * Uniforms: two outputs give a 53-bit double `(a >>> 5) * 2^26 + (b >>> 6)` over `2^53`, in `[0, 1)`.
 * Normals: Marsaglia's polar method (pairs; the second value is cached and is part of the state).
 *
 * @param seed - any safe integer (negative allowed); equal seeds give identical streams
 * @throws {@link CoreError} `CORE_BAD_SEED` if the seed is not a safe integer
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new CoreError(`createRng: seed must be a safe integer, got ${describeValue(seed)}`, 'CORE_BAD_SEED');
  }
  return new Xoshiro128ss(seed);
}
