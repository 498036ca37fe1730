/**
 * Restart sampling on a trained unconditional model (`SampleOptions.restart`, Xu et al. 2023):
 * RDF-MSE against the shipped MD replicas (SPEC §3) after each restart, for several restart levels,
 * same seeds for every level; and the diagnostic that motivated it, the "corrector floor": MD
 * replicas noised to a small level and denoised with and without the Langevin corrector.
 *
 *   tsx examples/restart-sampling.ts --levels 0.1,0.12,0.15,0.2,0.3 --restarts 5 --seeds 1,2,3
 *   tsx examples/restart-sampling.ts --floor 0.03,0.06
 *
 * Results: docs/unconditional-recipe.md ("Restart sampling").
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { rdf, rdfMse, type RdfResult } from '@mddm/rdf';
import { BALANCED_SAMPLER, loadDenoiser, sample, selectBackend, variation } from '@mddm/model';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'packages/pretrained/models/opp-unconditional' },
  levels: { type: 'string', default: '0.1,0.12,0.15,0.2,0.3' }, restarts: { type: 'string', default: '5' },
  seeds: { type: 'string', default: '1,2,3' }, floor: { type: 'string' },
} });
const list = (s: string) => s.split(',').map(Number);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
await selectBackend('wasm');
const d = await loadDenoiser(values.model!);
const opts = { bins: 100, rMax: 5 };
const frames = await loadDataset('opp-replicas');
const reps = frames.map((f) => rdf(f.positions, f.box, opts));
/** Mean RDF-MSE of a 10^3-box conformation against the replicas (all, or all but `skip`). */
const score = (x: Float64Array, skip = -1) => { const g: RdfResult = rdf(x, 10, opts); return mean(reps.filter((_, j) => j !== skip).map((r) => rdfMse(g, r))); };
const balanced = { ...BALANCED_SAMPLER, corrector: { ...BALANCED_SAMPLER.corrector } };

if (values.floor) {
  // what denoising does to MD itself: replica i noised to s and denoised, scored against the other replicas
  for (const s of list(values.floor)) {
    for (const [name, o] of [['without corrector', { sampler: 'dpm2m', spacing: 'karras', steps: 12 }], ['with the balanced corrector', balanced]] as const) {
      const v = [];
      for (const i of [0, 1]) v.push(score((await variation(d, frames[i].positions, 10, { sigmaLj: s, seed: 7 + i, ...o })).positions[0], i));
      console.log(`MD replica noised to ${s} LJ, denoised ${name}: ${v.map((x) => x.toFixed(4)).join(' ')}`);
    }
  }
} else {
  const R = Number(values.restarts);
  for (const level of list(values.levels!)) {
    const after: number[][] = Array.from({ length: R + 1 }, () => []);
    for (const seed of list(values.seeds!)) {
      // the chain one restart at a time (count 1, continuing from the previous sample) = sample({ restart: { count: R } }) up to the random stream
      let x = (await sample(d, { n: 1000, box: 10, seed, ...balanced })).positions[0];
      after[0].push(score(x));
      for (let k = 1; k <= R; k++) {
        x = (await variation(d, x, 10, { sigmaLj: level, seed: seed * 100 + k - 1, ...balanced, steps: 8 })).positions[0];
        after[k].push(score(x));
      }
      console.log(`level ${level} LJ seed ${seed}: ${after.map((a) => a.at(-1)!.toFixed(4)).join(' -> ')}`);
    }
    console.log(`level ${level} LJ: mean after 0..${R} restarts ${after.map((a) => mean(a).toFixed(4)).join(' ')}`);
  }
}
