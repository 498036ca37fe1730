/**
 * The Slurm executor against a real single-node Slurm cluster (slurmctld + slurmd on this machine,
 * started by ./slurmCluster.ts) and real LAMMPS runs (64 atoms, a few hundred steps each). Without
 * root/Slurm/LAMMPS the cluster tests are skipped with the reason printed (and fail under CI=true).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset, gridPlan, resolveProtocol, runSlurmTasks, slurmArrayScript, SlurmError, type GeneratorManifest, type ManifestEntry } from '../src/index';
import { runDataCli } from '../src/cli';
import { reportNoCluster, startSlurmCluster, type SlurmCluster } from './slurmCluster';

const protocol = resolveProtocol({ latticeSide: 4 }, 0.002); // 64 atoms, melt 4 + anneal 100 + hold 10 steps
/** Setup line of every task: as nice as the test process (the machine is shared with long jobs). */
const NICE = 'renice -n 15 $$ >/dev/null; echo 15 > /proc/$$/autogroup 2>/dev/null || true'; // autogroup: each Slurm task is its own session
const hasLammps = spawnSync(process.env.MDDM_LMP || 'lmp', ['-h'], { stdio: 'ignore' }).status === 0;

describe('slurm executor: scripts and options (no cluster needed)', () => {
  it('slurm array script: one task per folder, #SBATCH options, setup lines, exit file', () => {
    const s = slurmArrayScript([{ dir: '/shared/a b', command: 'lmp -in in.opp' }, { dir: '/shared/c', command: 'srun lmp -in in.opp' }], '/shared/logs', {
      partition: 'short', time: '0:10:00', cpusPerTask: 2, sbatch: ['--account=proj42', '#SBATCH --mem=1G'], setup: ['module load lammps'], maxRunning: 8, jobName: 'mddm-x',
    });
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    for (const l of ['#SBATCH --job-name=mddm-x', '#SBATCH --array=0-1%8', '#SBATCH --output=/shared/logs/%A_%a.out', '#SBATCH --cpus-per-task=2', '#SBATCH --partition=short', '#SBATCH --time=0:10:00', '#SBATCH --account=proj42', '#SBATCH --mem=1G', 'module load lammps']) {
      expect(s.split('\n')).toContain(l);
    }
    expect(s).toContain(`0) dir='/shared/a b'; run() { lmp -in in.opp; } ;;`);
    expect(s).toContain('1) dir=/shared/c; run() { srun lmp -in in.opp; } ;;');
    expect(s).toMatch(/> exit\.tmp && mv -f exit\.tmp exit/);
    // bash accepts it
    expect(spawnSync('bash', ['-n'], { input: s }).status).toBe(0);
  });

  it('slurm options are checked (typed SlurmError naming the option)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mddm-slurm-opt-'));
    const jobs = gridPlan('x', { k: [7], phi: [1], T: [0.03] });
    for (const slurm of [{ retries: -1 }, { partition: 'a b' }, { pollSeconds: 0 }, { sbatch: ['--x\n--y'] }]) {
      const e = await generateDataset({ jobs, out, protocol, executor: 'slurm', slurm, progress: false }).catch((x) => x);
      expect(e).toBeInstanceOf(SlurmError);
      expect(e.code).toBe('SLURM_BAD_OPTION');
    }
    await expect(generateDataset({ jobs, out, protocol, executor: 'cloud' as 'slurm', progress: false })).rejects.toMatchObject({ code: 'IO_BAD_ARGUMENT' });
    await rm(out, { recursive: true, force: true });
  });

  it('slurm work folder lock: a live holder -> SLURM_BUSY, a stale one is taken over', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'mddm-slurm-lock-'));
    await writeFile(join(workDir, 'lock'), `${process.pid}@${hostname()}\n`);
    await expect(runSlurmTasks({ tasks: [], workDir })).rejects.toMatchObject({ code: 'SLURM_BUSY' });
    await writeFile(join(workDir, 'lock'), `999999999@${hostname()}\n`); // no such process
    await expect(runSlurmTasks({ tasks: [], workDir })).resolves.toEqual({ outcomes: [], jobs: [] });
    expect(existsSync(join(workDir, 'lock'))).toBe(false);
    await rm(workDir, { recursive: true, force: true });
  });

  it('mddm-data generate: slurm flags need --executor slurm (usage error, exit 2)', async () => {
    let err = '';
    const code = await runDataCli(['generate', '--set', 'x', '--out', '/tmp/x', '--k', '7', '--phi', '1', '--T', '0.03', '--partition', 'short'], { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) } });
    expect(code).toBe(2);
    expect(err).toMatch(/--partition need --executor slurm/);
  });
});

const started = hasLammps ? await startSlurmCluster() : { reason: "LAMMPS ('lmp') not found: apt-get install lammps" };

/** Files of a generated set, with the timing field blanked. */
async function conformations(out: string, set: string): Promise<Record<string, string>> {
  const r: Record<string, string> = {};
  for (const f of (await readdir(join(out, set))).sort()) r[f] = (await readFile(join(out, set, f), 'utf8')).replace(/ seconds=[\d.e+-]+/, '');
  return r;
}

/** Manifest entries without timing and executor fields. */
function comparable(e: ManifestEntry): Partial<ManifestEntry> {
  const { seconds: _s, slurm: _l, ...rest } = e;
  return rest;
}

if ('reason' in started) {
  describe('slurm executor on a single-node cluster', () => reportNoCluster(it, started.reason));
} else {
  const cluster: SlurmCluster = started;
  const root = await mkdtemp(join(tmpdir(), 'mddm-slurm-gen-'));
  afterAll(async () => {
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  });

  describe('slurm executor on a single-node cluster', () => {
    it('slurm: same conformations and manifest as local; a failing task is reported with job id and log, retried to the limit; a flaky one recovers', async () => {
      // Launcher wrapper: seed 13 always fails (a broken node / bad launcher), seed 12 fails on its first attempt only.
      const wrapper = join(root, 'launcher.sh');
      await writeFile(wrapper, [
        '#!/bin/bash',
        'if grep -q "^velocity all create [^ ]* 13 " in.opp; then echo "launcher: refusing seed 13" >&2; exit 3; fi',
        'if grep -q "^velocity all create [^ ]* 12 " in.opp && [ ! -e ../flaky-once ]; then touch ../flaky-once; echo "launcher: seed 12 fails once" >&2; exit 4; fi',
        'exec "$@"',
        '',
      ].join('\n'));
      await chmod(wrapper, 0o755);
      const jobs = gridPlan('slurm-eq', { k: [3, 7], phi: [1], T: [0.03], replicas: 2, seedBase: 10 }); // seeds 10..13
      const local = await generateDataset({ jobs, out: join(root, 'local'), protocol, concurrency: 2, progress: false });
      expect(local.done).toBe(4);

      const out = join(root, 'slurm');
      const lines: string[] = [];
      const progress = { write: (s: string) => (lines.push(s), true) };
      const slurm = { launcher: wrapper, pollSeconds: 0.3, retries: 1, setup: [NICE] };
      const t0 = performance.now();
      const s = await generateDataset({ jobs, out, protocol, executor: 'slurm', slurm, progress });
      const wall = (performance.now() - t0) / 1000;
      console.log(`[slurm] 4 tasks (1 flaky, 1 failing, retries 1): ${wall.toFixed(1)} s wall on the single-node cluster; local executor: ${local.seconds.toFixed(1)} s`);
      expect(s.done).toBe(3);
      expect(s.failed.length).toBe(1);
      const bad = s.failed[0];
      expect(bad.job.seed).toBe(13);
      expect(bad.error).toMatch(/Slurm task \d+_\d+, log \/\S+\/logs\/\d+_\d+\.out: exit code 3 \(failed 2 times, retry limit 1\)/);
      expect(bad.error).toMatch(/launcher: refusing seed 13/); // the log tail
      expect(bad.slurm).toMatchObject({ attempts: 2 });
      expect(existsSync(bad.slurm!.log)).toBe(true);
      const flaky = s.results.find((r) => r.job.seed === 12)!;
      expect(flaky.status).toBe('done');
      expect(flaky.slurm?.attempts).toBe(2);
      expect(lines.join('')).toMatch(/task slurm-eq\/k7_phi1_T0.03_s12 failed \(Slurm task \d+_\d+, log .*\): exit code 4; resubmitting \(attempt 2 of 2\)/);

      // Same seeds -> identical conformations (byte for byte except the timing field).
      const a = await conformations(join(root, 'local'), 'slurm-eq');
      const b = await conformations(out, 'slurm-eq');
      expect(Object.keys(b).length).toBe(3);
      for (const [f, text] of Object.entries(b)) expect(text).toBe(a[f]);
      const ml = JSON.parse(await readFile(local.manifest, 'utf8')) as GeneratorManifest;
      const ms = JSON.parse(await readFile(s.manifest, 'utf8')) as GeneratorManifest;
      expect(ms.protocol).toEqual(ml.protocol);
      expect(ms.protocolSummary).toBe(ml.protocolSummary);
      expect(ms.lammps).toBe(ml.lammps);
      for (const key of Object.keys(ml.conformations)) {
        if (key.endsWith('_s13')) {
          expect(ms.conformations[key]).toMatchObject({ status: 'failed', slurm: { attempts: 2 } });
          continue;
        }
        expect(comparable(ms.conformations[key])).toEqual(comparable(ml.conformations[key]));
        expect(ms.conformations[key].slurm?.job).toMatch(/^\d+_\d+$/);
      }

      // Rerun: finished ones are skipped, the failed one has used up its retries (no new submission).
      const state = JSON.parse(await readFile(join(out, '.slurm', 'state.json'), 'utf8'));
      const again = await generateDataset({ jobs, out, protocol, executor: 'slurm', slurm, progress: false });
      expect(again.skipped).toBe(3);
      expect(again.failed.length).toBe(1);
      expect(again.failed[0].error).toMatch(/gave up after 2 failed attempts \(retries 1\).*exit code 3/);
      expect(JSON.parse(await readFile(join(out, '.slurm', 'state.json'), 'utf8')).jobs).toEqual(state.jobs);
    });

    it('slurm: a resubmission after an interrupted run finishes without redoing finished work', async () => {
      // Launcher that records every LAMMPS start and takes ~1 s, so the abort lands mid-way.
      const runs = join(root, 'runs.log');
      const wrapper = join(root, 'counting.sh');
      await writeFile(wrapper, ['#!/bin/bash', `echo "$PWD" >> ${runs}`, 'sleep 1', 'exec "$@"', ''].join('\n'));
      await chmod(wrapper, 0o755);
      const jobs = gridPlan('slurm-resume', { k: [2, 5, 9], phi: [0], T: [0.02], replicas: 2, seedBase: 30 }); // 6 conformations
      const out = join(root, 'resume');
      const slurm = { launcher: wrapper, pollSeconds: 0.3, retries: 0, setup: [NICE] };
      const ac = new AbortController();
      const first = await generateDataset({
        jobs, out, protocol, executor: 'slurm', slurm, progress: false, signal: ac.signal,
        onJob: (r) => {
          if (r.status === 'done') ac.abort(); // Ctrl-C after the first collected conformation
        },
      });
      expect(first.done).toBeGreaterThanOrEqual(1);
      expect(first.pending).toBeGreaterThanOrEqual(1);
      expect(first.done + first.pending).toBe(6);
      const m1 = JSON.parse(await readFile(first.manifest, 'utf8')) as GeneratorManifest;
      expect(Object.values(m1.conformations).filter((e) => e.status === 'done').length).toBe(first.done);

      const second = await generateDataset({ jobs, out, protocol, executor: 'slurm', slurm, progress: false });
      expect(second.failed).toEqual([]);
      expect(second.skipped).toBe(first.done);
      expect(second.done + second.skipped).toBe(6);
      // Every conformation ran exactly once, all in the first (and only) job array.
      const ran = (await readFile(runs, 'utf8')).trim().split('\n');
      expect(ran.length).toBe(6);
      expect(new Set(ran).size).toBe(6);
      expect(JSON.parse(await readFile(join(out, '.slurm', 'state.json'), 'utf8')).jobs.length).toBe(1);
      const m2 = JSON.parse(await readFile(second.manifest, 'utf8')) as GeneratorManifest;
      expect(Object.values(m2.conformations).every((e) => e.status === 'done' || e.status === 'skipped')).toBe(true);
      // nothing left behind but the logs and the state
      expect(await readdir(join(out, 'slurm-resume'))).toHaveLength(6);
    });
  });
}
