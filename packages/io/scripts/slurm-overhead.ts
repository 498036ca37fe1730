/**
 * Measures the Slurm executor's overhead against the local executor on this machine: starts the
 * tests' single-node cluster (root + slurm-wlm + munge), generates the same plan with both executors
 * (2 at a time locally; the node has 2 CPUs) and prints wall-clock times and the overhead per task.
 * Tasks renice themselves to 15, like this process under `nice -n 15`, so both compete equally with
 * other work on the machine.
 *
 *   nice -n 15 pnpm tsx packages/io/scripts/slurm-overhead.ts [conformations=8] [steps-scale=0.002] [lattice-side=4] [poll=0.5]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset, lhsPlan, resolveProtocol } from '../src/index';
import { startSlurmCluster } from '../test/slurmCluster';

const [n = 8, scale = 0.002, side = 4, poll = 0.5] = process.argv.slice(2).map(Number);
const cluster = await startSlurmCluster();
if ('reason' in cluster) {
  console.error(`no cluster: ${cluster.reason}`);
  process.exit(1);
}
const root = await mkdtemp(join(tmpdir(), 'mddm-slurm-bench-'));
try {
  const protocol = resolveProtocol({ latticeSide: side }, scale);
  const jobs = lhsPlan('bench', n, { seed: 3 });
  const local = await generateDataset({ jobs, out: join(root, 'local'), protocol, concurrency: 2, progress: false });
  const t0 = performance.now();
  const slurm = await generateDataset({ jobs, out: join(root, 'slurm'), protocol, executor: 'slurm', slurm: { pollSeconds: poll, setup: ['renice -n 15 $$ >/dev/null; echo 15 > /proc/$$/autogroup 2>/dev/null || true'] }, progress: false });
  const wall = (performance.now() - t0) / 1000;
  const lammpsLocal = local.secondsPerConformation;
  const lammpsSlurm = slurm.secondsPerConformation;
  console.log(`${n} conformations, ${side ** 3} atoms, ${protocol.meltSteps + protocol.annealSteps + protocol.holdSteps} steps, poll ${poll} s`);
  console.log(`local (2 at a time): ${local.seconds.toFixed(1)} s wall, LAMMPS ${lammpsLocal.toFixed(2)} s per conformation`);
  console.log(`slurm (node: 2 CPUs): ${wall.toFixed(1)} s wall, LAMMPS ${lammpsSlurm.toFixed(2)} s per conformation, ${slurm.done} done, ${slurm.failed.length} failed`);
  // CPU-slot seconds per conformation not spent in LAMMPS (2 slots: the node's CPUs / --concurrency 2):
  // robust to LAMMPS itself running faster or slower on this shared machine between the two runs.
  const idle = (w: number, perRun: number) => (2 * w - n * perRun) / n;
  console.log(`slot seconds per conformation outside LAMMPS: local ${idle(local.seconds, lammpsLocal).toFixed(2)} s, slurm ${idle(wall, lammpsSlurm).toFixed(2)} s`);
  console.log(`overhead: ${(wall - local.seconds).toFixed(1)} s wall in all, slurm - local = ${(idle(wall, lammpsSlurm) - idle(local.seconds, lammpsLocal)).toFixed(2)} s of a CPU slot per task`);
} finally {
  await cluster.stop();
  await rm(root, { recursive: true, force: true });
}
