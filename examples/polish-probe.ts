import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { langevin, oppForces } from '@mddm/io';
import { rdf, rdfMse } from '@mddm/rdf';
import { BALANCED_SAMPLER, RESTART_SAMPLER, loadDenoiser, sample, selectBackend } from '@mddm/model';
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' }, steps: { type: 'string', default: '4000' }, every: { type: 'string', default: '250' }, dt: { type: 'string', default: '0.005' }, gamma: { type: 'string', default: '1' }, md: { type: 'boolean' }, restart: { type: 'boolean' } } });
await selectBackend('wasm');
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const frames = await loadDataset('opp-replicas');
const opts = { bins: 100, rMax: 5 };
const reps = frames.map((f) => rdf(f.positions, f.box, opts));
const score = (x: Float64Array, skip = -1) => mean(reps.filter((_, j) => j !== skip).map((r) => rdfMse(rdf(x, 10, opts), r)));
const d = await loadDenoiser('packages/pretrained/models/opp-unconditional');
for (const seed of values.seeds!.split(',').map(Number)) {
  const x = values.md ? Float64Array.from(frames[seed].positions) : (await sample(d, { n: 1000, box: 10, seed, ...(values.restart ? RESTART_SAMPLER : BALANCED_SAMPLER) })).positions[0];
  const skip = values.md ? seed : -1;
  const row: string[] = [`0:${score(x, skip).toFixed(4)}`];
  await langevin(x, 10, (p, f) => void f.set(oppForces(p, 10, { k: 7, phi: 1 }, { cutoff: 3 }).forces), {
    steps: Number(values.steps), dt: Number(values.dt), kT: 0.03, gamma: Number(values.gamma), seed: 100 + seed, every: Number(values.every),
    onFrame: ({ step, positions }) => void row.push(`${step}:${score(positions, skip).toFixed(4)}`),
  });
  console.log(`seed ${seed} ${row.join(' ')}`);
}
