/**
 * Measures the Slurm executor's overhead against the local executor on this machine: starts the
 * tests' single-node cluster (root + slurm-wlm + munge), generates the same plan with both executors
 * (2 at a time locally; the node has 2 CPUs) and prints wall-clock times and the overhead per task.
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
  const queued: number[] = [];
  const slurm = await generateDataset({ jobs, out: join(root, 'slurm'), protocol, executor: 'slurm', slurm: { pollSeconds: poll }, progress: false });
  const wall = (performance.now() - t0) / 1000;
  void queued;
  const lammpsLocal = local.secondsPerConformation;
  const lammpsSlurm = slurm.secondsPerConformation;
  console.log(`${n} conformations, ${side ** 3} atoms, ${protocol.meltSteps + protocol.annealSteps + protocol.holdSteps} steps, poll ${poll} s`);
  console.log(`local (2 at a time): ${local.seconds.toFixed(1)} s wall, LAMMPS ${lammpsLocal.toFixed(2)} s per conformation`);
  console.log(`slurm (node: 2 CPUs): ${wall.toFixed(1)} s wall, LAMMPS ${lammpsSlurm.toFixed(2)} s per conformation, ${slurm.done} done, ${slurm.failed.length} failed`);
  console.log(`overhead: ${(wall - local.seconds).toFixed(1)} s in all, ${(((wall - local.seconds) * 2) / n).toFixed(2)} s of a CPU slot per task`);
} finally {
  await cluster.stop();
  await rm(root, { recursive: true, force: true });
}
