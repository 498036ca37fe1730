/**
 * Autoguidance experiment (Karras et al. 2024, "Guiding a diffusion model with a bad version of
 * itself") on the unconditional model: eps = eps_bad + w (eps_good - eps_bad), with a weaker model
 * of the same architecture as the bad one, optionally only on a noise band. RDF-MSE against the
 * shipped MD replicas (SPEC §3), same seeds for every weight.
 *
 *   tsx examples/autoguidance.ts --bad training/opp-unconditional/checkpoint --weights 1,1.5,2 --seeds 1,2,3
 *
 * Results: docs/unconditional-recipe.md.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@mddm/data';
import { rdf, rdfMse } from '@mddm/rdf';
import { BALANCED_SAMPLER, QUALITY_SAMPLER, loadDenoiser, sample, selectBackend, type DenoiserLike } from '@mddm/model';
import { encodeTime, type EpsFunction } from '@mddm/schedules';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'packages/pretrained/models/opp-unconditional' },
  bad: { type: 'string', default: 'training/opp-unconditional/checkpoint' },
  'bad-weights': { type: 'string', default: 'ema' },
  weights: { type: 'string', default: '1,1.5,2' }, seeds: { type: 'string', default: '1,2,3' },
  band: { type: 'string', default: '0,100' }, sampler: { type: 'string', default: 'balanced' },
} });
const list = (s: string) => s.split(',').map(Number);

/** log of the noise std (box fractions) at a possibly fractional timestep of schedule `a`: the inverse of encodeTime's log-sigma map. */
function logSigma(a: ArrayLike<number>, t: number): number {
  const l1 = 0.5 * Math.log(a[1]), lT = 0.5 * Math.log(a[a.length - 1]);
  return l1 + encodeTime('log-sigma', t, a) * (lT - l1);
}

/** The eps function of `d` (log-sigma time encoding) at the noise level of timestep t of schedule `a`. */
function epsAtLevel(d: DenoiserLike, a: ArrayLike<number>, box: number): EpsFunction {
  const own = d.training!.schedule!.a;
  const T = own.length - 1;
  const l1 = 0.5 * Math.log(own[1]);
  const lT = 0.5 * Math.log(own[T]);
  return async (x: Float64Array, t: number, out: Float64Array) => {
    const tau = (logSigma(a, t) - l1) / (lT - l1);
    const g = d.globalInput(tau, 1);
    const graph = d.buildGraph(x, [box, box, box], 1, g);
    const e = tf.tidy(() => d.apply(graph, tf.tensor2d(g, [1, d.globalFeatures])));
    out.set((await e.data()) as Float32Array);
    e.dispose();
  };
}

await selectBackend('wasm');
const good = await loadDenoiser(values.model!);
const bad = await loadDenoiser(values.bad!, { weights: values['bad-weights'] as 'ema' | 'raw' });
const a = good.training!.schedule!.a;
const box = 10;
const [lo, hi] = list(values.band!);
const opts = { bins: 100, rMax: 5 };
const gReps = (await loadDataset('opp-replicas')).map((f) => rdf(f.positions, f.box, opts));
const preset = values.sampler === 'quality' ? QUALITY_SAMPLER : BALANCED_SAMPLER;
const badEps = epsAtLevel(bad, a, box);
for (const w of list(values.weights!)) {
  const means: number[] = [];
  let nfe = 0;
  for (const seed of list(values.seeds!)) {
    const t0 = Date.now();
    const tmp = new Float64Array(3000);
    const res = await sample(good, { n: 1000, box, seed, ...preset, corrector: { ...preset.corrector },
      guide: w === 1 ? undefined : (eps) => {
        const e = eps(undefined);
        return async (x: Float64Array, t: number, out: Float64Array) => {
          await e(x, t, out);
          const sLj = box * Math.exp(logSigma(a, t));
          if (sLj < lo || sLj > hi) return;
          await badEps(x, t, tmp);
          for (let i = 0; i < out.length; i++) out[i] = tmp[i] + w * (out[i] - tmp[i]);
        };
      } });
    nfe = res.evaluations;
    const g = rdf(res.positions[0], box, opts);
    const m = gReps.map((gr) => rdfMse(g, gr));
    means.push(m.reduce((s, v) => s + v, 0) / m.length);
    console.log(`w ${w} seed ${seed}: ${means.at(-1)!.toFixed(4)} (${m.map((v) => v.toFixed(4)).join(' ')}) NFE ${nfe} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`w ${w} band [${lo}, ${hi}] LJ: mean ${(means.reduce((s, v) => s + v, 0) / means.length).toFixed(4)} over ${means.length} seeds`);
}
