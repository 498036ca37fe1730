/**
 * The shipped conditional model's manifest quotes its evaluation: every number there is the mean of the committed
 * `mddm evaluate --json` report its command names, and its default start's pool loads as pinned.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConditionPool } from '@mddm/data';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('opp-conditional manifest', () => {
  it('quality.opp-test / opp-train are the means of the committed evaluation reports; the init pool loads', async () => {
    const manifest = JSON.parse(await readFile(`${repo}packages/pretrained/models/opp-conditional/model.json`, 'utf8'));
    for (const set of ['opp-test', 'opp-train']) {
      const q = manifest.quality[set];
      const dir = /--samples-dir (\S+)\/eval-samples/.exec(q.command)?.[1];
      expect(dir, q.command).toBeDefined();
      const report = JSON.parse(await readFile(`${repo}${dir}/eval-${set}.json`, 'utf8'));
      const rows = report.rows.filter((r: { metrics: unknown }) => r.metrics);
      expect(rows.length).toBe(q.sets);
      const mean = (k: string) => rows.reduce((a: number, r: { metrics: Record<string, number> }) => a + r.metrics[k], 0) / rows.length;
      for (const k of ['paperStyle', 'paperFloor', 'precision', 'coverage', 'mdFloor']) expect(q[k], `${set} ${k}`).toBeCloseTo(mean(k), 4);
      expect(q.nfe).toBe(rows[0].evaluations);
    }
    const pool = await loadConditionPool(manifest.init);
    const frames = Object.values(manifest.init.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(pool.length).toBe(frames);
    // the commands name the pool they were measured on
    for (const set of ['opp-test', 'opp-train']) expect(manifest.quality[set].command).toContain(`the ${frames} frames`);
    // the README quotes the opp-test coverage and precision by hand: they must be the manifest's
    const readme = await readFile(`${repo}README.md`, 'utf8');
    const quoted = /coverage (\d\.\d+) and precision (\d\.\d+) against MD floors/.exec(readme.replace(/\s+/g, ' '));
    expect(quoted, 'README: "coverage X and precision Y against MD floors"').not.toBeNull();
    // rounded to the quoted digits (half a unit of the third decimal, and a hair for 0.0475 in binary)
    expect(Math.abs(Number(quoted![1]) - manifest.quality['opp-test'].coverage)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(Math.abs(Number(quoted![2]) - manifest.quality['opp-test'].precision)).toBeLessThanOrEqual(0.0005 + 1e-9);
  });

  it('the per-set table of packages/pretrained/README.md is the committed reports\' (tsx examples/qualityTable.ts)', async () => {
    const { README, qualityBlock, withBlock } = await import('../qualityTable');
    const readme = await readFile(README, 'utf8');
    const block = await qualityBlock();
    expect(withBlock(readme, block)).toBe(readme);
    expect(block).toMatch(/\| 0015 \| 7\.379 \| 3\.9847 \| 0\.01994 \|/);
    expect(() => withBlock('no markers', block)).toThrow(/no <!-- quality-table/);
  });
});
