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
 * --sample-steps K, --corrector C (Langevin steps per denoising step, 0 = none), --resume (continue from DIR/checkpoint), --backend wasm|cpu|tensorflow, --full,
 * --ema D (weight average with decay D, e.g. 0.999; sampled with; default none),
 * --data a,b (shipped sets to train on, default opp-unconditional; e.g. opp-unconditional,opp-state-frames
 * adds 20 independent frames of the same state point; opp-replicas is refused: it is the evaluation set),
 * --focus-lj S [--focus-weight W] (draw the levels with noise std <= S LJ W times as often, default W 3),
 * --denoiser mddm|transolver|energy (the network; energy = sigma grad E on the same graph, issue 13)
 * [--energy-output energy|sigma-energy] (what the energy network outputs, `EnergyOutput`),
 * --potential-input (the first layer also reads each particle's OPP energy and force over T at the
 * state point, `potentialInput` of @mddm/model; docs/conditional.md).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DATASET_NAMES, loadDataset, type DatasetName } from '@mddm/data';
import { ProgressBar, readXyz, writeXyz } from '@mddm/io';
import { trainingBar } from './trainingBar';
import { createChosenDenoiser, parseDenoiserKind, type DenoiserKind } from './denoiserChoice';
import { rdf, rdfMse, rdfSvg, type RdfResult } from '@mddm/rdf';
import { OPP_POTENTIAL_INPUT, createDenoiser, sample, selectBackend, train, type BackendName, type DenoiserConfig, type EnergyOutput, type TrainOptions } from '@mddm/model';
import { cosineSchedule, geometricSchedule, type LangevinCorrectorOptions } from '@mddm/schedules';

/**
 * The fast network of the default run: the paper's PBC-Conv stack (8 layers of 32, MLPs 2 x 32, output
 * MLP 2 x 128) on a 12-neighbour graph instead of 32, with the log-sigma time input. At equal
 * training steps 8 layers reach a much lower loss than 4 in the noise band where the structure forms
 * (0.44 vs 0.57 at noise std 0.16 LJ), while k = 12, 16 and 32 are equal there (packages/model/README.md).
 */
export const FAST_MODEL: DenoiserConfig = { layers: 8, k: 12, width: 32, hidden: [32, 32], headHidden: [128, 128], timeEncoding: 'log-sigma' };
/**
 * Training and sampling of the default run.
 * - Schedule: geometric noise std from 1e-3 to 1 box lengths over T = 500 (0.01 to 10 LJ units in the
 *   10^3 box). The paper's cosine schedule starts at 0.125 LJ, three times the thermal width of the
 *   first RDF peak, so its last step cannot make that peak (SPEC §1 leaves the schedule to us).
 * - Training: t uniform in 1..363 (log-uniform noise std from 0.01 to 1.5 LJ units: above that the noisy
 *   structure is uniform at the scale of the RDF), batch 2, Adam 0.005 with cosine decay, 12 minutes.
 * - Sampling: uniform positions at t = 363, 60 ancestral steps evenly spaced in log noise, and a
 *   Langevin corrector (predictor-corrector) below 0.3 LJ units of noise, where the network is
 *   accurate: the corrector pulls the state back onto the learned noisy marginal at every level.
 */
export const FAST_TRAINING = {
  steps: 20000, batchSize: 2, learningRate: 0.005, spacing: 'log-sigma' as const, tMax: 363, minutes: 12, sampleSteps: 60,
  schedule: geometricSchedule(500, { sigmaMinBox: 1e-3, sigmaMaxBox: 1 }),
  corrector: { steps: 30, r: 0.4, sigmaMaxLj: 0.3 } as LangevinCorrectorOptions,
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
  /** Denoising steps of the sampler (default 60 fast, 500 full). */
  sampleSteps?: number;
  /** Langevin corrector steps per denoising step below 0.3 LJ units of noise (default 30 fast, 0 full). */
  correctorSteps?: number;
  /** Continue training from `out/checkpoint`. */
  resume?: boolean;
  /** Keep a weight average with this decay (e.g. 0.999) and sample with it (default: none, the measured recipe). */
  ema?: number;
  /** With `denoiser: 'energy'`: what its network outputs (`EnergyOutput`, default `'energy'`). */
  energyOutput?: EnergyOutput;
  /** TensorFlow.js backend (default `'auto'` = wasm). */
  backend?: BackendName;
  /** Override the network (for tests and experiments). */
  model?: DenoiserConfig;
  /** `'mddm'` (default) or `'transolver'`: the Table 1 baseline, same data, schedule, budget and sampler. */
  denoiser?: DenoiserKind;
  /**
   * Shipped sets to train on (default `['opp-unconditional']`), all at k = 7, phi = 1, T = 0.03; e.g.
   * `['opp-unconditional', 'opp-state-frames']` trains on 21 independent frames (the thermal ensemble,
   * which the force of SPEC §8 needs). `'opp-replicas'` is refused: the samples are measured against it.
   */
  data?: DatasetName[];
  /**
   * Loss weighting toward small noise (issue 12's training-side experiment): draws of t keep the
   * log-sigma law but every level with noise std <= `sigmaMaxLj` (LJ) is drawn `weight` times as
   * often ({@link focusedTimestepWeights}). Default: none (plain log-sigma draws).
   */
  focus?: { sigmaMaxLj: number; weight: number };
  /**
   * The first PBC-Conv layer also reads the OPP of the training state point on the noisy configuration
   * (`DenoiserConfig.potentialInput` with `params` = the frames' k, phi, T; default false).
   */
  potentialInput?: boolean;
  /** Print progress (default true). */
  verbose?: boolean;
}

/**
 * Per-timestep draw weights `[T + 1]`: the log-sigma law (`ln sigma_t - ln sigma_{t-1}`, uniform in log
 * noise std) times `weight` where the noise std `L sqrt(a_t)` is at most `sigmaMaxLj`. For an unbiased
 * per-step loss this is the same as weighting the loss of those levels by `weight` (EDM's lambda(sigma)).
 * @param boxLength - box side L (LJ) that converts the schedule's box fractions to LJ
 */
export function focusedTimestepWeights(schedule: { T: number; sqrtA: ArrayLike<number> }, boxLength: number, sigmaMaxLj: number, weight: number): Float64Array {
  if (!(sigmaMaxLj > 0) || !(weight > 0) || !Number.isFinite(weight)) throw new Error(`focus needs sigmaMaxLj > 0 and a finite weight > 0, got ${sigmaMaxLj}, ${weight}`);
  return bandTimestepWeights(schedule, boxLength, [{ loLj: 0, hiLj: sigmaMaxLj, weight }]);
}

/** A band of noise levels drawn `weight` times as often (noise std in LJ, `loLj < sigma <= hiLj`). */
export interface NoiseBand { loLj: number; hiLj: number; weight: number }

/**
 * Per-timestep draw weights `[T + 1]`: the log-sigma law times the weight of every band that holds the
 * level's noise std `L sqrt(a_t)` (bands multiply where they overlap). {@link focusedTimestepWeights} is
 * the band `(0, sigmaMaxLj]`; a band over 0.2-0.6 LJ puts weight where the model decides between a
 * crystal and the disordered structure (docs/conditional.md).
 */
export function bandTimestepWeights(schedule: { T: number; sqrtA: ArrayLike<number> }, boxLength: number, bands: NoiseBand[]): Float64Array {
  for (const b of bands) {
    if (!(b.loLj >= 0 && b.hiLj > b.loLj && Number.isFinite(b.hiLj)) || !(b.weight > 0) || !Number.isFinite(b.weight)) {
      throw new Error(`a noise band needs 0 <= loLj < hiLj (finite) and a finite weight > 0, got ${JSON.stringify(b)}`);
    }
  }
  const w = new Float64Array(schedule.T + 1);
  for (let t = 1; t <= schedule.T; t++) {
    const base = Math.log(schedule.sqrtA[t] / schedule.sqrtA[t - 1]); // d ln sigma
    const sigma = boxLength * schedule.sqrtA[t];
    w[t] = bands.reduce((x, b) => (sigma > b.loLj && sigma <= b.hiLj ? x * b.weight : x), Math.max(0, base));
  }
  return w;
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
  const frames = await trainingFrames(options.data ?? ['opp-unconditional']);
  const box = training.box;
  const statePoint = { k: training.info.k as number, phi: training.info.phi as number, T: training.info.T as number };
  const modelConfig = { ...(options.model ?? (full ? {} : FAST_MODEL)), ...(options.potentialInput ? { potentialInput: { ...OPP_POTENTIAL_INPUT, params: statePoint } } : {}) };
  const kind = options.denoiser ?? 'mddm';
  const denoiser = createChosenDenoiser(kind, { ...modelConfig, seed }, {}, { schedule: full ? cosineSchedule(500) : FAST_TRAINING.schedule, boxLength: box[0], output: options.energyOutput });
  if (full && options.focus) throw new Error('--focus-lj reweights the fast recipe\'s log-sigma draws; the full recipe draws t uniformly');
  const steps = options.steps ?? (full ? 9600 : FAST_TRAINING.steps);
  const minutes = options.minutes ?? (full ? undefined : FAST_TRAINING.minutes);
  const sampleSteps = options.sampleSteps ?? (full ? 500 : FAST_TRAINING.sampleSteps);
  const correctorSteps = options.correctorSteps ?? (full ? 0 : FAST_TRAINING.corrector.steps);
  log(`MDDM on OPP (k=${training.info.k}, phi=${training.info.phi}, T=${training.info.T}): N = ${training.positions.length / 3}, box ${box.join('x')}, ${frames.length} training frame(s), backend ${backend}`);
  log(`denoiser: ${kind === 'transolver' ? 'Transolver baseline' : kind === 'energy' ? 'energy (sigma grad E), fast graph' : full ? 'paper' : 'fast'} configuration, ${denoiser.countParams().toLocaleString('en-US')} parameters; ${steps} steps${minutes ? ` (budget ${minutes} min)` : ''}`);

  const checkpoint = join(out, 'checkpoint');
  await mkdir(out, { recursive: true });
  const bar = verbose ? trainingBar() : null;
  const trainOptions: TrainOptions = {
    data: frames,
    steps,
    batchSize: full ? 4 : FAST_TRAINING.batchSize,
    learningRate: FAST_TRAINING.learningRate,
    spacing: full ? 'uniform' : FAST_TRAINING.spacing,
    timestepWeights: options.focus ? focusedTimestepWeights(FAST_TRAINING.schedule, box[0], options.focus.sigmaMaxLj, options.focus.weight) : undefined,
    tMax: full ? undefined : FAST_TRAINING.tMax,
    schedule: full ? undefined : FAST_TRAINING.schedule,
    lrSchedule: full ? 'step' : 'cosine',
    seed,
    checkpointDir: checkpoint,
    checkpointEvery: 100,
    resume: options.resume ?? false,
    timeBudgetMs: minutes === undefined ? undefined : minutes * 60_000,
    ema: options.ema || undefined,
    onProgress: (p) => bar?.onProgress(p),
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
    corrector: correctorSteps > 0 ? { ...FAST_TRAINING.corrector, steps: correctorSteps } : undefined,
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
  log(`training: ${result.steps} steps in ${(result.elapsedMs / 60000).toFixed(1)} min, final loss ${f(finalLoss)}; sampling: ${sampleSteps} steps${correctorSteps ? ` + ${correctorSteps} corrector steps each below 0.3 LJ` : ""} in ${(gen.elapsedMs / 1000).toFixed(1)} s`);
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

/** The frames of `sets`, checked: known names, not the held-out replicas, all at the training state point. */
export async function trainingFrames(sets: readonly string[]) {
  if (sets.length === 0) throw new Error('--data needs at least one set');
  const frames = [];
  for (const name of sets) {
    // A path (e.g. training/opp-state-thermal/frames.xyz.gz from examples/thermal-frames.ts) or a shipped set.
    const isFile = /\.xyz(\.gz)?$/.test(name);
    if (!isFile && !(DATASET_NAMES as readonly string[]).includes(name)) throw new Error(`--data: unknown set '${name}'; expected some of ${DATASET_NAMES.join(', ')} or an .xyz / .xyz.gz file`);
    if (name === 'opp-replicas') throw new Error("--data: 'opp-replicas' is the evaluation set (the samples are measured against it); train on opp-unconditional and opp-state-frames");
    const list = isFile ? [] : await loadDataset(name as DatasetName);
    if (isFile) for await (const f of readXyz(name)) list.push(f);
    for (const f of list) {
      if (f.info.k !== 7 || f.info.phi !== 1 || f.info.T !== 0.03) throw new Error(`--data: ${name} frame ${String(f.info.id)} is at k=${String(f.info.k)}, phi=${String(f.info.phi)}, T=${String(f.info.T)}, not the unconditional state point (7, 1, 0.03)`);
      if (f.info.set === 'opp-replicas') throw new Error(`--data: ${name} frame ${String(f.info.id)} is from opp-replicas, the evaluation set`);
      frames.push(f);
    }
  }
  return frames;
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
      corrector: { type: 'string' },
      resume: { type: 'boolean' },
      backend: { type: 'string' },
      denoiser: { type: 'string' },
      'energy-output': { type: 'string' },
      ema: { type: 'string' },
      data: { type: 'string' },
      'focus-lj': { type: 'string' },
      'focus-weight': { type: 'string' },
      'potential-input': { type: 'boolean' },
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
    correctorSteps: num(values.corrector, 'corrector'),
    resume: values.resume,
    backend: values.backend as BackendName | undefined,
    denoiser: parseDenoiserKind(values.denoiser),
    energyOutput: values['energy-output'] as EnergyOutput | undefined,
    ema: num(values.ema, 'ema'),
    data: values.data?.split(',').filter(Boolean) as DatasetName[] | undefined,
    focus: values['focus-lj'] === undefined ? undefined : { sigmaMaxLj: num(values['focus-lj'], 'focus-lj')!, weight: num(values['focus-weight'], 'focus-weight') ?? 3 },
    potentialInput: values['potential-input'],
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
