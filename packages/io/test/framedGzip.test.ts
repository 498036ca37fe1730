import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFLATE_FINAL_BLOCK, crc32, writeFramedGzip } from '../src/dataset/framedGzip';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-framed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Text i alone, as a reader of one span decodes it. */
const alone = (file: Buffer, span: { offset: number; bytes: number }) =>
  inflateRawSync(Buffer.concat([file.subarray(span.offset, span.offset + span.bytes), DEFLATE_FINAL_BLOCK])).toString('utf8');

describe('writeFramedGzip', () => {
  it('is one gzip file of all the texts, and each span with the final block inflates to its text alone (property)', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.string({ unit: 'binary', maxLength: 3000 }), { maxLength: 6 }), async (texts) => {
      const path = join(dir, `p${run++}.gz`);
      const spans = await writeFramedGzip(path, texts);
      const file = await readFile(path);
      // gunzip checks the trailer's CRC-32 and size
      expect(gunzipSync(file).toString('utf8')).toBe(texts.join(''));
      expect(spans).toHaveLength(texts.length);
      spans.forEach((s, i) => {
        expect(alone(file, s)).toBe(texts[i]);
        expect(s.offset).toBe(i === 0 ? 10 : spans[i - 1].offset + spans[i - 1].bytes);
      });
    }), { numRuns: 40 });
  });

  it('a large text (beyond deflate\'s 32 kB window), read by gunzip and by Python\'s gzip module', async () => {
    const texts = Array.from({ length: 3 }, (_, f) => Array.from({ length: 3000 }, (_, i) => `X ${(f * 7.1 + i * 0.37) % 10} ${(i * 1.7) % 10} ${(i * 2.9) % 10}\n`).join(''));
    const path = join(dir, 'big.xyz.gz');
    const spans = await writeFramedGzip(path, (async function* () { yield* texts; })());
    const file = await readFile(path);
    expect(gunzipSync(file).toString()).toBe(texts.join(''));
    expect(alone(file, spans[2])).toBe(texts[2]);
    expect(file.length).toBeLessThan(texts.join('').length / 2);
    if (existsSync('/usr/bin/python3')) {
      const py = execFileSync('/usr/bin/python3', ['-c', 'import gzip,sys; sys.stdout.write(str(len(gzip.open(sys.argv[1], "rt").read())))', path]).toString();
      expect(Number(py)).toBe(texts.join('').length);
    }
  });

  it('crc32 is gzip\'s (the check value of "123456789"), continued across parts', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('a failed write is an IoError and leaves neither a file nor a temporary one', async () => {
    await expect(writeFramedGzip(join(dir, 'missing', 'x.gz'), ['a'])).rejects.toMatchObject({ code: 'IO_ERROR' });
    const failing = (async function* () { yield 'a'; throw new Error('producer broke'); })();
    await expect(writeFramedGzip(join(dir, 'half.gz'), failing)).rejects.toThrow(/producer broke/);
    expect((await readdir(dir)).filter((f) => f.includes('half'))).toEqual([]);
  });
});
