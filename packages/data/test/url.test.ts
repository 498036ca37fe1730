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

beforeAll(async () => {
  const dir = defaultDataDir();
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/boom/manifest.json') return void res.writeHead(500).end('no');
    const file = join(dir, path.replace(/^\/data\//, ''));
    if (!path.startsWith('/data/') || !existsSync(file)) return void res.writeHead(404).end('not found');
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
