/**
 * Reusable typed-array scratch of the TypeScript kernel, keyed by name: buffers grow to the largest
 * call seen and are then reused, so a training step allocates no per-call arrays. @internal
 */
export class Scratch {
  private readonly f32 = new Map<string, Float32Array>();
  private readonly f64 = new Map<string, Float64Array>();

  /** A Float32Array of `len` (contents unspecified) reused across calls under `name`. */
  get(name: string, len: number): Float32Array {
    let a = this.f32.get(name);
    if (a === undefined || a.length < len) {
      a = new Float32Array(len);
      this.f32.set(name, a);
    }
    return a.length === len ? a : a.subarray(0, len);
  }

  /** A Float64Array of `len` (contents unspecified) reused across calls under `name`. */
  get64(name: string, len: number): Float64Array {
    let a = this.f64.get(name);
    if (a === undefined || a.length < len) {
      a = new Float64Array(len);
      this.f64.set(name, a);
    }
    return a.length === len ? a : a.subarray(0, len);
  }
}
