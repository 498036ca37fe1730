import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describeValue } from '@mddm/core';
import { IoError } from '../errors';
import { atomicWrite } from '../format/files';
import type { Frame, FrameInfoValue } from '../frame';
import { readXyz } from '../xyz/read';
import { xyzFrameChunks } from '../xyz/write';
import { writeFramedGzip } from './framedGzip';
import { defaultRawDir } from './paths';

/** One conformation listed in a packed data set's manifest entry. */
export interface PackedConformation {
  /** Identifier (raw file name without `.xyz`), e.g. `0007_k3.1_phi2.2_T0.041`. */
  id: string;
  /** OPP frequency k. */
  k: number;
  /** OPP phase phi. */
  phi: number;
  /** Target temperature T. */
  T: number;
  /** Velocity seed of the LAMMPS run. */
  seed: number;
  /** Wall-clock seconds of the LAMMPS run, if recorded. */
  seconds?: number;
  /**
   * Byte offset of the frame's deflate data in the set's `.gz` file (written by {@link packDatasets} since the
   * files are framed: `writeFramedGzip`); with {@link PackedConformation.bytes}, one frame is read without the others.
   */
  offset?: number;
  /** Length in bytes of the frame's deflate data (see {@link PackedConformation.offset}). */
  bytes?: number;
}

/** Manifest entry of one packed data set. */
export interface PackedSet {
  /** File name of the multi-frame gzipped extended XYZ, relative to the data directory. */
  file: string;
  /** Number of frames. */
  count: number;
  /** Atoms per frame. */
  atoms: number;
  /** Box lengths `[Lx, Ly, Lz]` of the first frame. */
  box: [number, number, number];
  /** Protocol summary string(s) found in the frames' headers. */
  protocols: string[];
  /** The frames in file order. */
  conformations: PackedConformation[];
}

/** Contents of a packed data folder's `manifest.json` (the shipped one is in `@mddm/data`). */
export interface DataManifest {
  /** Format tag, `'mddm-io-datasets'`. */
  format: 'mddm-io-datasets';
  /** Format version, 1. */
  version: 1;
  /** Data sets by name. */
  sets: Record<string, PackedSet>;
}

/** Options of {@link packDatasets}. */
export interface PackOptions {
  /** Directory with one sub-folder of `<id>.xyz` files per set, default `<package>/data-raw`. */
  raw?: string;
  /**
   * Output directory (created if needed). The shipped data's is the `data/` folder of `@mddm/data`:
   * `pnpm --filter @mddm/data pack-data` packs into it.
   */
  out: string;
  /** Sets to pack, default every sub-folder of `raw`. */
  sets?: string[];
  /**
   * Sets to pack again from their packed file in `out` (same frames, same order), e.g. to frame a file packed
   * before frames were framed, when the raw files are not at hand. Default none.
   */
  repack?: string[];
  /** Called once per packed set. */
  log?: (message: string) => void;
}

/**
 * Packs per-conformation extended XYZ files (`<raw>/<set>/<id>.xyz`, as written by the generator)
 * into one gzipped multi-frame file per set (`<out>/<set>.xyz.gz`, frames sorted by id, each with
 * `set` and `id` in its info) and updates `<out>/manifest.json`. Re-run it as more conformations
 * complete: it rewrites the listed sets and keeps the others' manifest entries.
 *
 * The files are framed (`writeFramedGzip`): ordinary gzip files in which every frame can also be decompressed
 * alone, at the `offset` and `bytes` the manifest lists for it (a few frames of a large set without the rest).
 *
 * @param options - directories and sets
 * @returns the updated manifest
 * @throws {@link IoError} when a raw file is malformed or a set folder is empty/missing
 */
export async function packDatasets(options: PackOptions): Promise<DataManifest> {
  const raw = options?.raw ?? defaultRawDir();
  const out = options?.out;
  if (typeof out !== 'string' || out === '') throw new IoError(`packDatasets: out must be the output directory, got ${describeValue(out)}`, 'IO_BAD_ARGUMENT');
  const repack = options.repack ?? [];
  if ((options.sets === undefined ? repack.length === 0 : options.sets.length > 0) && !existsSync(raw)) {
    throw new IoError(`raw data directory does not exist`, 'IO_NOT_FOUND', { file: raw });
  }
  const sets = options.sets ?? (repack.length > 0 ? [] : (await readdir(raw, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort());
  await mkdir(out, { recursive: true });
  const manifestPath = join(out, 'manifest.json');
  let manifest: DataManifest = { format: 'mddm-io-datasets', version: 1, sets: {} };
  if (existsSync(manifestPath)) manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as DataManifest;
  for (const set of [...sets, ...repack]) {
    const fromPacked = !sets.includes(set);
    const sources = fromPacked ? [join(out, `${set}.xyz.gz`)] : await rawFiles(raw, set);
    const entry: PackedSet = { file: `${set}.xyz.gz`, count: 0, atoms: 0, box: [0, 0, 0], protocols: [], conformations: [] };
    async function* frames(): AsyncGenerator<Frame> {
      for (const path of sources) {
        let n = 0;
        for await (const frame of readXyz(path)) {
          if (++n > 1 && !fromPacked) throw new IoError(`expected one frame per raw conformation file`, 'IO_PARSE', { file: path });
          const id = fromPacked ? String(frame.info.id) : basename(path).slice(0, -4);
          const info: Record<string, FrameInfoValue> = { set, id, ...frame.info };
          info.set = set;
          info.id = id;
          const atoms = frame.positions.length / 3;
          if (entry.count === 0) {
            entry.atoms = atoms;
            entry.box = frame.box;
          } else if (atoms !== entry.atoms) {
            throw new IoError(`has ${atoms} atoms, but the set's first frame has ${entry.atoms}`, 'IO_PARSE', { file: path });
          }
          const num = (k: string) => (typeof info[k] === 'number' ? (info[k] as number) : NaN);
          entry.conformations.push({ id, k: num('k'), phi: num('phi'), T: num('T'), seed: num('seed'), ...(typeof info.seconds === 'number' ? { seconds: info.seconds } : {}) });
          if (typeof info.protocol === 'string' && !entry.protocols.includes(info.protocol)) entry.protocols.push(info.protocol);
          entry.count++;
          yield { ...frame, info };
        }
        if (n === 0) throw new IoError(fromPacked ? `packed set file holds no frame` : `raw conformation file holds no frame`, 'IO_PARSE', { file: path });
      }
    }
    async function* texts(): AsyncGenerator<string> {
      let index = 0;
      for await (const frame of frames()) yield [...xyzFrameChunks(frame, index++, 'packDatasets')].join('');
    }
    // repacking reads the file it replaces: the frames are read whole before the atomic rename
    const spans = await writeFramedGzip(join(out, entry.file), fromPacked ? await collect(texts()) : texts());
    spans.forEach((span, i) => Object.assign(entry.conformations[i], span));
    manifest.sets[set] = entry;
    options.log?.(`packed ${set}: ${entry.count} conformations -> ${join(out, entry.file)}`);
  }
  const sorted: DataManifest = { format: 'mddm-io-datasets', version: 1, sets: {} };
  for (const k of Object.keys(manifest.sets).sort()) sorted.sets[k] = manifest.sets[k];
  await atomicWrite(manifestPath, (write) => write(JSON.stringify(sorted, null, 1) + '\n'));
  return sorted;
}

/** The `.xyz` files of a raw set folder, sorted (by id). @throws {@link IoError} for a missing or empty folder */
async function rawFiles(raw: string, set: string): Promise<string[]> {
  const dir = join(raw, set);
  if (!existsSync(dir)) throw new IoError(`set folder does not exist`, 'IO_NOT_FOUND', { file: dir });
  const files = (await readdir(dir)).filter((f) => f.endsWith('.xyz') && !f.startsWith('.')).sort();
  if (files.length === 0) throw new IoError(`no .xyz files to pack in set '${set}'`, 'IO_NOT_FOUND', { file: dir });
  return files.map((f) => join(dir, f));
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
