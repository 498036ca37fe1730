import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError, loadDenoiser, saveDenoiser, selectBackend } from '../src/index';
import { lattice, tinyDenoiser } from './helpers';

// Browsers and workers load checkpoints by URL (fetch); here a static server on 127.0.0.1 serves a
// checkpoint directory and the URL-loaded model must equal the file-loaded one.
let dir = '';
let server: Server;
let base = '';
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-ckpt-url-'));
  server = createServer((req, res) => {
    const file = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    readFile(file).then((b) => res.end(b), () => { res.statusCode = 404; res.end('not found'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ModelError);
  expect((e as ModelError).code).toBe(code);
}

describe('checkpoints by URL', () => {
  it('loads the same weights, spec and predictions over http (with or without a trailing slash)', async () => {
    const d = tinyDenoiser({ seed: 3, conditions: 1, conditionRanges: [[0, 2]] });
    await saveDenoiser(d, join(dir, 'a'));
    const x = lattice(4, 0.2);
    const want = Array.from(d.predict(x, 4, 0.3, { conditions: [1] }));
    for (const url of [`${base}/a/`, `${base}/a`]) {
      const e = await loadDenoiser(url);
      expect(e.toSpec()).toEqual(d.toSpec());
      expect(Array.from(e.predict(x, 4, 0.3, { conditions: [1] }))).toEqual(want);
      e.dispose();
    }
    d.dispose();
  });

  it('a missing URL is MODEL_CHECKPOINT_MISSING, a corrupted weights file MODEL_CHECKPOINT_CORRUPT', async () => {
    await expectCode(loadDenoiser(`${base}/nope/`), 'MODEL_CHECKPOINT_MISSING');
    const d = tinyDenoiser();
    const p = join(dir, 'b');
    await saveDenoiser(d, p);
    d.dispose();
    const bin = join(p, (await readdir(p)).find((f) => f.endsWith('.bin'))!);
    const bytes = await readFile(bin);
    bytes[10] ^= 0xff;
    await writeFile(bin, bytes);
    await expectCode(loadDenoiser(`${base}/b/`), 'MODEL_CHECKPOINT_CORRUPT');
    await rm(bin);
    await expectCode(loadDenoiser(`${base}/b/`), 'MODEL_CHECKPOINT_MISSING');
  });
});
