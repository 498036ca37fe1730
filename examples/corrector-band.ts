/**
 * Corrector-band sweep for a trained unconditional model: RDF-MSE against the shipped MD replicas
 * (SPEC §3) for several upper edges of the Langevin corrector band, same seeds for every band.
 *
 *   tsx examples/corrector-band.ts --model packages/pretrained/models/opp-unconditional --bands 0.3,0.5,0.8 --seeds 0,1,2
 *
 * Prints one line per (band, seed) and the mean per band with its NFE. Results: docs/unconditional-recipe.md.
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { rdf, rdfMse } from '@mddm/rdf';
import { loadDenoiser, sample, selectBackend } from '@mddm/model';
import { FAST_TRAINING } from './train-unconditional';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'packages/pretrained/models/opp-unconditional' },
  bands: { type: 'string', default: '0.3,0.5,0.8' }, seeds: { type: 'string', default: '0,1,2' },
  steps: { type: 'string', default: String(FAST_TRAINING.sampleSteps) }, corrector: { type: 'string', default: String(FAST_TRAINING.corrector.steps) },
  r: { type: 'string', default: String(FAST_TRAINING.corrector.r) }, weights: { type: 'string', default: 'ema' },
} });
const list = (s: string) => s.split(',').map(Number);
await selectBackend('wasm');
const d = await loadDenoiser(values.model!, { weights: values.weights as 'ema' | 'raw' });
const opts = { bins: 100, rMax: 5 };
const gReps = (await loadDataset('opp-replicas')).map((f) => rdf(f.positions, f.box, opts));
for (const band of list(values.bands!)) {
  const means: number[] = [];
  let nfe = 0;
  for (const seed of list(values.seeds!)) {
    const t0 = Date.now();
    const res = await sample(d, { n: 1000, box: 10, steps: Number(values.steps), spacing: 'log-sigma', seed,
      corrector: { ...FAST_TRAINING.corrector, steps: Number(values.corrector), r: Number(values.r), sigmaMaxLj: band } });
    nfe = res.evaluations;
    const g = rdf(res.positions[0], 10, opts);
    const m = gReps.map((gr) => rdfMse(g, gr));
    means.push(m.reduce((a, b) => a + b, 0) / m.length);
    console.log(`band <= ${band} LJ seed ${seed}: mean ${means.at(-1)!.toFixed(4)} (${m.map((v) => v.toFixed(4)).join(' ')}) NFE ${nfe} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`band <= ${band} LJ: mean over ${means.length} seeds ${(means.reduce((a, b) => a + b, 0) / means.length).toFixed(4)} NFE ${nfe}`);
}
