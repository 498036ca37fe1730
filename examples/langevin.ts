/**
 * Learned-force dynamics (issue 13): BAOAB Langevin dynamics (`langevin` of `@mddm/io`) from an MD
 * frame at the training state point (k = 7, phi = 1, kT = 0.03), once with the analytic OPP force and
 * once with a denoiser's force `-kT eps_hat(x, sigma) / sigma`. Every `every` steps: RDF-MSE vs MD
 * (replica average) and the kinetic temperature, so drift or collapse shows up.
 *
 *   nice -n 15 pnpm exec tsx examples/langevin.ts [--model opp-unconditional] [--force opp|model|both]
 *     [--steps 10000] [--dt 0.005] [--gamma 1] [--sigma S] [--every 1000] [--json out/langevin.json]
 *
 * `--sigma` defaults to the model's smallest trained noise level, as `mddm dynamics` and `mddm forces`.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { langevin, oppForces, type ForceFunction } from '@mddm/io';
import { RdfAccumulator, rdf, rdfMse } from '@mddm/rdf';
import { denoiserForceField, selectBackend, trainedNoiseRange } from '@mddm/model';
import { loadModel } from './loadModel';
import { mdFrames } from './mdData';

/** One checkpoint of a run. */
export interface LangevinRow { step: number; rdfMse: number; kineticT: number }

export async function runLangevin(force: ForceFunction, options: { steps: number; dt?: number; gamma?: number; every?: number; seed?: number; onRow?: (r: LangevinRow) => void }): Promise<{ rows: LangevinRow[]; seconds: number }> {
  const replicas = await mdFrames('opp-replicas');
  const ref = new RdfAccumulator();
  for (const f of replicas) ref.add(f.positions, f.box);
  const g = ref.result();
  const md = replicas[0];
  const rows: LangevinRow[] = [];
  const r = await langevin(md.positions, md.box, force, {
    steps: options.steps, dt: options.dt ?? 0.005, kT: 0.03, gamma: options.gamma ?? 1, seed: options.seed ?? 1, every: options.every ?? 1000,
    onFrame: ({ step, positions, kineticT }) => {
      const row = { step, rdfMse: rdfMse(rdf(positions, md.box), g), kineticT };
      rows.push(row);
      options.onRow?.(row);
    },
  });
  return { rows, seconds: r.elapsedMs / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: {
    model: { type: 'string' }, force: { type: 'string' }, steps: { type: 'string' }, dt: { type: 'string' }, gamma: { type: 'string' },
    sigma: { type: 'string' }, every: { type: 'string' }, json: { type: 'string' },
  } });
  const which = values.force ?? 'both';
  const common = { steps: Number(values.steps ?? 10000), dt: Number(values.dt ?? 0.005), gamma: Number(values.gamma ?? 1), every: Number(values.every ?? 1000) };
  const out: Record<string, unknown> = { ...common };
  const print = (label: string) => (r: LangevinRow) => console.log(`${label} step ${r.step}: RDF-MSE vs MD ${r.rdfMse.toFixed(4)}, kinetic T ${r.kineticT.toFixed(4)}`);
  if (which === 'opp' || which === 'both') {
    const opp: ForceFunction = (x, f) => void f.set(oppForces(x, [10, 10, 10], { k: 7, phi: 1 }, { cutoff: 3 }).forces);
    out.opp = await runLangevin(opp, { ...common, onRow: print('OPP') });
  }
  if (which === 'model' || which === 'both') {
    await selectBackend();
    const { denoiser } = await loadModel(values.model ?? 'opp-unconditional');
    const sigma = values.sigma === undefined ? trainedNoiseRange(denoiser).sigmaMinLj : Number(values.sigma); // as `mddm dynamics`
    out.sigma = sigma;
    out.model = await runLangevin(denoiserForceField(denoiser, 10, { sigma, kT: 0.03 }), { ...common, onRow: print(`model sigma=${sigma}`) });
    denoiser.dispose();
  }
  if (values.json) await writeFile(values.json, JSON.stringify(out, null, 2));
}
