/**
 * Compose your own denoiser from the public pieces: here a shallower, wider network with mean
 * aggregation, a 'last'-layer readout, and conditioning on the temperature T, trained on the MD
 * replicas (each frame's info.T is the condition) and sampled at a chosen T.
 *
 *   pnpm exec tsx examples/custom-denoiser.ts --steps 50
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { pbcEdgeConv } from '@mddm/edgeconv';
import { rdf, rdfMse } from '@mddm/rdf';
import { composeDenoiser, mlpHead, sample, selectBackend, train } from '@mddm/model';

/** Builds, trains and samples a custom conditional denoiser; returns the sample's mean RDF-MSE vs the replicas. */
export async function runCustomDenoiser(options: { steps?: number; sampleSteps?: number; verbose?: boolean } = {}): Promise<number> {
  const log = (s: string) => (options.verbose ?? true) && console.log(s);
  await selectBackend('auto');

  // ---- the composition: 3 PBC-Conv layers of 48 features, mean aggregation, g = [t/T, T] ----
  const G = 2;
  const layers = [0, 48, 48].map((inFeatures, i) =>
    pbcEdgeConv({ inFeatures, globalFeatures: G, hidden: [48], outFeatures: 48, aggregation: 'mean', activation: 'silu', seed: i + 1 }),
  );
  const denoiser = composeDenoiser({
    k: 12,
    layers,
    head: mlpHead({ inFeatures: 48 + G, hidden: [64, 64], activation: 'silu' }),
    readout: 'last',
    conditions: 1,
    conditionRanges: [[0.01, 0.05]], // the data set's T range -> [0, 1]
  });
  // -------------------------------------------------------------------------------------------

  const replicas = await loadDataset('opp-replicas');
  log(`custom denoiser: ${denoiser.countParams().toLocaleString('en-US')} parameters`);
  const r = await train(denoiser, { data: replicas, conditionKeys: ['T'], steps: options.steps ?? 50, batchSize: 1, spacing: 'log-sigma' });
  log(`trained ${r.steps} steps in ${(r.elapsedMs / 1000).toFixed(1)} s, last loss ${r.losses[r.losses.length - 1]?.toFixed(4)}`);
  const gen = await sample(denoiser, { n: 1000, box: 10, conditions: [0.03], steps: options.sampleSteps ?? 30, spacing: 'log-sigma' });
  const g = rdf(gen.positions[0], 10, { bins: 100, rMax: 5 });
  const mse = replicas.map((f) => rdfMse(g, rdf(f.positions, f.box, { bins: 100, rMax: 5 })));
  const mean = mse.reduce((a, b) => a + b, 0) / mse.length;
  log(`RDF-MSE vs replicas: mean ${mean.toFixed(4)} (train longer for a better match)`);
  denoiser.dispose();
  return mean;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ args: cliArgs(), options: { steps: { type: 'string' }, 'sample-steps': { type: 'string' } } });
  runCustomDenoiser({ steps: values.steps ? Number(values.steps) : undefined, sampleSteps: values['sample-steps'] ? Number(values['sample-steps']) : undefined }).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** Command-line arguments without the `--` that `pnpm example -- ...` passes through. */
function cliArgs(): string[] {
  const a = process.argv.slice(2);
  return a[0] === '--' ? a.slice(1) : a;
}
