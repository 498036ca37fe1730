/**
 * `mddm sample --executor slurm` on a real single-node Slurm cluster (see packages/io/test/slurmCluster.ts):
 * array tasks run the real `mddm` program (from the sources, through tsx) for their shares of --count
 * and the gathered file equals local runs with the same seeds. Skipped with the reason printed when
 * Slurm cannot start (failing under CI=true).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDenoiser, saveDenoiser, selectBackend } from '@mddm/model';
import type { Frame } from '@mddm/io';
import { frames, mddm } from './helpers';
import { reportNoCluster, startSlurmCluster } from '../../io/test/slurmCluster';

const repo = resolve(import.meta.dirname, '../../..');
// How array tasks start mddm: node + tsx's loader + the CLI's sources (tsconfig paths from TSX_TSCONFIG_PATH, inherited by the job).
const MDDM = `${process.execPath} --import ${pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href} ${join(repo, 'packages/cli/src/bin.ts')}`;

/** Setup line of every task: as nice as the test process (the machine is shared; each Slurm task is its own autogroup). */
const NICE = 'renice -n 15 $$ >/dev/null; echo 15 > /proc/$$/autogroup 2>/dev/null || true';

describe('mddm sample --executor slurm: flags (no cluster needed)', () => {
  it('slurm flags need --executor slurm; a bad executor is a usage error', async () => {
    const r = await mddm('sample', '--model', 'opp-unconditional', '--out', join(tmpdir(), 'x.xyz'), '--per-task', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--per-task need --executor slurm/);
    const b = await mddm('sample', '--model', 'opp-unconditional', '--out', join(tmpdir(), 'x.xyz'), '--executor', 'cloud');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--executor must be local or slurm, got 'cloud'/);
  });
});

const started = await startSlurmCluster();
if ('reason' in started) {
  describe('mddm sample --executor slurm', () => reportNoCluster(it, started.reason));
} else {
  const dir = await mkdtemp(join(tmpdir(), 'mddm-slurm-sample-'));
  afterAll(async () => {
    await started.stop();
    await rm(dir, { recursive: true, force: true });
  });
  describe('mddm sample --executor slurm', () => {
    it('slurm: 3 conformations as 2 array tasks (seeds 7, 8) gathered into one XYZ equal to local runs with those seeds; a rerun reuses the parts', async () => {
      process.env.TSX_TSCONFIG_PATH = join(repo, 'tsconfig.json');
      await selectBackend('wasm');
      const u = createDenoiser({ k: 6, layers: 2, width: 8, hidden: [8], headHidden: [8] });
      u.training = { n: 64, box: [4, 4, 4], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps' };
      const model = join(dir, 'tiny');
      await saveDenoiser(u, model);
      u.dispose();
      const common = ['--model', model, '--n', '64', '--box', '4', '--steps', '3', '--corrector', '0'];
      const out = join(dir, 'slurm.xyz');
      const t0 = performance.now();
      const r = await mddm('sample', ...common, '--count', '3', '--seed', '7', '--out', out, '--executor', 'slurm', '--per-task', '2', '--poll', '0.3', '--mddm-command', MDDM, '--setup', NICE);
      console.log(`[slurm] mddm sample: 2 tasks on the single-node cluster in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      expect(r.err).not.toMatch(/failed/);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/slurm: 2 tasks of up to 2 conformations \(seeds 7\.\.8\), 0 already done/);
      expect(r.out).toMatch(/wrote .*slurm\.xyz \(3 conformations from 2 tasks\)/);
      const got = await frames(out);
      expect(got.length).toBe(3);

      // The same shares locally, in-process: seeds 7 (2), 8 (1).
      const want: Frame[] = [];
      for (const [seed, count] of [[7, 2], [8, 1]]) {
        const p = join(dir, `local-${seed}.xyz`);
        expect((await mddm('sample', ...common, '--count', String(count), '--seed', String(seed), '--out', p)).code).toBe(0);
        want.push(...(await frames(p)));
      }
      got.forEach((f, i) => {
        expect(f.info).toEqual(want[i].info);
        expect(f.box).toEqual(want[i].box);
        expect(Array.from(f.positions)).toEqual(Array.from(want[i].positions));
      });

      // Rerun: every part is there, nothing is submitted, the same file is written.
      const again = await mddm('sample', ...common, '--count', '3', '--seed', '7', '--out', out, '--executor', 'slurm', '--per-task', '2', '--poll', '0.3', '--mddm-command', MDDM, '--setup', NICE);
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/2 already done/);
      expect(again.err).not.toMatch(/submitted job array/);
      expect((await frames(out)).map((f) => Array.from(f.positions))).toEqual(got.map((f) => Array.from(f.positions)));
      const [work] = await readdir(`${out}.slurm`);
      expect(await readdir(join(`${out}.slurm`, work, 'parts'))).toHaveLength(2);
    }, 300_000); // each task starts node + tsx + TensorFlow.js from the sources: ~5 s idle, ~60 s on this loaded machine at nice 15
  });
}
