/**
 * Micro-benchmarks of the sampling primitives at the paper's size (N = 1000 particles, L = 10).
 * Run: `pnpm --filter @mddm/schedules bench`. Numbers are per call, median of several repeats.
 */
import {
  WrappedDiffusion, cosineSchedule, createRng, runSampler, sampleUniformBox, scoreLambdaTable, wrappedNormalScores, wrappedScoreTarget,
} from '../src/index';

function time(label: string, reps: number, fn: () => void): number {
  for (let i = 0; i < Math.min(reps, 50); i++) fn(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    runs.push(((performance.now() - t0) * 1000) / reps);
  }
  runs.sort((a, b) => a - b);
  const us = runs[3];
  console.log(`${label.padEnd(48)} ${us.toFixed(2).padStart(9)} us/call`);
  return us;
}

const N = 1000, L = 10;
const sched = cosineSchedule();
const D = new WrappedDiffusion(sched);
const rng = createRng(1);
const x64 = sampleUniformBox(N, L, rng);
const x32 = new Float32Array(x64);
const eps64 = new Float64Array(3 * N), z64 = new Float64Array(3 * N);
rng.fillNormal(eps64);
rng.fillNormal(z64);
const eps32 = new Float32Array(eps64), z32 = new Float32Array(z64);
const out64 = new Float64Array(3 * N), out32 = new Float32Array(3 * N);

console.log(`@mddm/schedules bench: N = ${N} particles (${3 * N} coordinates), L = ${L}, node ${process.version}`);
time('rng.fillNormal(3000)', 2000, () => rng.fillNormal(z64));
time('sampleUniformBox(1000)', 2000, () => sampleUniformBox(N, L, rng, out64));
time('addNoise float64', 5000, () => D.addNoise(x64, 250, eps64, L, out64));
time('addNoise float32', 5000, () => D.addNoise(x32, 250, eps32, L, out32));
time('step float64 (Alg. 2)', 5000, () => D.step(x64, eps64, 250, z64, L, out64));
time('step float32 (Alg. 2)', 5000, () => D.step(x32, eps32, 250, z32, L, out32));
time('stepTo eta=0.5 float64', 5000, () => D.stepTo(x64, eps64, 250, 200, z64, L, out64, { eta: 0.5 }));
time('full step incl. fillNormal (float64)', 2000, () => { rng.fillNormal(z64); D.step(x64, eps64, 250, z64, L, out64); });
time('wrappedNormalScores(3000), sigma/L = 0.1', 500, () => wrappedNormalScores(eps64, 0.1, L, out64));
time('wrappedNormalScores(3000), sigma/L = 0.7', 500, () => wrappedNormalScores(eps64, 0.7, L, out64));
time('wrappedScoreTarget(3000) with lambda given', 500, () => wrappedScoreTarget(x64, x32 as unknown as Float64Array, 300, sched, L, out64, 1));
time('scoreLambdaTable(cosine T=500)', 20, () => scoreLambdaTable(sched));
// runSampler is async (the eps function may be): time it with awaits, median of 3 after one warm-up
async function samplerOverhead(): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < 4; r++) {
    const x = sampleUniformBox(N, L, rng);
    const t0 = performance.now();
    await runSampler(D, x, L, (_x, _t, o) => { o.fill(0); }, rng);
    if (r > 0) runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`500-step runSampler, zero denoiser (sampler overhead): ${runs[1].toFixed(1)} ms`);
  return runs[1] * 1000;
}
void samplerOverhead().then((total) => {
  console.log(`sampler overhead per 500-step sample: ${(total / 1000).toFixed(1)} ms (the denoiser dominates: paper ~4.2 s/sample on a GPU)`);
});
