/**
 * Per-noise-level eps loss of a model on its training frames and on held-out MD frames: tells
 * whether the network's error at a level is a fit problem (both high: capacity or optimisation) or a
 * data problem (held-out clearly above training: the model memorises frames).
 *
 *   pnpm exec tsx examples/level-loss.ts --model opp-unconditional --levels 0.05,0.1,0.15,0.2,0.3 --draws 8 [--train-frames 8]
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { wrap } from '@mddm/pbc';
import { createRng } from '@mddm/schedules';
import { selectBackend, timeInputAtSigma } from '@mddm/model';
import { loadModel } from './loadModel';
import { trainingFrames } from './train-unconditional';

const { values } = parseArgs({ options: {
  model: { type: 'string' }, levels: { type: 'string' }, draws: { type: 'string' }, data: { type: 'string' }, seed: { type: 'string' },
  'train-frames': { type: 'string' },
} });
await selectBackend();
const { denoiser } = await loadModel(values.model ?? 'opp-unconditional');
const levels = (values.levels ?? '0.05,0.1,0.15,0.2,0.3').split(',').map(Number);
const draws = Number(values.draws ?? 8);
const train = await trainingFrames((values.data ?? 'opp-unconditional,opp-state-frames').split(','));
const held = await loadDataset('opp-replicas');
const rng = createRng(Number(values.seed ?? 1));

/** Mean squared eps error (per coordinate) over frames x draws at noise std `sigma` LJ. */
function levelLoss(frames: readonly { positions: Float64Array; box: [number, number, number] }[], sigma: number): { mean: number; se: number } {
  const tau = timeInputAtSigma(denoiser, sigma);
  const per: number[] = [];
  for (const f of frames) for (let d = 0; d < draws; d++) {
    const n = f.positions.length;
    const eps = new Float64Array(n), x = new Float64Array(n);
    for (let i = 0; i < n; i++) { eps[i] = rng.normal(); x[i] = f.positions[i] + sigma * eps[i]; }
    wrap(x, f.box, x);
    const pred = denoiser.predict(x, f.box, tau);
    let s = 0;
    for (let i = 0; i < n; i++) s += (pred[i] - eps[i]) ** 2;
    per.push(s / n);
  }
  const m = per.reduce((a, b) => a + b, 0) / per.length;
  const v = per.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, per.length - 1);
  return { mean: m, se: Math.sqrt(v / per.length) };
}

const trainSub = train.slice(0, Number(values['train-frames'] ?? 8));
console.log(`model ${values.model ?? 'opp-unconditional'}: ${trainSub.length} training frames, ${held.length} held-out, ${draws} draws each`);
console.log('sigma LJ | train loss | held-out loss');
for (const s of levels) {
  const a = levelLoss(trainSub, s), b = levelLoss(held, s);
  console.log(`${s} | ${a.mean.toFixed(4)} ± ${a.se.toFixed(4)} | ${b.mean.toFixed(4)} ± ${b.se.toFixed(4)}`);
}
