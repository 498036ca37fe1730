/**
 * The shipped unconditional models: each manifest's quoted RDF-MSE figures are the committed benchmark
 * reports' (`bench:sampling` JSON, per seed and mean), the potential-input model reads the potential of its
 * own state point, and `mddm sample` runs it end to end (no conditions, the manifest's sampler by default).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUALITY_SAMPLER, selectBackend } from '@mddm/model';
import { PRETRAINED_NAMES, loadPretrained } from '@mddm/pretrained';
import { readXyz } from '@mddm/io';
import { runMddm } from '@mddm/cli';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-shipped-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface BenchRow { label: string; nfe: number; mse: number[]; mean: number }

describe('opp-unconditional-potential', () => {
  it('is listed, reads the OPP of its own state point, and recommends the sampler it was measured best with', async () => {
    expect(PRETRAINED_NAMES).toContain('opp-unconditional-potential');
    const { denoiser, manifest } = await loadPretrained('opp-unconditional-potential');
    expect(denoiser.conditions).toBe(0);
    expect((denoiser.toSpec() as { potentialInput?: unknown }).potentialInput).toMatchObject({ kind: 'opp', cutoffLj: 3, params: manifest.statePoint });
    expect(manifest.sampler).toEqual(QUALITY_SAMPLER);
    expect(manifest.data.sets).not.toContain('opp-replicas'); // the evaluation frames
    denoiser.dispose();
  });

  it("quality: every quoted figure is the committed bench:sampling report's, per seed and mean", async () => {
    const manifest = JSON.parse(await readFile(`${repo}packages/pretrained/models/opp-unconditional-potential/model.json`, 'utf8'));
    const q = manifest.quality.rdfMseVsReplicas;
    const checked: string[] = [];
    for (const entry of Object.values(q) as { report?: string; label?: string; perSeed?: Record<string, number>; mean?: number; nfe?: number }[]) {
      if (!entry || typeof entry !== 'object' || !entry.report) continue;
      const report = JSON.parse(await readFile(`${repo}${entry.report}`, 'utf8')) as { rows: BenchRow[]; seeds: number[] };
      const row = report.rows.find((r) => r.label === entry.label);
      expect(row, `${entry.report}: ${entry.label}`).toBeDefined();
      expect(entry.mean).toBeCloseTo(row!.mean, 4);
      expect(entry.nfe).toBe(row!.nfe);
      expect(Object.values(entry.perSeed!).map((v) => Number(v.toFixed(4)))).toEqual(row!.mse.map((v) => Number(v.toFixed(4))));
      checked.push(entry.label!);
    }
    expect(checked.length).toBeGreaterThanOrEqual(2);
  });

  it('mddm sample --model opp-unconditional-potential writes frames (N = 216 in a 6^3 box, the fast preset)', async () => {
    const out = join(dir, 'u.xyz');
    let text = '';
    const argv = ['sample', '--model', 'opp-unconditional-potential', '--n', '216', '--box', '6', '--sampler', 'fast', '--seed', '3', '--out', out];
    const code = await runMddm(argv, { stdout: { write: (s: string) => (text += s) }, stderr: { write: () => true } });
    expect(code).toBe(0);
    expect(text).toMatch(/NFE: 99\b/);
    const frames = [];
    for await (const f of readXyz(out)) frames.push(f);
    expect(frames).toHaveLength(1);
    expect(frames[0].positions.length).toBe(216 * 3);
    expect(frames[0].positions.every((x: number) => Number.isFinite(x) && x >= 0 && x < 6)).toBe(true);
    expect(frames[0].info).toMatchObject({ model: 'opp-unconditional-potential' });
  }, 120_000);
});
