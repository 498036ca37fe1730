/**
 * Sampling the unconditional model with a small-noise expert (`examples/train-expert.ts`) standing in
 * for it on a band of noise levels (`createNoiseBandDenoiser`): RDF-MSE against the shipped MD replicas
 * (SPEC §3), same seeds with and without the expert, for the balanced and restart presets.
 *
 *   tsx examples/expert-sampling.ts --expert training/opp-expert-w64/checkpoint --band 0.01,0.3 --seeds 1,2,3
 *   tsx examples/expert-sampling.ts --band 0.07,0.3 --samplers '' --save out/pair   # the pair as one checkpoint
 *
 * Results: docs/unconditional-recipe.md.
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { rdf, rdfMse } from '@mddm/rdf';
import { BALANCED_SAMPLER, RESTART_SAMPLER, createNoiseBandDenoiser, loadDenoiser, sample, saveDenoiser, selectBackend } from '@mddm/model';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'packages/pretrained/models/opp-unconditional' },
  expert: { type: 'string', default: 'training/opp-expert-w64/checkpoint' },
  band: { type: 'string', default: '0.0101,0.3' }, seeds: { type: 'string', default: '1,2,3' },
  samplers: { type: 'string', default: 'balanced,restart' }, 'no-base': { type: 'boolean', default: false },
  weights: { type: 'string', default: 'ema' }, save: { type: 'string' },
} });
const list = (s: string) => s.split(',').map(Number);
const box = 10;

await selectBackend('wasm');
const model = await loadDenoiser(values.model!);
const expert = await loadDenoiser(values.expert!, { weights: values.weights as 'ema' | 'raw' });
const [sigmaMinLj, sigmaMaxLj] = list(values.band!);
const pair = createNoiseBandDenoiser({ base: model, expert, sigmaMinLj, sigmaMaxLj });
if (values.save) {
  // the pair as one checkpoint (kind noise-band), e.g. for examples/restart-sampling.ts --model DIR
  await saveDenoiser(pair, values.save);
  console.log(`saved ${values.save}`);
}
const opts = { bins: 100, rMax: 5 };
const gReps = (await loadDataset('opp-replicas')).map((f) => rdf(f.positions, f.box, opts));
const presets = { balanced: BALANCED_SAMPLER, restart: RESTART_SAMPLER } as const;
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

for (const name of values.samplers!.split(',').filter(Boolean) as (keyof typeof presets)[]) {
  for (const [label, d] of [...(values['no-base'] ? [] : [['model', model] as const]), [`expert ${sigmaMinLj}-${sigmaMaxLj}`, pair] as const]) {
    const scores: number[] = [];
    for (const seed of list(values.seeds!)) {
      const t0 = Date.now();
      const res = await sample(d, { n: 1000, box, seed, ...structuredClone(presets[name]) });
      const g = rdf(res.positions[0], box, opts);
      scores.push(mean(gReps.map((gr) => rdfMse(g, gr))));
      console.log(`${name} ${label} seed ${seed}: ${scores.at(-1)!.toFixed(4)} NFE ${res.evaluations} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    console.log(`${name} ${label}: mean ${mean(scores).toFixed(4)} over ${scores.length} seeds`);
  }
}
