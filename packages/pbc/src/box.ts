import { describeValue } from '@mddm/core';
import { PbcError } from './errors';

/**
 * A 3-D orthorhombic periodic box `[0, Lx) x [0, Ly) x [0, Lz)` (lengths in LJ units).
 *
 * The `kind` discriminant leaves room for future `'triclinic'` and 2-D boxes without breaking
 * callers: code that switches on `kind` keeps compiling when new kinds are added to {@link Box}.
 */
export interface OrthorhombicBox {
  /** Discriminant: axis-aligned box. */
  readonly kind: 'orthorhombic';
  /** Spatial dimension (3). */
  readonly dim: 3;
  /** Edge lengths `[Lx, Ly, Lz]`, all finite and > 0. Treat as read-only. */
  readonly lengths: Float64Array;
  /** `Lx * Ly * Lz`. */
  readonly volume: number;
}

/**
 * A periodic simulation box. Currently only {@link OrthorhombicBox}; switch on `kind`.
 */
export type Box = OrthorhombicBox;

/**
 * Anything accepted where a box is expected: a number `L` (cubic box of side `L`), a tuple
 * `[Lx, Ly, Lz]`, or a {@link Box} from {@link toBox}.
 */
export type BoxLike = number | readonly [number, number, number] | Box;

function checkLength(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
    throw new PbcError(`box ${what} must be a finite number > 0, got ${describeValue(v)}`, 'PBC_BAD_BOX');
  }
  return v;
}

/**
 * Validate and normalize a box.
 *
 * @param box - `L` (cubic), `[Lx, Ly, Lz]`, or an existing {@link Box} (returned as is after validation)
 * @returns a frozen {@link Box}
 * @throws {@link PbcError} (`PBC_BAD_BOX`) if a length is not a finite number > 0, the tuple does not
 *   have 3 entries, or the object is not a known box kind
 */
export function toBox(box: BoxLike): Box {
  if (typeof box === 'number') {
    const L = checkLength(box, 'length L');
    return Object.freeze({ kind: 'orthorhombic', dim: 3, lengths: Float64Array.of(L, L, L), volume: L * L * L });
  }
  if (Array.isArray(box)) {
    if (box.length !== 3) {
      throw new PbcError(`box must be a number L or [Lx, Ly, Lz] (3 entries), got an array of length ${box.length}`, 'PBC_BAD_BOX');
    }
    const x = checkLength(box[0], 'Lx'), y = checkLength(box[1], 'Ly'), z = checkLength(box[2], 'Lz');
    return Object.freeze({ kind: 'orthorhombic', dim: 3, lengths: Float64Array.of(x, y, z), volume: x * y * z });
  }
  if (box !== null && typeof box === 'object' && (box as Box).kind === 'orthorhombic') {
    const b = box as Box;
    if (!(b.lengths instanceof Float64Array) || b.lengths.length !== 3 || b.dim !== 3) {
      throw new PbcError(`box: an orthorhombic Box needs dim 3 and lengths: Float64Array(3), got lengths ${describeValue(b.lengths)}`, 'PBC_BAD_BOX');
    }
    checkLength(b.lengths[0], 'Lx'); checkLength(b.lengths[1], 'Ly'); checkLength(b.lengths[2], 'Lz');
    return b;
  }
  const kind = box !== null && typeof box === 'object' ? (box as { kind?: unknown }).kind : undefined;
  throw new PbcError(
    `box must be a number L, [Lx, Ly, Lz] or an orthorhombic Box, got ${describeValue(box)}${kind !== undefined ? ` with kind ${describeValue(kind)}` : ''}`,
    'PBC_BAD_BOX',
  );
}

/**
 * Validate `box` and write its lengths `[Lx, Ly, Lz]` into `out` without allocating: what hot paths
 * call instead of {@link toBox}.
 *
 * @param box - cubic `L`, `[Lx, Ly, Lz]` or a {@link Box}
 * @param out - receives the three lengths (LJ units); length >= 3
 * @returns `out`
 * @throws {@link PbcError} (`PBC_BAD_BOX`) as {@link toBox}
 */
export function boxLengthsInto(box: BoxLike, out: Float64Array): Float64Array {
  if (typeof box === 'number') {
    const L = checkLength(box, 'length L');
    out[0] = L; out[1] = L; out[2] = L;
    return out;
  }
  if (Array.isArray(box) && box.length === 3) {
    out[0] = checkLength(box[0], 'Lx'); out[1] = checkLength(box[1], 'Ly'); out[2] = checkLength(box[2], 'Lz');
    return out;
  }
  const b = toBox(box);
  out[0] = b.lengths[0]; out[1] = b.lengths[1]; out[2] = b.lengths[2];
  return out;
}
