/**
 * The page's parts that run without a browser: the MD reference choice, the precomputed references
 * from the shipped data (@mddm/data), the U(r) plot (from @mddm/io's oppEnergy) and the static server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataManifest } from '@mddm/data';
import { oppEnergy } from '@mddm/io/browser';
import { nearestReference, stateDistance, type MdReferences } from '../src/references';
import { potentialSvg } from '../src/potential';
import { ensureMdReferences, MD_REFERENCES_FILE } from '../scripts/md-references';
import { startServer, type RunningServer } from '../scripts/serve';

describe('MD references', () => {
  it('stateDistance: phi is an angle (period 2 pi), k and T scaled by their training ranges', () => {
    const a = { k: 7, phi: 0.1, T: 0.03 };
    expect(stateDistance(a, { ...a, phi: 0.1 + 2 * Math.PI })).toBeCloseTo(0, 12);
    expect(stateDistance(a, { ...a, phi: 2 * Math.PI - 0.1 })).toBeCloseTo(0.2 / 6, 12);
    expect(stateDistance(a, { ...a, k: 8.4 })).toBeCloseTo(0.1, 12);
    expect(stateDistance(a, { ...a, T: 0.034 })).toBeCloseTo(0.1, 12);
  });

  it('the shipped data give one reference per state point; the unconditional one averages all of its conformations', async () => {
    await ensureMdReferences();
    const refs = JSON.parse(await readFile(MD_REFERENCES_FILE, 'utf8')) as MdReferences;
    expect(refs.format).toBe('mddm-web-md-references');
    expect(refs).toMatchObject({ n: 1000, box: 10, bins: 100, rMax: 5 });
    expect(refs.r.length).toBe(refs.bins);
    const keys = new Set(refs.points.map((p) => `${p.k}|${p.phi}|${p.T}`));
    expect(keys.size).toBe(refs.points.length);
    const u = nearestReference(refs, { k: 7, phi: 1, T: 0.03 })!;
    expect(u.distance).toBe(0);
    // every shipped conformation at (7, 1, 0.03), from the data manifest (5 today: 1 + 4 replicas)
    const manifest = await loadDataManifest();
    const at = Object.entries(manifest.sets).flatMap(([set, v]) => v.conformations.filter((c) => c.k === 7 && c.phi === 1 && c.T === 0.03).map(() => set));
    expect(at.length).toBeGreaterThanOrEqual(5);
    expect(u.point.count).toBe(at.length);
    expect(u.point.sets.sort()).toEqual([...new Set(at)].sort());
    // a physical g(r): zero inside the core, a first peak just beyond r = 1 sigma, -> 1 at large r
    const g = u.point.g;
    expect(Math.max(...g.slice(0, 18))).toBe(0);
    const peak = g.indexOf(Math.max(...g));
    expect(refs.r[peak]).toBeGreaterThan(1);
    expect(refs.r[peak]).toBeLessThan(1.3);
    expect(g.slice(80).reduce((s, x) => s + x, 0) / 20).toBeCloseTo(1, 1);
    // any other point: the nearest is the minimum of the distances
    const q = { k: 12.3, phi: 4.4, T: 0.017 };
    const n = nearestReference(refs, q)!;
    expect(n.distance).toBe(Math.min(...refs.points.map((p) => stateDistance(p, q))));
  }, 60_000);
});

describe('U(r) plot', () => {
  it('marks the well minimum of oppEnergy and labels both axes with units', () => {
    const svg = potentialSvg(7, 1);
    expect(svg).toContain('r (σ)');
    expect(svg).toContain('U(r) (ε)');
    const m = /min (-?[\d.]+) ε at r = ([\d.]+) σ/.exec(svg)!;
    const r = Number(m[2]);
    expect(Number(m[1])).toBeCloseTo(oppEnergy(r, { k: 7, phi: 1 }), 3);
    for (const dr of [-0.01, 0.01]) expect(oppEnergy(r + dr, { k: 7, phi: 1 })).toBeGreaterThan(oppEnergy(r, { k: 7, phi: 1 }));
  });
});

describe('static server', () => {
  let dir = '';
  let srv: RunningServer;
  const get = (path: string) => new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
    const u = new URL(srv.url);
    // a raw request, so that '..' reaches the server unnormalised
    request({ host: u.hostname, port: u.port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
    }).on('error', fail).end();
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mddm-web-serve-'));
    await mkdir(join(dir, 'root'));
    await writeFile(join(dir, 'root', 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await mkdir(join(dir, 'models', 'opp-unconditional'), { recursive: true });
    await writeFile(join(dir, 'models', 'opp-unconditional', 'model.json'), '{}');
    await mkdir(join(dir, 'models', 'not-a-model'));
    srv = await startServer({ root: join(dir, 'root'), models: join(dir, 'models'), port: 0 });
  });
  afterAll(async () => {
    await srv.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1, sends the cross-origin isolation headers and content types', async () => {
    expect(new URL(srv.url).hostname).toBe('127.0.0.1');
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(r.headers['content-type']).toContain('text/html');
  });

  it('lists the models folders that hold a model.json, serves them, and never leaves its folders', async () => {
    expect(JSON.parse((await get('/models/index.json')).body)).toEqual({ models: ['opp-unconditional'] });
    expect((await get('/models/opp-unconditional/model.json')).status).toBe(200);
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/models/../../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/nope.js')).status).toBe(404);
  });
});
