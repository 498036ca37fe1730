import { IoError } from '../errors';
import { atomicWrite, streamFrames } from '../format/files';
import { formatReal, realText } from '../format/numbers';
import { checkFrame, type Frame } from '../frame';
import { DUMP_COORD_COLUMNS, DumpFrameParser, type DumpCoordinates } from './dumpParser';

export type { DumpCoordinates } from './dumpParser';

/** Options of {@link readLammpsDump}. */
export interface ReadDumpOptions {
  /** Reorder atoms by their `id` column (dumps are often unsorted), default true. */
  sortById?: boolean;
}

/**
 * Streams the frames of a LAMMPS text dump (`dump custom`/`atom` format, multi-frame, gzipped if
 * the name ends in `.gz`) with constant memory.
 *
 * Positions come from `x y z` (minus the box `lo`), `xs ys zs` (times L), `xu yu zu` (minus `lo`,
 * not wrapped) or `xsu ysu zsu`; `info` gets `timestep`, `coordinates` (which of those) and any
 * UNITS/TIME section; `species` come from `element` or `type`; other numeric columns become
 * {@link Frame.properties} (`f[1] f[2] f[3]` grouped as `f` with 3 columns); ids other than
 * 1..N in order are kept as the integer property `id`. Atoms are sorted by id unless
 * `sortById: false`. Orthorhombic boxes only.
 *
 * @param path - dump file path
 * @param options - see {@link ReadDumpOptions}
 * @returns async iterable of frames in file order
 * @throws {@link IoError} with file name and line number on malformed input (truncated frame,
 *   wrong atom count, non-numeric field, missing BOX BOUNDS, triclinic box, duplicate ids)
 */
export async function* readLammpsDump(path: string, options: ReadDumpOptions = {}): AsyncGenerator<Frame> {
  yield* streamFrames(path, new DumpFrameParser(path, options.sortById ?? true));
}

/**
 * Parses LAMMPS dump text (all frames at once); see {@link readLammpsDump}.
 *
 * @param text - dump contents
 * @param options - see {@link ReadDumpOptions}
 * @param name - name used in error messages, default `'<text>'`
 * @returns the frames
 * @throws {@link IoError} with line number on malformed input
 */
export function readLammpsDumpText(text: string, options: ReadDumpOptions = {}, name = '<text>'): Frame[] {
  if (typeof text !== 'string') throw new IoError(`readLammpsDumpText: text must be a string, got ${text === null ? 'null' : typeof text}`, 'IO_BAD_ARGUMENT');
  const parser = new DumpFrameParser(name, options.sortById ?? true);
  const lines = text.split('\n');
  const count = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  const frames: Frame[] = [];
  for (let i = 0; i < count; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const f = parser.push(line, i + 1);
    if (f) frames.push(f);
  }
  parser.end(count);
  return frames;
}

/** Options of {@link writeLammpsDump}. */
export interface WriteDumpOptions {
  /**
   * Coordinate columns: `'wrapped'` (`x y z`, default; positions written as given, so wrap them
   * first if they may leave the box), `'scaled'` (`xs ys zs` = x / L; not bit-exact on reading
   * back), `'unwrapped'` (`xu yu zu`), `'scaled-unwrapped'` (`xsu ysu zsu`).
   */
  coordinates?: DumpCoordinates;
}

function* dumpFrameChunks(frame: Frame, index: number, options: WriteDumpOptions, fn: string): Generator<string> {
  const n = checkFrame(frame, index, fn);
  const coords = options.coordinates ?? 'wrapped';
  const names = DUMP_COORD_COLUMNS[coords];
  if (!names) throw new IoError(`${fn}: coordinates must be 'wrapped', 'scaled', 'unwrapped' or 'scaled-unwrapped', got ${JSON.stringify(coords)}`, 'IO_BAD_ARGUMENT');
  const scaled = coords === 'scaled' || coords === 'scaled-unwrapped';
  const box = frame.box.map((x, d) => formatReal(x, `${fn}: frame ${index} box[${d}]`));
  const ts = frame.info?.timestep;
  const timestep = typeof ts === 'number' && Number.isSafeInteger(ts) ? ts : index;
  // Species -> numeric types (plus an element column when species are not integers).
  const species = frame.species;
  let types: string[] | null = null;
  let element = false;
  if (species) {
    if (species.every((s) => /^[0-9]+$/.test(s))) types = species;
    else {
      const map = new Map<string, number>();
      types = species.map((s) => {
        if (typeof s !== 'string' || !/^\S+$/.test(s)) throw new IoError(`${fn}: frame ${index}: species must be non-empty strings without whitespace, got ${JSON.stringify(s)}`, 'IO_BAD_FRAME');
        if (!map.has(s)) map.set(s, map.size + 1);
        return String(map.get(s));
      });
      element = true;
    }
  }
  const props = frame.properties ?? {};
  const idProp = props.id;
  if (idProp && (idProp.type !== 'I' || idProp.columns !== 1)) throw new IoError(`${fn}: frame ${index}: property 'id' must be an integer column`, 'IO_BAD_FRAME');
  const extras = Object.entries(props).filter(([name]) => name !== 'id');
  let columns = `id type ${element ? 'element ' : ''}${names.join(' ')}`;
  for (const [name, p] of extras) {
    if (p.type !== 'R' && p.type !== 'I') throw new IoError(`${fn}: frame ${index}: property '${name}' of type ${p.type} cannot be written to a dump (numeric columns only)`, 'IO_BAD_FRAME');
    if (!/^\S+$/.test(name)) throw new IoError(`${fn}: frame ${index}: property name '${name}' must not contain whitespace`, 'IO_BAD_FRAME');
    columns += p.columns === 1 ? ` ${name}` : Array.from({ length: p.columns }, (_, c) => ` ${name}[${c + 1}]`).join('');
  }
  const pbc = frame.pbc ?? [true, true, true];
  let buf = `ITEM: TIMESTEP\n${timestep}\nITEM: NUMBER OF ATOMS\n${n}\nITEM: BOX BOUNDS ${pbc.map((p) => (p ? 'pp' : 'ff')).join(' ')}\n0 ${box[0]}\n0 ${box[1]}\n0 ${box[2]}\nITEM: ATOMS ${columns}\n`;
  const pos = frame.positions;
  const L = frame.box;
  for (let i = 0; i < n; i++) {
    const id = idProp ? idProp.values[i] : i + 1;
    let line = `${id} ${types ? types[i] : '1'}${element ? ' ' + species![i] : ''}`;
    for (let d = 0; d < 3; d++) {
      const x = scaled ? pos[3 * i + d] / L[d] : pos[3 * i + d];
      line += ' ' + (realText(x) ?? formatReal(x, `${fn}: frame ${index} positions[${3 * i + d}]`));
    }
    for (const [name, p] of extras) {
      for (let c = 0; c < p.columns; c++) {
        const v = p.values[i * p.columns + c] as number;
        line += ' ' + (realText(v) ?? formatReal(v, `${fn}: frame ${index} ${name}[${i * p.columns + c}]`));
      }
    }
    buf += line + '\n';
    if ((i + 1) % 4096 === 0) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/**
 * Writes frames as a multi-frame LAMMPS text dump (`ITEM: ATOMS id type [element] x y z ...`,
 * box `0 L` per axis, atoms sorted by id), atomically (temp file + rename; gzipped if the name
 * ends in `.gz`). `info.timestep` is used when it is an integer, else the frame index. Floats
 * use the shortest round-trip form, so `'wrapped'`/`'unwrapped'` coordinates read back bit-exactly.
 * LAMMPS reads the file with `read_dump` (`box yes`).
 *
 * @param path - output path
 * @param frames - frames (array or (async) iterable)
 * @param options - coordinate style, see {@link WriteDumpOptions}
 * @throws {@link IoError} on invalid frames or I/O failure
 */
export async function writeLammpsDump(path: string, frames: Iterable<Frame> | AsyncIterable<Frame>, options: WriteDumpOptions = {}): Promise<void> {
  if (frames === null || typeof frames !== 'object' || !(Symbol.iterator in frames || Symbol.asyncIterator in frames)) {
    throw new IoError(`writeLammpsDump: frames must be an array or (async) iterable of frames`, 'IO_BAD_ARGUMENT');
  }
  await atomicWrite(path, async (write) => {
    let index = 0;
    for await (const frame of frames as AsyncIterable<Frame>) {
      for (const chunk of dumpFrameChunks(frame, index, options, 'writeLammpsDump')) await write(chunk);
      index++;
    }
  });
}

/**
 * LAMMPS dump text of the frames (see {@link writeLammpsDump}).
 *
 * @param frames - frames to format
 * @param options - coordinate style
 * @returns the dump contents
 * @throws {@link IoError} on invalid frames
 */
export function writeLammpsDumpText(frames: Iterable<Frame>, options: WriteDumpOptions = {}): string {
  let out = '';
  let index = 0;
  for (const frame of frames) {
    for (const chunk of dumpFrameChunks(frame, index, options, 'writeLammpsDumpText')) out += chunk;
    index++;
  }
  return out;
}
