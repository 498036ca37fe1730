/**
 * A small-noise expert for the unconditional model (issue 11, the 0.005 goal): a fresh network,
 * possibly wider or deeper than the shipped one, trained only on the noise band where the shipped
 * network's error decides the structure (docs/unconditional-recipe.md: the restart plateau and the
 * corrector's floor are both its error below ~0.2 LJ). It uses the shipped model's schedule and time
 * input, so at any level inside the band it can stand in for it (`examples/expert-sampling.ts`).
 *
 * Timestep weights: the log-sigma law restricted to `sigma-min-lj <= sigma <= sigma-max-lj`.
 * Checkpoints go to `OUT/checkpoint` every 250 steps; `--resume` continues (steps and time may change).
 *
 *   nice -n 10 pnpm exec tsx examples/train-expert.ts --width 64 --band 0.01,0.3 --steps 20000 \
 *     --minutes 70 --ema 0.999 --out training/opp-expert-w64
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDenoiser, selectBackend, train } from '@mddm/model';
import { scheduleFromFunction, timestepCdf } from '@mddm/schedules';
import { loadModel } from './loadModel';
import { runOptions, saveAndDispose } from './runOptions';
import { FAST_MODEL, trainingFrames } from './train-unconditional';

/** The shipped unconditional model's frames: 21 independent MD runs and their 630 thermal continuations. */
export const EXPERT_DATA = 'opp-unconditional,opp-state-frames,training/opp-state-thermal/frames.xyz.gz,training/opp-state-thermal/frames-2.xyz.gz';

/** Timestep weights `[T + 1]`: the log-sigma law on the levels with `lo <= L sqrt(a_t) <= hi` (LJ), zero elsewhere. */
export function bandWeights(a: ArrayLike<number>, L: number, lo: number, hi: number): Float64Array {
  const T = a.length - 1;
  const cdf = timestepCdf(scheduleFromFunction(T, (t) => a[t], 'band'), 'log-sigma', 1, T);
  const w = new Float64Array(T + 1);
  for (let t = 1; t <= T; t++) {
    const s = L * Math.sqrt(a[t]);
    if (s >= lo && s <= hi) w[t] = cdf[t] - cdf[t - 1];
  }
  return w;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: {
    base: { type: 'string' }, width: { type: 'string' }, layers: { type: 'string' }, k: { type: 'string' }, band: { type: 'string' },
    steps: { type: 'string' }, minutes: { type: 'string' }, lr: { type: 'string' }, batch: { type: 'string' }, ema: { type: 'string' },
    data: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, resume: { type: 'boolean' },
  } });
  await selectBackend();
  const base = (await loadModel(values.base ?? 'opp-unconditional')).denoiser;
  const tr = base.training!;
  const width = Number(values.width ?? 64);
  const denoiser = createDenoiser({
    ...FAST_MODEL, width, hidden: [width, width], layers: Number(values.layers ?? FAST_MODEL.layers), k: Number(values.k ?? FAST_MODEL.k), seed: Number(values.seed ?? 0),
  });
  base.dispose();
  const [lo, hi] = (values.band ?? '0.01,0.3').split(',').map(Number);
  const timestepWeights = bandWeights(tr.schedule.a, tr.box[0], lo, hi);
  const schedule = scheduleFromFunction(tr.schedule.T, (t) => tr.schedule.a[t], tr.schedule.name);
  const frames = await trainingFrames((values.data ?? EXPERT_DATA).split(',').filter(Boolean));
  const out = values.out ?? 'out/opp-expert';
  const steps = Number(values.steps ?? 20000);
  console.log(`expert: ${denoiser.countParams()} params, band ${lo}-${hi} LJ, ${frames.length} frames, ${steps} steps`);
  await train(denoiser, {
    data: frames, schedule, steps, batchSize: Number(values.batch ?? 2), tMax: tr.schedule.T, timestepWeights,
    learningRate: Number(values.lr ?? 0.003), lrSchedule: 'cosine', sampleSigmaMinLj: tr.sampleSigmaMinLj,
    seed: Number(values.seed ?? 0), ...runOptions(values, out, steps),
  });
  await saveAndDispose(denoiser, out);
}
