/**
 * Variations of an MD conformation (issue 13; DynamicsDiffusion Algorithm 2): noise it to a level
 * sigma (LJ units), denoise with the trained model, and measure against the level the RDF-MSE vs MD
 * (replica average) and the mean minimum-image displacement of the particles from the original.
 *
 *   nice -n 15 pnpm exec tsx examples/variations.ts [--model opp-unconditional] [--count 1] [--steps K] [--corrector C] [--json out/variations.json]
 *
 * `--steps` / `--corrector` override the model's recommended sampler (denoising steps; Langevin corrector
 * steps per denoising step below 0.3 LJ units of noise).
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RdfAccumulator, rdf, rdfMse } from '@mddm/rdf';
import { meanDisplacement } from '@mddm/pbc';
import { selectBackend, trainedNoiseRange, variation, type DenoiserLike } from '@mddm/model';
import { loadModel, type ExampleModel } from './loadModel';
import { mdFrames } from './mdData';

/** One level of {@link runVariations}. */
export interface VariationRow { sigmaLj: number; t: number; rdfMse: number; meanDisplacement: number; nfe: number }

export async function runVariations(denoiser: DenoiserLike, sampler: ExampleModel['sampler'], levels: number[], options: { count?: number; seed?: number } = {}): Promise<VariationRow[]> {
  const replicas = await mdFrames('opp-replicas');
  const ref = new RdfAccumulator();
  for (const f of replicas) ref.add(f.positions, f.box);
  const g = ref.result();
  const md = replicas[0];
  const rows: VariationRow[] = [];
  const max = trainedNoiseRange(denoiser).sigmaMaxLj;
  for (const sigmaLj of levels.filter((s) => s <= max)) {
    const v = await variation(denoiser, md.positions, md.box, { ...sampler, sigmaLj, count: options.count ?? 1, seed: options.seed ?? 1 });
    const mse = v.positions.reduce((s, x) => s + rdfMse(rdf(x, md.box), g), 0) / v.positions.length;
    const disp = v.positions.reduce((s, x) => s + meanDisplacement(x, md.positions, md.box), 0) / v.positions.length;
    rows.push({ sigmaLj: v.sigmaLj, t: v.t, rdfMse: mse, meanDisplacement: disp, nfe: v.evaluations });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, count: { type: 'string' }, steps: { type: 'string' }, corrector: { type: 'string' }, json: { type: 'string' } } });
  await selectBackend();
  const { denoiser, sampler } = await loadModel(values.model ?? 'opp-unconditional');
  if (values.steps) sampler.steps = Number(values.steps);
  if (values.corrector) sampler.corrector = { ...(sampler.corrector ?? { sigmaMaxLj: 0.3, r: 0.4 }), steps: Number(values.corrector) };
  const rows = await runVariations(denoiser, sampler, [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 1.5], { count: Number(values.count ?? 1) });
  console.log('sigma (LJ) | t | RDF-MSE vs MD | mean displacement (LJ) | NFE');
  for (const r of rows) console.log(`${r.sigmaLj.toFixed(3)} | ${r.t} | ${r.rdfMse.toFixed(4)} | ${r.meanDisplacement.toFixed(3)} | ${r.nfe}`);
  if (values.json) await writeFile(values.json, JSON.stringify(rows, null, 2));
  denoiser.dispose();
}
