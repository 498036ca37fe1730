import { IoError } from '../errors';
import { atomicWrite } from '../format/files';
import { formatReal, realText } from '../format/numbers';
import { checkFrame, type Frame } from '../frame';
import { formatInfoValue, formatKey } from './keyValue';

const RESERVED = new Set(['lattice', 'properties', 'pbc', 'origin']);
const LINES_PER_CHUNK = 4096;

/**
 * Text of one frame in extended XYZ (`N`, comment line, N atom lines). Floats are written in the
 * shortest form that reads back bit-exactly.
 * @internal
 */
export function* xyzFrameChunks(frame: Frame, index: number, fn: string): Generator<string> {
  const n = checkFrame(frame, index, fn);
  const [lx, ly, lz] = frame.box.map((x, d) => formatReal(x, `${fn}: frame ${index} box[${d}]`));
  const props = frame.properties ?? {};
  let spec = 'species:S:1:pos:R:3';
  const names = Object.keys(props);
  for (const name of names) {
    const lname = name.toLowerCase();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || lname === 'species' || lname === 'pos' || lname === 'positions') {
      throw new IoError(`${fn}: frame ${index}: property name '${name}' must be an identifier other than species/pos`, 'IO_BAD_FRAME');
    }
    spec += `:${name}:${props[name].type}:${props[name].columns}`;
  }
  const pbc = frame.pbc ?? [true, true, true];
  let header = `Lattice="${lx} 0 0 0 ${ly} 0 0 0 ${lz}" Properties=${spec} pbc="${pbc.map((b) => (b ? 'T' : 'F')).join(' ')}"`;
  for (const [key, value] of Object.entries(frame.info ?? {})) {
    if (RESERVED.has(key.toLowerCase())) {
      throw new IoError(`${fn}: frame ${index}: info key '${key}' is reserved (it is written from box/properties/pbc)`, 'IO_BAD_FRAME');
    }
    header += ` ${formatKey(key)}=${formatInfoValue(key, value)}`;
  }
  let buf = `${n}\n${header}\n`;
  const pos = frame.positions;
  const species = frame.species;
  for (let i = 0; i < n; i++) {
    const s = species ? species[i] : 'X';
    if (species && (typeof s !== 'string' || s.length === 0 || /\s/.test(s))) {
      throw new IoError(`${fn}: frame ${index}: species[${i}] must be a non-empty string without whitespace, got ${JSON.stringify(s)}`, 'IO_BAD_FRAME');
    }
    const x = realText(pos[3 * i]) ?? formatReal(pos[3 * i], `${fn}: frame ${index} positions[${3 * i}]`);
    const y = realText(pos[3 * i + 1]) ?? formatReal(pos[3 * i + 1], `${fn}: frame ${index} positions[${3 * i + 1}]`);
    const z = realText(pos[3 * i + 2]) ?? formatReal(pos[3 * i + 2], `${fn}: frame ${index} positions[${3 * i + 2}]`);
    let line = s + ' ' + x + ' ' + y + ' ' + z;
    for (const name of names) {
      const p = props[name];
      for (let d = 0; d < p.columns; d++) {
        const v = p.values[i * p.columns + d];
        if (p.type === 'R') line += ' ' + (realText(v as number) ?? formatReal(v as number, `${fn}: frame ${index} ${name}[${i * p.columns + d}]`));
        else if (p.type === 'I') {
          if (!Number.isSafeInteger(v)) throw new IoError(`${fn}: frame ${index}: integer property '${name}' holds ${v}, not an integer`, 'IO_BAD_FRAME');
          line += ' ' + String(v);
        } else if (p.type === 'S') {
          if (typeof v !== 'string' || !/^\S+$/.test(v)) throw new IoError(`${fn}: frame ${index}: string property '${name}' holds ${JSON.stringify(v)}; values must be non-empty without whitespace`, 'IO_BAD_FRAME');
          line += ' ' + v;
        } else line += v ? ' T' : ' F';
      }
    }
    buf += line + '\n';
    if ((i + 1) % LINES_PER_CHUNK === 0) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}

/**
 * Writes frames to an extended XYZ file (gzipped if the name ends in `.gz`), atomically (temp file
 * + rename). Header: `Lattice="Lx 0 0 0 Ly 0 0 0 Lz" Properties=species:S:1:pos:R:3[:extra...]
 * pbc="T T T"` then the frame's `info` as `key=value`. Floats use the shortest round-trip form, so
 * {@link readXyz} returns bit-identical positions. Readable by ASE (`ase.io.read(path, ':')`) and OVITO.
 * Frames may come from an async iterable (streamed: one frame in memory at a time).
 *
 * @param path - output path (its directory must exist)
 * @param frames - frames to write; species default to `X`
 * @throws {@link IoError} on invalid frames (non-finite values, wrong lengths, reserved info keys) or I/O failure
 */
export async function writeXyz(path: string, frames: Iterable<Frame> | AsyncIterable<Frame>): Promise<void> {
  if (frames === null || typeof frames !== 'object' || !(Symbol.iterator in frames || Symbol.asyncIterator in frames)) {
    throw new IoError(`writeXyz: frames must be an array or (async) iterable of frames, got ${frames === null ? 'null' : typeof frames}`, 'IO_BAD_ARGUMENT');
  }
  await atomicWrite(path, async (write) => {
    let index = 0;
    for await (const frame of frames as AsyncIterable<Frame>) {
      for (const chunk of xyzFrameChunks(frame, index, 'writeXyz')) await write(chunk);
      index++;
    }
  });
}

/**
 * Extended XYZ text of the frames (see {@link writeXyz}).
 *
 * @param frames - frames to format
 * @returns the file contents
 * @throws {@link IoError} on invalid frames
 */
export function writeXyzText(frames: Iterable<Frame>): string {
  let out = '';
  let index = 0;
  for (const frame of frames) {
    for (const chunk of xyzFrameChunks(frame, index, 'writeXyzText')) out += chunk;
    index++;
  }
  return out;
}
