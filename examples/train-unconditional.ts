/**
 * The main job: train MDDM on the shipped MD conformation (OPP, k = 7, phi = 1, T = 0.03, N = 1000 in
 * a 10^3 box), generate a new conformation from uniform noise, and compare radial distribution
 * functions with the MD replicas.
 *
 *   pnpm example                       # default: fits in ~15 minutes on a 2-core machine
 *   pnpm example -- --steps 4000 --minutes 60 --out out/long
 *   pnpm example -- --full             # the paper's network and schedule (hours on a CPU)
 *
 * Flags: --steps N (training steps), --minutes M (training time budget; stops early, default 12),
 * --seed S, --out DIR (default out/; writes DIR/sample.xyz, DIR/rdf.svg, DIR/checkpoint/),
 * --sample-steps K, --resume (continue from DIR/checkpoint), --backend wasm|cpu|tensorflow, --full.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ProgressBar, loadDataset, writeXyz } from '@mddm/io';
import { rdf, rdfMse, rdfSvg, type RdfResult } from '@mddm/rdf';
import { createDenoiser, sample, selectBackend, train, type BackendName, type DenoiserConfig, type TrainOptions } from '@mddm/model';

/** The fast configuration of the default run (see packages/model/README.md for how it was chosen). */
export const FAST_MODEL: DenoiserConfig = { layers: 4, k: 16, width: 32, hidden: [32, 32], headHidden: [128, 128], timeEncoding: 'log-sigma' };
/**
 * Training and sampling of the default run: t drawn uniformly in log(noise std) up to tMax = 30
 * (std 1 LJ unit, where the noisy structure is close to uniform at the scale of the RDF), cosine
 * learning-rate decay, and a 30-step log-sigma sampler started from uniform positions at t = 30.
 */
export const FAST_TRAINING = {
  steps: 15000, batchSize: 2, learningRate: 0.005, timesteps: 'log-sigma' as const, tMax: 30, minutes: 12, sampleSteps: 30,
};

/** Options of {@link runTrainUnconditional}. */
export interface TrainUnconditionalOptions {
  /** Training steps (default: fast 15000 within the 12-minute budget, full 9600 = 800 epochs of 12 steps). */
  steps?: number;
  /** Training time budget in minutes (default 12 fast, none with `full`). */
  minutes?: number;
  /** Seed of initialisation, training and sampling (default 0). */
  seed?: number;
  /** Output directory (default `out`). */
  out?: string;
  /** The paper's network (8 layers, k = 32), batch 4, uniform t, 500 sampling steps. */
  full?: boolean;
  /** Denoising steps of the sampler (default 40 fast, 500 full). */
  sampleSteps?: number;
  /** Continue training from `out/checkpoint`. */
  resume?: boolean;
  /** TensorFlow.js backend (default `'auto'` = wasm). */
  backend?: BackendName;
  /** Override the network (for tests and experiments). */
  model?: DenoiserConfig;
  /** Print progress (default true). */
  verbose?: boolean;
}

/** What {@link runTrainUnconditional} measured. */
export interface TrainUnconditionalReport {
  steps: number;
  params: number;
  trainSeconds: number;
  sampleSeconds: number;
  finalLoss: number;
  mseVsTraining: number;
  mseVsReplicas: number[];
  replicaFloor: number[];
  files: { xyz: string; svg: string; checkpoint: string };
}

const RDF_OPTIONS = { bins: 100, rMax: 5 };

/** Trains, samples, compares, writes files. */
export async function runTrainUnconditional(options: TrainUnconditionalOptions = {}): Promise<TrainUnconditionalReport> {
  const full = options.full ?? false;
  const verbose = options.verbose ?? true;
  const log = (s: string) => verbose && console.log(s);
  const seed = options.seed ?? 0;
  const out = options.out ?? 'out';
  const backend = await selectBackend(options.backend ?? 'auto');
  const [training] = await loadDataset('opp-unconditional');
  const replicas = await loadDataset('opp-replicas');
  const box = training.box;
  const modelConfig = options.model ?? (full ? {} : FAST_MODEL);
  const denoiser = createDenoiser({ ...modelConfig, seed });
  const steps = options.steps ?? (full ? 9600 : FAST_TRAINING.steps);
  const minutes = options.minutes ?? (full ? undefined : FAST_TRAINING.minutes);
  const sampleSteps = options.sampleSteps ?? (full ? 500 : FAST_TRAINING.sampleSteps);
  log(`MDDM on OPP (k=${training.info.k}, phi=${training.info.phi}, T=${training.info.T}): N = ${training.positions.length / 3}, box ${box.join('x')}, backend ${backend}`);
  log(`denoiser: ${full ? 'paper' : 'fast'} configuration, ${denoiser.countParams().toLocaleString('en-US')} parameters; ${steps} steps${minutes ? ` (budget ${minutes} min)` : ''}`);

  const checkpoint = join(out, 'checkpoint');
  await mkdir(out, { recursive: true });
  const bar = verbose ? new ProgressBar(steps, { label: 'train' }) : null;
  let lastStep = 0;
  const trainOptions: TrainOptions = {
    data: [training],
    steps,
    batchSize: full ? 4 : FAST_TRAINING.batchSize,
    learningRate: FAST_TRAINING.learningRate,
    timesteps: full ? 'uniform' : FAST_TRAINING.timesteps,
    tMax: full ? undefined : FAST_TRAINING.tMax,
    lrSchedule: full ? 'step' : 'cosine',
    seed,
    checkpointDir: checkpoint,
    checkpointEvery: 100,
    resume: options.resume ?? false,
    timeBudgetMs: minutes === undefined ? undefined : minutes * 60_000,
    onProgress: (p) => {
      bar?.tick(p.step - lastStep, `loss ${p.smoothLoss.toFixed(4)}  ${p.stepsPerSecond.toFixed(2)} steps/s  lr ${p.learningRate.toPrecision(3)}`);
      lastStep = p.step;
    },
  };
  const result = await train(denoiser, trainOptions);
  bar?.done();
  if (result.stoppedBy === 'time') log(`time budget reached after ${result.steps} steps (use --minutes to change it)`);
  const recent = result.losses.slice(-100);
  const finalLoss = recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length);

  const sbar = verbose ? new ProgressBar(sampleSteps, { label: 'sample' }) : null;
  const gen = await sample(denoiser, {
    n: training.positions.length / 3,
    box,
    steps: sampleSteps,
    spacing: full ? 'uniform' : 'log-sigma',
    seed: seed + 1,
    onProgress: () => sbar?.tick(1),
  });
  sbar?.done();
  const positions = gen.positions[0];

  const gSample = rdf(positions, box, RDF_OPTIONS);
  const gTrain = rdf(training.positions, box, RDF_OPTIONS);
  const gReps = replicas.map((r) => rdf(r.positions, r.box, RDF_OPTIONS));
  const mseVsTraining = rdfMse(gSample, gTrain);
  const mseVsReplicas = gReps.map((g) => rdfMse(gSample, g));
  const replicaFloor: number[] = [];
  for (let i = 0; i < gReps.length; i++) for (let j = i + 1; j < gReps.length; j++) replicaFloor.push(rdfMse(gReps[i], gReps[j]));
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;

  const xyz = join(out, 'sample.xyz');
  const svg = join(out, 'rdf.svg');
  await writeXyz(xyz, [{ positions, box: [...box], info: { ...training.info, generator: 'mddm', seed, steps: result.steps } }]);
  const curve = (label: string, g: RdfResult) => ({ label, r: g.centers, g: g.g });
  await writeFile(svg, rdfSvg([curve('MD (training)', gTrain), curve('MD (replica 1)', gReps[0]), curve('MDDM sample', gSample)], { title: `g(r): OPP k=${training.info.k}, phi=${training.info.phi}, T=${training.info.T}` }));

  const f = (x: number) => x.toFixed(4);
  log('');
  log(`RDF-MSE (100 bins on [0, 5], SPEC §3):`);
  log(`  sample vs training conformation   ${f(mseVsTraining)}`);
  log(`  sample vs MD replicas             ${mseVsReplicas.map(f).join('  ')}   (mean ${f(mean(mseVsReplicas))}; paper: 0.023)`);
  log(`  replica vs replica (MD floor)     ${replicaFloor.map(f).join('  ')}   (mean ${f(mean(replicaFloor))})`);
  log(`training: ${result.steps} steps in ${(result.elapsedMs / 60000).toFixed(1)} min, final loss ${f(finalLoss)}; sampling: ${sampleSteps} steps in ${(gen.elapsedMs / 1000).toFixed(1)} s`);
  log(`wrote ${xyz}, ${svg}, ${checkpoint}/`);
  denoiser.dispose();
  return {
    steps: result.steps,
    params: denoiser.countParams(),
    trainSeconds: result.elapsedMs / 1000,
    sampleSeconds: gen.elapsedMs / 1000,
    finalLoss,
    mseVsTraining,
    mseVsReplicas,
    replicaFloor,
    files: { xyz, svg, checkpoint },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: cliArgs(),
    options: {
      steps: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      full: { type: 'boolean' },
      'sample-steps': { type: 'string' },
      resume: { type: 'boolean' },
      backend: { type: 'string' },
    },
  });
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return x;
  };
  await runTrainUnconditional({
    steps: num(values.steps, 'steps'),
    minutes: num(values.minutes, 'minutes'),
    seed: num(values.seed, 'seed'),
    out: values.out,
    full: values.full,
    sampleSteps: num(values['sample-steps'], 'sample-steps'),
    resume: values.resume,
    backend: values.backend as BackendName | undefined,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

/** Command-line arguments without the `--` that `pnpm example -- ...` passes through. */
function cliArgs(): string[] {
  const a = process.argv.slice(2);
  return a[0] === '--' ? a.slice(1) : a;
}
