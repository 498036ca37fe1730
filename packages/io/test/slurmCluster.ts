/**
 * Test helper: a real single-node Slurm cluster on this machine (slurmctld + slurmd + a private
 * munged, config and state in a temp folder), for the tests whose names contain "slurm".
 * Needs root and Debian's slurm-wlm + munge (scripts/setup.sh installs them when root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A running cluster: its config file (set as SLURM_CONF for the client commands) and teardown. */
export interface SlurmCluster {
  dir: string;
  conf: string;
  stop(): Promise<void>;
}

const BIN = { slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd', munged: '/usr/sbin/munged' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function killPidFile(path: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/**
 * Starts the cluster, or returns why it cannot (not root, Slurm or munge not installed, a daemon
 * that does not come up). Sets `process.env.SLURM_CONF` while it runs.
 */
export async function startSlurmCluster(): Promise<SlurmCluster | { reason: string }> {
  if (process.platform !== 'linux') return { reason: 'Slurm tests need Linux' };
  if (process.getuid?.() !== 0) return { reason: 'the test cluster is started as root (slurmd runs jobs as their user); run as root or in CI' };
  for (const [name, path] of Object.entries(BIN)) if (!existsSync(path)) return { reason: `${path} not found: install Debian's slurm-wlm and munge (scripts/setup.sh does it as root)` };
  if (spawnSync('sh', ['-c', 'command -v sbatch && command -v squeue && command -v sinfo']).status !== 0) return { reason: 'sbatch/squeue/sinfo not found: install Debian slurm-wlm' };
  const dir = await mkdtemp(join(tmpdir(), 'mddm-slurm-'));
  await chmod(dir, 0o755); // job steps read the config, the spool dir holds scripts
  const munge = join(dir, 'munge');
  await mkdir(munge, { mode: 0o700 });
  for (const d of ['state', 'spool', 'log']) await mkdir(join(dir, d));
  // Our own munge key and munged (socket in the temp folder): independent of /etc/munge and of other test files' clusters.
  const key = join(munge, 'munge.key');
  await writeFile(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(munge, 'munge.sock');
  const stop = async () => {
    spawnSync('scancel', ['--full', '-u', 'root'], { env: { ...process.env, SLURM_CONF: conf }, timeout: 5000 });
    await killPidFile(join(dir, 'slurmd.pid'));
    await killPidFile(join(dir, 'slurmctld.pid'));
    await killPidFile(join(munge, 'munged.pid'));
    if (process.env.SLURM_CONF === conf) delete process.env.SLURM_CONF;
    await rm(dir, { recursive: true, force: true });
  };
  const conf = join(dir, 'slurm.conf');
  try {
    execFileSync(BIN.munged, [`--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(munge, 'munged.pid')}`, `--seed-file=${join(munge, 'seed')}`, `--log-file=${join(munge, 'munged.log')}`, '--force'], { stdio: 'pipe' });
    const host = hostname().split('.')[0];
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    await writeFile(conf, [
      'ClusterName=mddmtest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/builtin',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'InactiveLimit=0',
      'KillWait=5',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'));
    process.env.SLURM_CONF = conf;
    execFileSync(BIN.slurmctld, ['-f', conf], { stdio: 'pipe' });
    execFileSync(BIN.slurmd, ['-f', conf], { stdio: 'pipe' });
    let last = '';
    for (let i = 0; i < 150; i++) {
      const r = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], { encoding: 'utf8' });
      last = (r.stdout || r.stderr || '').trim();
      if (last === 'idle') return { dir, conf, stop };
      await sleep(200);
    }
    const logs = await readFile(join(dir, 'log', 'slurmctld.log'), 'utf8').catch(() => '');
    throw new Error(`node not idle after 30 s (sinfo: '${last}')\n${logs.split('\n').slice(-10).join('\n')}`);
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    await stop();
    return { reason: `the test cluster did not start: ${msg}` };
  }
}

/**
 * For a cluster that could not start: in CI (`CI=true`, where setup installs Slurm) a failing test
 * with the reason; locally a skipped test and a printed reason (never a silent pass). `it` is vitest's
 * (passed in so that this helper also loads outside vitest, e.g. in scripts/slurm-overhead.ts).
 */
export function reportNoCluster(it: { (name: string, fn: () => void): void; skip(name: string, fn: () => void): void }, reason: string): void {
  if (process.env.CI === 'true') {
    it('slurm: the single-node test cluster starts', () => {
      throw new Error(`Slurm tests cannot run: ${reason}`);
    });
  } else {
    console.warn(`[slurm tests skipped] ${reason}`);
    it.skip(`slurm tests skipped: ${reason}`, () => {});
  }
}
