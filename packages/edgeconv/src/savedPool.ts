/**
 * The pool of saved-state slots of one layer: what a forward pass run under a gradient tape keeps
 * for its backward pass (activations, argmax), in typed arrays for the TypeScript kernel or in
 * arena regions for the wasm kernel. A training step takes one slot per layer call and returns it
 * after the backward pass, so steady-state training allocates none. @internal
 */
import { Act } from './kernelTypes';
import type { KernelShape, Saved } from './kernelTypes';
import type { WasmKernel } from './wasmKernel';

/** Completion flag of one forward pass's slot (set once its backward pass ran). @internal */
export interface SlotState { done: boolean }

/**
 * Returns a slot to its pool when the gradient closure of its forward pass is garbage collected
 * without the backward pass having run (e.g. a tape whose loss did not use the output): otherwise
 * such a slot, and its arena memory, would be lost for good.
 */
const slotReaper = new FinalizationRegistry<{ pool: SavedPool; saved: Saved; state: SlotState }>((held) => {
  if (!held.state.done) held.pool.put(held.saved);
});

/** Saved-state slots of one layer, reused across calls of the same shape. @internal */
export class SavedPool {
  private readonly free: Saved[] = [];
  private slots = 0;

  /**
   * @param layerKey - arena key prefix of the layer (its wasm slots are named `<layerKey>.saved<i>`)
   * @param widths - output widths of the layer's Linears `[H0, ..., O]`
   */
  constructor(private readonly layerKey: string, private readonly widths: readonly number[]) {}

  /** A free slot for a call of shape `s` on `wasm` (or the TypeScript kernel when null), made if none. */
  take(s: KernelShape, wasm: WasmKernel | null): Saved {
    const key = `${s.n}:${s.k}:${s.act}:${wasm ? 'wasm' : 'ts'}`;
    const i = this.free.findIndex((saved) => saved.key === key);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    if (wasm) {
      return { key, a: [], z: [], argmax: new Int32Array(0), wasm: wasm.savedSlot(`${this.layerKey}.saved${this.slots++}`, s) };
    }
    const E = s.n * s.k;
    const hidden = this.widths.slice(0, -1);
    return {
      key,
      wasm: null,
      a: hidden.map((h) => new Float32Array(E * h)),
      z: s.act === Act.Silu ? hidden.map((h) => new Float32Array(E * h)) : [],
      argmax: new Int32Array(s.n * this.widths[this.widths.length - 1]!),
    };
  }

  /** Returns a slot for reuse. */
  put(saved: Saved): void { this.free.push(saved); }

  /**
   * Returns `saved` to this pool when `token` is collected while `state.done` is still false.
   * Keep `token` reachable from the backward closure.
   */
  returnOnCollect(token: object, saved: Saved, state: SlotState): void {
    slotReaper.register(token, { pool: this, saved, state });
  }

  /** Forgets every free slot (the layer was disposed; its arena regions are released separately). */
  clear(): void { this.free.length = 0; }
}
