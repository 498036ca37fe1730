import { IoError } from './errors';

/** Value of a per-frame `key=value` entry (extended XYZ comment line). */
export type FrameInfoValue = number | string | boolean;

/**
 * A per-atom column beyond species and positions (extended XYZ `Properties` entry, or an extra
 * LAMMPS dump column). `values` is flat row-major `[N, columns]`. Type letters follow extended XYZ:
 * `R` real, `I` integer (stored exactly in a Float64Array), `S` string, `L` logical.
 */
export type FrameProperty = RealProperty | IntegerProperty | StringProperty | LogicalProperty;

/** Real per-atom column(s) (`name:R:columns`). */
export interface RealProperty {
  /** Type letter `R`. */
  readonly type: 'R';
  /** Values per atom (>= 1). */
  readonly columns: number;
  /** Flat `[N, columns]` values. */
  readonly values: Float64Array;
}
/** Integer per-atom column(s) (`name:I:columns`), stored exactly in a Float64Array. */
export interface IntegerProperty {
  /** Type letter `I`. */
  readonly type: 'I';
  /** Values per atom (>= 1). */
  readonly columns: number;
  /** Flat `[N, columns]` integer values. */
  readonly values: Float64Array;
}
/** String per-atom column(s) (`name:S:columns`); values contain no whitespace. */
export interface StringProperty {
  /** Type letter `S`. */
  readonly type: 'S';
  /** Values per atom (>= 1). */
  readonly columns: number;
  /** Flat `[N, columns]` strings. */
  readonly values: string[];
}
/** Logical per-atom column(s) (`name:L:columns`, written `T`/`F`). */
export interface LogicalProperty {
  /** Type letter `L`. */
  readonly type: 'L';
  /** Values per atom (>= 1). */
  readonly columns: number;
  /** Flat `[N, columns]` booleans. */
  readonly values: boolean[];
}

/**
 * One conformation: N particles in an orthorhombic periodic box (LJ units).
 *
 * Positions are relative to the box origin (a file's `Origin` / dump `lo` bounds are subtracted);
 * readers do not wrap them (a wrapped file gives values in `[0, L)`).
 */
export interface Frame {
  /** Flat `[N, 3]` row-major coordinates. */
  positions: Float64Array;
  /** Box lengths `[Lx, Ly, Lz]` (orthorhombic). */
  box: [number, number, number];
  /** Per-frame metadata, e.g. `{ k, phi, T, seed }` for OPP conformations. */
  info: Record<string, FrameInfoValue>;
  /** Per-atom species/type names `[N]` (extended XYZ `species`, LAMMPS `type`), if known. */
  species?: string[];
  /** Further per-atom columns by name (e.g. `forces`, `vx`), if any. */
  properties?: Record<string, FrameProperty>;
  /** Periodicity per axis; absent means fully periodic. */
  pbc?: [boolean, boolean, boolean];
}

/**
 * Checks a frame given to a writer and returns its atom count N.
 * @internal
 */
export function checkFrame(frame: Frame, index: number, fn: string): number {
  const where = `${fn}: frame ${index}`;
  if (frame === null || typeof frame !== 'object') {
    throw new IoError(`${where} must be an object { positions, box, info }, got ${String(frame)}`, 'IO_BAD_FRAME');
  }
  const p = frame.positions as unknown;
  if (!(p instanceof Float64Array || p instanceof Float32Array) || p.length % 3 !== 0) {
    throw new IoError(`${where}: positions must be a Float64Array (or Float32Array) of length 3N, got ${describeArray(p)}`, 'IO_BAD_FRAME');
  }
  const b = frame.box as unknown;
  if (!Array.isArray(b) || b.length !== 3 || !b.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) {
    throw new IoError(`${where}: box must be [Lx, Ly, Lz] with positive finite lengths, got ${JSON.stringify(b)}`, 'IO_BAD_FRAME');
  }
  const n = p.length / 3;
  if (frame.species !== undefined && (!Array.isArray(frame.species) || frame.species.length !== n)) {
    throw new IoError(`${where}: species must be an array of ${n} strings (one per atom), got length ${frame.species?.length}`, 'IO_BAD_FRAME');
  }
  if (frame.properties !== undefined) {
    for (const [name, prop] of Object.entries(frame.properties)) {
      if (!Number.isInteger(prop.columns) || prop.columns < 1 || prop.values.length !== n * prop.columns) {
        throw new IoError(`${where}: property '${name}' must have ${n} x ${prop.columns} values, got ${prop.values.length}`, 'IO_BAD_FRAME');
      }
    }
  }
  return n;
}

function describeArray(x: unknown): string {
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(length ${(x as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(x)) return `Array(length ${x.length})`;
  return x === null ? 'null' : typeof x;
}
