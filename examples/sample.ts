/**
 * Load a trained checkpoint and generate conformations.
 *
 *   pnpm exec tsx examples/sample.ts --checkpoint out/checkpoint --count 4 --out out/samples.xyz
 *   pnpm exec tsx examples/sample.ts --n 8000 --box 20       # a larger system at the training density
 *
 * Flags: --checkpoint DIR (default out/checkpoint), --count C, --n N (default: training N),
 * --box L (default: training box), --steps K (default 60, log-sigma spaced from the largest
 * training t), --corrector C (Langevin steps per denoising step below 0.3 LJ units of noise, default
 * 30 as in the main example, 0 = plain Algorithm 2), --seed S,
 * --out FILE (default out/samples.xyz), --backend wasm|cpu|tensorflow.
 * Prints the RDF-MSE of every sample against the shipped MD replicas.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { writeXyz } from '@mddm/io';
import { rdf, rdfMse } from '@mddm/rdf';
import { loadDenoiser, sample, selectBackend, type BackendName } from '@mddm/model';
import { FAST_TRAINING } from './train-unconditional';

/** Options of {@link runSample}. */
export interface RunSampleOptions {
  checkpoint?: string;
  count?: number;
  n?: number;
  box?: number;
  steps?: number;
  /** Langevin corrector steps per denoising step below 0.3 LJ units of noise (default 30; 0 = none). */
  corrector?: number;
  seed?: number;
  out?: string;
  backend?: BackendName;
  verbose?: boolean;
}

/** Loads a checkpoint, samples, writes XYZ, returns the RDF-MSE of each sample vs each MD replica. */
export async function runSample(options: RunSampleOptions = {}): Promise<{ mse: number[][]; seconds: number; nonFinite: number }> {
  const log = (s: string) => (options.verbose ?? true) && console.log(s);
  await selectBackend(options.backend ?? 'auto');
  const denoiser = await loadDenoiser(options.checkpoint ?? 'out/checkpoint');
  const tr = denoiser.training;
  const n = options.n ?? tr?.n ?? 1000;
  const L = options.box ?? tr?.box[0] ?? 10;
  const count = options.count ?? 1;
  log(`loaded ${denoiser.countParams().toLocaleString('en-US')}-parameter denoiser; sampling ${count} x N = ${n} in a ${L}^3 box`);
  const correctorSteps = options.corrector ?? FAST_TRAINING.corrector.steps;
  const res = await sample(denoiser, {
    n, box: L, count, batchSize: Math.min(count, 4), steps: options.steps ?? FAST_TRAINING.sampleSteps, spacing: 'log-sigma', seed: options.seed ?? 0,
    corrector: correctorSteps > 0 ? { ...FAST_TRAINING.corrector, steps: correctorSteps } : undefined,
  });
  let nonFinite = 0;
  for (const p of res.positions) for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) nonFinite++;
  const out = options.out ?? 'out/samples.xyz';
  await writeXyz(out, res.positions.map((positions, i) => ({ positions, box: [L, L, L] as [number, number, number], info: { sample: i } })));
  const reps = await loadDataset('opp-replicas');
  const opts = { bins: 100, rMax: 5 };
  const gReps = reps.map((r) => rdf(r.positions, r.box, opts));
  const mse = res.positions.map((p) => {
    const g = rdf(p, L, opts);
    return gReps.map((gr) => rdfMse(g, gr));
  });
  mse.forEach((m, i) => log(`sample ${i}: RDF-MSE vs MD replicas ${m.map((x) => x.toFixed(4)).join('  ')}`));
  log(`${(res.elapsedMs / 1000).toFixed(1)} s; non-finite coordinates: ${nonFinite}; wrote ${out}`);
  denoiser.dispose();
  return { mse, seconds: res.elapsedMs / 1000, nonFinite };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    args: cliArgs(),
    options: {
      checkpoint: { type: 'string' }, count: { type: 'string' }, n: { type: 'string' }, box: { type: 'string' },
      steps: { type: 'string' }, corrector: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' },
    },
  });
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  runSample({
    checkpoint: values.checkpoint, count: num(values.count), n: num(values.n), box: num(values.box), steps: num(values.steps), corrector: num(values.corrector),
    seed: num(values.seed), out: values.out, backend: values.backend as BackendName | undefined,
  }).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** Command-line arguments without the `--` that `pnpm example -- ...` passes through. */
function cliArgs(): string[] {
  const a = process.argv.slice(2);
  return a[0] === '--' ? a.slice(1) : a;
}
