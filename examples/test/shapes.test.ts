import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runShapes } from '../shapes';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('examples/shapes.ts (tiny end-to-end: seconds, not minutes)', () => {
  for (const denoiser of ['mddm', 'transolver'] as const) {
    it(`trains and samples ${denoiser} on a small sphere, writes XYZ without a Lattice and a finite Sinkhorn divergence`, async () => {
      const out = await mkdtemp(join(tmpdir(), `shapes-${denoiser}-`));
      dirs.push(out);
      const r = await runShapes({
        shape: denoiser === 'mddm' ? 'sphere' : 'torus', denoiser, n: 64, frames: 4, steps: 6, minutes: 1, sampleSteps: 5, out, verbose: false,
        mddm: { k: 6, layers: 2, width: 8, hidden: [8], headHidden: [16], timeEncoding: 'log-sigma' },
        transolver: { hidden: 16, layers: 1, heads: 2, slices: 4 },
      });
      expect(r.steps).toBe(6);
      expect(Number.isFinite(r.sinkhorn) && r.sinkhorn > 0).toBe(true);
      expect(r.floor).toBeGreaterThan(0);
      const xyz = await readFile(r.files.xyz, 'utf8');
      const lines = xyz.trim().split('\n');
      expect(lines[0]).toBe('64');
      expect(lines[1]).toContain('pbc="F F F"');
      expect(lines[1]).not.toContain('Lattice');
      expect(lines.length).toBe(66);
      expect(JSON.parse(await readFile(r.files.json, 'utf8')).denoiser).toBe(denoiser);
      // --from: the saved model samples the same cloud without training again
      const again = await runShapes({ shape: r.shape, n: 64, frames: 4, sampleSteps: 5, from: r.files.model, out: join(out, 'again'), verbose: false });
      expect(again.steps).toBe(0);
      expect(again.denoiser).toBe(denoiser);
      expect(again.sinkhorn).toBe(r.sinkhorn);
      // --scale: the network works in radius / scale units; the sample comes back in radius units
      const big = await runShapes({ shape: r.shape, n: 64, frames: 4, steps: 3, minutes: 1, sampleSteps: 5, scale: 10, out: join(out, 'scaled'), verbose: false,
        mddm: { k: 6, layers: 2, width: 8, hidden: [8], headHidden: [16], timeEncoding: 'log-sigma' }, transolver: { hidden: 16, layers: 1, heads: 2, slices: 4 }, denoiser });
      const reloaded = await runShapes({ shape: r.shape, n: 64, sampleSteps: 5, from: big.files.model, out: join(out, 'scaled-again'), verbose: false });
      expect(reloaded.sinkhorn).toBe(big.sinkhorn);
      // divided back: the prior std is 3 radius units (mean radius ~5; an untrained net drifts to ~10), an undivided sample is ~10x that
      expect(big.meanRadius).toBeLessThan(25);
    });
  }
});
