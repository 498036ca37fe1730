/**
 * A linear-memory allocator over the kernel's shared `WebAssembly.Memory`: named regions that are
 * reused call after call (the kernel keeps only byte offsets, never views, so growing the memory
 * invalidates nothing it holds), a first-fit free list for released regions, and growth up to the
 * module's 2 GiB maximum. Memory is never returned to the OS: the arena stays at its peak. @internal
 */
import { MAX_PAGES, PAGE_BYTES } from './wasmModule';

/** Named, reusable, 16-byte-aligned regions of one `WebAssembly.Memory`. @internal */
export class WasmArena {
  private top = 1024; // keep address 0 unused
  private readonly regions = new Map<string, { ptr: number; bytes: number }>();
  private readonly free: { ptr: number; bytes: number }[] = [];

  /** @param memory - the memory the regions live in (grown on demand) */
  constructor(readonly memory: WebAssembly.Memory) {}

  /**
   * A 16-byte-aligned region of at least `bytes` reused under `key` (moved if too small).
   * @throws RangeError when the memory cannot grow (2 GiB limit, or the host refuses): the caller
   *   falls back to the TypeScript kernel
   */
  region(key: string, bytes: number): number {
    const r = this.regions.get(key);
    if (r !== undefined && r.bytes >= bytes) return r.ptr;
    if (r !== undefined) this.free.push(r);
    bytes = (bytes + 15) & ~15;
    const reused = this.firstFit(key, bytes);
    if (reused >= 0) return reused;
    const ptr = (this.top + 15) & ~15;
    const end = ptr + bytes;
    this.ensureBytes(end);
    this.top = end;
    this.regions.set(key, { ptr, bytes });
    return ptr;
  }

  /** Takes the first released block of at least `bytes` for `key`; returns its pointer or -1. */
  private firstFit(key: string, bytes: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.bytes < bytes) continue;
      this.free.splice(i, 1);
      // split off the tail only when it is worth a later request
      if (f.bytes - bytes >= 4096) this.free.push({ ptr: f.ptr + bytes, bytes: f.bytes - bytes });
      this.regions.set(key, { ptr: f.ptr, bytes });
      return f.ptr;
    }
    return -1;
  }

  /** Grows the memory so that `end` bytes are addressable. */
  private ensureBytes(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    if (have / PAGE_BYTES + pages > MAX_PAGES) {
      throw new RangeError(`edgeconv wasm arena: ${end} bytes exceed ${MAX_PAGES * PAGE_BYTES} bytes`);
    }
    this.memory.grow(pages);
  }

  /** Releases every region whose key starts with `prefix` (e.g. a disposed layer's) for reuse. */
  release(prefix: string): void {
    for (const [key, r] of this.regions) {
      if (key.startsWith(prefix)) {
        this.regions.delete(key);
        this.free.push(r);
      }
    }
  }

  /** Bytes of the arena in use by live regions, and its high-water mark. */
  usage(): { liveBytes: number; topBytes: number } {
    let live = 0;
    for (const r of this.regions.values()) live += r.bytes;
    return { liveBytes: live, topBytes: this.top };
  }

  /** A float32 view of `len` values at `ptr` (take a new view after `region` calls: growth replaces `memory.buffer`). */
  f32(ptr: number, len: number): Float32Array { return new Float32Array(this.memory.buffer, ptr, len); }

  /** An int32 view of `len` values at `ptr` (take a new view after `region` calls: growth replaces `memory.buffer`). */
  i32(ptr: number, len: number): Int32Array { return new Int32Array(this.memory.buffer, ptr, len); }
}
