/**
 * Sampling the unconditional model with a small-noise expert (`examples/train-expert.ts`) standing in
 * for it below `--switch` LJ of noise: RDF-MSE against the shipped MD replicas (SPEC §3), same seeds
 * with and without the expert, for the balanced and restart presets. The expert shares the model's
 * schedule and time input, so its eps is evaluated at the same `t`.
 *
 *   tsx examples/expert-sampling.ts --expert training/opp-expert-w64/checkpoint --switch 0.3 --seeds 1,2,3
 *
 * Results: docs/unconditional-recipe.md.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@mddm/data';
import { rdf, rdfMse } from '@mddm/rdf';
import { BALANCED_SAMPLER, RESTART_SAMPLER, loadDenoiser, sample, selectBackend, type DenoiserLike } from '@mddm/model';
import { encodeTime, type EpsFunction } from '@mddm/schedules';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'packages/pretrained/models/opp-unconditional' },
  expert: { type: 'string', default: 'training/opp-expert-w64/checkpoint' },
  switch: { type: 'string', default: '0.3' }, seeds: { type: 'string', default: '1,2,3' },
  samplers: { type: 'string', default: 'balanced,restart' }, base: { type: 'boolean', default: true },
  weights: { type: 'string', default: 'ema' },
} });
const list = (s: string) => s.split(',').map(Number);
const box = 10;

/** The eps function of `d` at timestep t (same schedule as the model). */
function epsOf(d: DenoiserLike): EpsFunction {
  const a = d.training!.schedule.a;
  return async (x: Float64Array, t: number, out: Float64Array) => {
    const g = d.globalInput(encodeTime(d.timeEncoding, t, a), 1);
    const graph = d.buildGraph(x, [box, box, box], 1, g);
    const e = tf.tidy(() => d.apply(graph, tf.tensor2d(g, [1, d.globalFeatures])));
    out.set((await e.data()) as Float32Array);
    e.dispose();
  };
}

await selectBackend('wasm');
const model = await loadDenoiser(values.model!);
const expert = await loadDenoiser(values.expert!, { weights: values.weights as 'ema' | 'raw' });
const a = model.training!.schedule.a;
if (expert.training!.schedule.a.length !== a.length) throw new Error('the expert must share the model schedule');
const sw = Number(values.switch);
const expertEps = epsOf(expert);
const opts = { bins: 100, rMax: 5 };
const gReps = (await loadDataset('opp-replicas')).map((f) => rdf(f.positions, f.box, opts));
const presets = { balanced: BALANCED_SAMPLER, restart: RESTART_SAMPLER } as const;
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

for (const name of values.samplers!.split(',') as (keyof typeof presets)[]) {
  const preset = presets[name];
  for (const withExpert of values.base ? [false, true] : [true]) {
    const scores: number[] = [];
    for (const seed of list(values.seeds!)) {
      const t0 = Date.now();
      const res = await sample(model, { n: 1000, box, seed, ...structuredClone(preset),
        guide: withExpert ? (eps) => {
          const e = eps(undefined);
          return (x: Float64Array, t: number, out: Float64Array) => box * Math.sqrt(a[Math.round(t)] ?? a[a.length - 1]) <= sw ? expertEps(x, t, out) : e(x, t, out);
        } : undefined });
      const g = rdf(res.positions[0], box, opts);
      const m = gReps.map((gr) => rdfMse(g, gr));
      scores.push(mean(m));
      console.log(`${name} ${withExpert ? `expert<=${sw}` : 'model'} seed ${seed}: ${scores.at(-1)!.toFixed(4)} NFE ${res.evaluations} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    console.log(`${name} ${withExpert ? `expert<=${sw}` : 'model'}: mean ${mean(scores).toFixed(4)} over ${scores.length} seeds`);
  }
}
