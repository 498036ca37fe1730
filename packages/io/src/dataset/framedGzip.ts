import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import { IoError } from '../errors';

/** Where one frame's compressed data lies in a framed gzip file ({@link writeFramedGzip}). */
export interface FramedGzipSpan {
  /** Byte offset of the frame's deflate data in the file. */
  offset: number;
  /** Its length in bytes. */
  bytes: number;
}

/**
 * The two bytes of an empty final deflate block (BFINAL 1, fixed Huffman, end-of-block). Appended to one frame's
 * deflate data ({@link FramedGzipSpan}) they make it a complete raw deflate stream (`inflateRaw`,
 * `DecompressionStream('deflate-raw')`); the file ends its deflate stream with them.
 */
export const DEFLATE_FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

/**
 * Writes texts (e.g. the frames of a data set) as one gzip file whose parts can also be read alone, atomically
 * (temporary file + rename).
 *
 * The file is an ordinary gzip file (one member: gunzip, zcat, Python's gzip, ASE, OVITO and
 * `DecompressionStream('gzip')` read it whole). Its deflate stream is each text compressed on its own and ended by a
 * full flush (`Z_FULL_FLUSH`: byte-aligned, no reference back into another text), then an empty final block, as
 * `pigz --independent` writes it. So text i is also readable alone: the bytes of its span followed by
 * {@link DEFLATE_FINAL_BLOCK} are a complete raw deflate stream: a reader fetches one frame of a large set
 * (an HTTP range, a file read) instead of decompressing all that precede it. The cost: no match across texts
 * (nothing for frames of tens of kB: deflate's window is 32 kB).
 *
 * @param path - output path (`.gz`; its directory must exist)
 * @param texts - the texts in order (UTF-8)
 * @returns every text's span in the file
 * @throws {@link IoError} `IO_ERROR` on a write failure (the old file is kept)
 */
export async function writeFramedGzip(path: string, texts: Iterable<string> | AsyncIterable<string>): Promise<FramedGzipSpan[]> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const spans: FramedGzipSpan[] = [];
  let file;
  try {
    file = await open(tmp, 'w');
    // RFC 1952 header: magic, deflate, no flags, no mtime (deterministic output), no extra flags, OS unknown
    const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255);
    await file.write(header);
    let offset = header.length;
    let crc = 0;
    let size = 0;
    for await (const text of texts as AsyncIterable<string>) {
      const data = Buffer.from(text, 'utf8');
      const deflated = deflateRawSync(data, { level: 6, finishFlush: constants.Z_FULL_FLUSH });
      await file.write(deflated);
      spans.push({ offset, bytes: deflated.length });
      offset += deflated.length;
      crc = crc32(data, crc);
      size = (size + data.length) >>> 0;
    }
    const trailer = Buffer.alloc(DEFLATE_FINAL_BLOCK.length + 8);
    trailer.set(DEFLATE_FINAL_BLOCK, 0);
    trailer.writeUInt32LE(crc >>> 0, DEFLATE_FINAL_BLOCK.length);
    trailer.writeUInt32LE(size, DEFLATE_FINAL_BLOCK.length + 4);
    await file.write(trailer);
    await file.close();
    file = undefined;
    await rename(tmp, path);
    return spans;
  } catch (e) {
    await file?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    if (e instanceof IoError) throw e; // e.g. a malformed frame from the producer
    throw new IoError(`write failed: ${(e as Error).message}`, 'IO_ERROR', { file: path });
  }
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE, as gzip's trailer) of `data`, continuing from `crc`. @internal */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
