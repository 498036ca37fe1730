import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, defaultDataDir, loadConditionIndex, loadConditionPool, loadDataManifest, loadDataset } from '../src/index';

// The browser path (fetch + DecompressionStream + the XYZ text parser), run in Node against the
// package's data folder served on 127.0.0.1, as a page would serve a copy of it.
let server: Server;
let base: string;
const requests: string[] = [];
const ranges: string[] = [];

beforeAll(async () => {
  const dir = defaultDataDir();
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/boom/manifest.json') return void res.writeHead(500).end('no');
    // /ranged/data/: a server that answers HTTP range requests (206), as static servers do; /data/: one that ignores them
    const ranged = path.startsWith('/ranged/data/');
    const file = join(dir, path.replace(/^(\/ranged)?\/data\//, ''));
    if (!(path.startsWith('/data/') || ranged) || !existsSync(file)) return void res.writeHead(404).end('not found');
    ranges.push(req.headers.range ?? '');
    const range = ranged ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
    if (range) {
      res.writeHead(206, { 'content-type': 'application/gzip', 'content-range': `bytes ${range[1]}-${range[2]}/*` });
      return void createReadStream(file, { start: Number(range[1]), end: Number(range[2]) }).pipe(res);
    }
    // .gz sent as a gzip file (no Content-Encoding), as static servers do for archives
    res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/gzip' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('loadDataset by URL', () => {
  it('fetches, gunzips and parses a set: the same frames as from the folder', async () => {
    const fromUrl = await loadDataset('opp-replicas', { baseUrl: `${base}/data` }); // no trailing slash: still inside data/
    const fromDisk = await loadDataset('opp-replicas');
    expect(requests).toContain('/data/opp-replicas.xyz.gz');
    expect(fromUrl).toHaveLength(4);
    expect(fromUrl.map((f) => f.info)).toEqual(fromDisk.map((f) => f.info));
    fromUrl.forEach((f, i) => expect(Array.from(f.positions)).toEqual(Array.from(fromDisk[i].positions)));
    const manifest = await loadDataManifest({ baseUrl: new URL('/data/', base) });
    expect(manifest.sets['opp-replicas'].count).toBe(4);
  });

  it('loadConditionIndex + loadConditionPool({ ids }) by URL: the manifest, then only the files holding the frames', async () => {
    const spec = { sets: ['opp-unconditional', 'opp-test'] };
    requests.length = 0;
    const index = await loadConditionIndex(spec, { baseUrl: `${base}/data/` });
    expect(requests).toEqual(['/data/manifest.json']);
    const [f] = await loadConditionPool(spec, { baseUrl: `${base}/data/`, ids: [index[5].id] });
    expect(requests).not.toContain('/data/opp-unconditional.xyz.gz');
    expect(requests).toContain('/data/opp-test.xyz.gz');
    const full = (await loadDataset('opp-test'))[4];
    expect(f.id).toBe(full.info.id);
    expect(Array.from(f.positions)).toEqual(Array.from(full.positions));
  });

  it('a framed set by URL: one HTTP range per frame where the server answers ranges, the whole file where it does not', async () => {
    const spec = { sets: ['opp-train'] };
    const index = await loadConditionIndex(spec, { baseUrl: `${base}/data/` });
    const ids = [index[3].id, index[150].id];
    const full = await loadDataset('opp-train');
    for (const root of ['/ranged/data/', '/data/']) {
      requests.length = 0;
      ranges.length = 0;
      const frames = await loadConditionPool(spec, { baseUrl: `${base}${root}`, ids });
      expect(frames.map((f) => f.id)).toEqual(ids);
      expect(Array.from(frames[1].positions)).toEqual(Array.from(full[150].positions));
      const asked = ranges.filter((r) => r !== '');
      expect(asked).toHaveLength(2); // a range per frame asked either way
      if (root === '/ranged/data/') {
        expect(requests.filter((r) => r.endsWith('.xyz.gz'))).toHaveLength(2); // and nothing else of the file
      } else {
        expect(requests.filter((r) => r.endsWith('.xyz.gz'))).toHaveLength(3); // the 200s, then the whole file once
      }
    }
  });

  it('uses the given fetch, and takes bytes fetch already decompressed (Content-Encoding: gzip)', async () => {
    const { gunzipSync } = await import('node:zlib');
    const seen: string[] = [];
    const decompressing: typeof fetch = async (input) => {
      seen.push(String(input));
      const res = await fetch(input);
      return new Response(gunzipSync(Buffer.from(await res.arrayBuffer())));
    };
    const [f] = await loadDataset('opp-unconditional', { baseUrl: `${base}/data/`, fetch: decompressing });
    expect(seen).toEqual([`${base}/data/opp-unconditional.xyz.gz`]);
    expect([f.info.k, f.positions.length]).toEqual([7, 3000]);
  });

  it('reports 404, other HTTP errors and unreachable servers as DataError with the URL', async () => {
    const missing = await loadDataset('opp-test', { baseUrl: `${base}/elsewhere/` }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DataError);
    expect(missing).toMatchObject({ code: 'DATA_NOT_FOUND', source: `${base}/elsewhere/opp-test.xyz.gz` });
    expect((missing as Error).message).toMatch(/data set 'opp-test' is not packed there: HTTP 404/);
    await expect(loadDataManifest({ baseUrl: `${base}/boom/` })).rejects.toMatchObject({ code: 'DATA_FETCH_FAILED', message: expect.stringMatching(/HTTP 500/) });
    await expect(loadDataset('opp-test', { baseUrl: 'http://127.0.0.1:9/' })).rejects.toMatchObject({ code: 'DATA_FETCH_FAILED' });
    await expect(loadDataset('opp-test', { baseUrl: 'data/' })).rejects.toMatchObject({ code: 'DATA_BAD_ARGUMENT' }); // relative, and no page to resolve against
  });
});
