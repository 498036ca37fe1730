// @mddm/io benchmarks: extended XYZ and LAMMPS dump throughput (text and streamed file). loadDataset: pnpm --filter @mddm/data bench.
// Run: pnpm --filter @mddm/io bench
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLammpsDumpText, readXyz, readXyzText, writeLammpsDumpText, writeXyz, writeXyzText, type Frame } from '../src/index';

function time(label: string, reps: number, atoms: number, fn: () => unknown): void {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms  ${((atoms / ms) * 1e3 / 1e6).toFixed(2)} M atoms/s`);
}

const N = 100_000;
const frame: Frame = { positions: new Float64Array(3 * N).map(() => Math.random() * 46.4), box: [46.4, 46.4, 46.4], info: { k: 7, phi: 1, T: 0.03 } };
console.log(`@mddm/io bench (one frame of ${N} atoms, random doubles: 17-digit shortest round-trip text)`);
const xyz = writeXyzText([frame]);
const dump = writeLammpsDumpText([frame]);
time('writeXyzText', 5, N, () => writeXyzText([frame]));
time('readXyzText', 5, N, () => readXyzText(xyz));
time('writeLammpsDumpText', 5, N, () => writeLammpsDumpText([frame]));
time('readLammpsDumpText', 5, N, () => readLammpsDumpText(dump));

const dir = await mkdtemp(join(tmpdir(), 'mddm-io-bench-'));
try {
  const frames = Array.from({ length: 20 }, () => frame);
  for (const name of ['t.xyz', 't.xyz.gz']) {
    const path = join(dir, name);
    let t0 = performance.now();
    await writeXyz(path, frames);
    const w = performance.now() - t0;
    t0 = performance.now();
    let n = 0;
    for await (const f of readXyz(path)) n += f.positions.length / 3;
    const r = performance.now() - t0;
    console.log(`${('streamed ' + name + ' (20 frames)').padEnd(44)} write ${w.toFixed(0)} ms, read ${r.toFixed(0)} ms (${((n / r) * 1e3 / 1e6).toFixed(2)} M atoms/s)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
