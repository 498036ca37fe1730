/**
 * The shape task of the paper's Appendix B: train a denoiser on points sampled uniformly on the unit
 * sphere or a torus (R = 1, r = 0.4), generate N = 1024 points from Gaussian noise (no box, no wrap;
 * MDDM is re-centred after every step), and score the sample with the debiased Sinkhorn divergence
 * (SPEC §6: cost |x - y|^2 / 2, blur 0.05) beside the floor: the divergence between two independent
 * ideal samples of the shape.
 *
 *   pnpm tsx examples/shapes.ts --shape sphere --denoiser mddm             # default budget: 8 minutes
 *   pnpm tsx examples/shapes.ts --shape torus --denoiser transolver --minutes 3 --out out/shapes-torus-t
 *
 * Flags: --shape sphere|torus, --denoiser mddm|transolver, --minutes M (training budget, default 8),
 * --steps S (training steps cap, default 20000), --n N (points, default 1024), --sample-steps K
 * (default 500), --sampler NAME (default ancestral), --seed, --out DIR (default out/shapes-<shape>-<denoiser>),
 * --scale S (the network's length unit: data and noise x S, sample / S; default 1),
 * --centroid (MDDM: the first layer also sees positions relative to the centroid, `centroidInput`),
 * --corrector C [--corrector-r R] [--corrector-max S] (C Langevin corrector steps, step size r
 * (default 0.4), at every level with noise std <= S radius units (default all)),
 * --backend wasm|cpu|tensorflow, --from DIR (sample a model saved by an earlier run instead of training;
 * --shape must match it).
 * Writes DIR/sample.xyz (extended XYZ, no Lattice, pbc="F F F"), DIR/result.json and the trained
 * denoiser in DIR/model (`loadDenoiser`), so other samplers can be tried without retraining.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sampleSphere, sampleTorus } from '@mddm/io';
import { sinkhornDivergence } from '@mddm/metrics';
import { loadDenoiser, sample, saveDenoiser, selectBackend, train, type SamplerName, type BackendName, type DenoiserLike, type DenoiserConfig, type TransolverConfig } from '@mddm/model';
import { geometricSchedule } from '@mddm/schedules';
import { createChosenDenoiser, parseDenoiserKind, type DenoiserKind } from './denoiserChoice';
import { writePointCloudXyz } from './pointCloudXyz';

/** The two shapes of Appendix B. */
export type Shape = 'sphere' | 'torus';

/** Ideal samples of a shape (unit sphere; torus R = 1, r = 0.4, uniform in area). */
export function shapeSample(shape: Shape, n: number, seed: number): Float64Array {
  return shape === 'sphere' ? sampleSphere(n, { seed }) : sampleTorus(n, { majorRadius: 1, minorRadius: 0.4, seed });
}

/**
 * The recipe (both denoisers, same data, schedule and sampler):
 * - data: 32 independent ideal samples of N points (a fresh sample per frame, so the network learns
 *   the surface, not one point set); no augmentation (the torus has an axis);
 * - noise: geometric std 0.002 .. 3 (units of the radius), T = 500, t drawn log-uniform in the std;
 *   prior N(0, 3^2) per coordinate;
 * - MDDM: 6 layers of 32, k = 16, log-sigma time input (translation invariant, re-centred while sampling);
 * - Transolver: the paper-size baseline (128,483 parameters), log-sigma time input;
 * - Adam, cosine decay over the budget (lr 0.005 MDDM, 0.001 Transolver), batch 2;
 * - sampling: 500 ancestral steps even in log-sigma (the paper's count; MDDM needs them: 0.084 at 100
 *   steps vs 0.046 at 500 on the sphere, docs/shapes-and-baseline.md), final denoised estimate.
 */
export const SHAPES_RECIPE = {
  frames: 32,
  /** Diffusion steps T of the geometric schedule. */
  T: 500,
  /** Noise std range of the schedule (radius units; times `scale` in the network's unit). */
  sigmaRange: [2e-3, 3] as [number, number],
  mddm: { layers: 6, k: 16, width: 32, hidden: [32, 32], headHidden: [128, 128], timeEncoding: 'log-sigma' } as DenoiserConfig,
  transolver: {} as TransolverConfig,
  learningRate: { mddm: 0.005, transolver: 0.001 } as Record<DenoiserKind, number>,
  batchSize: 2,
  steps: 20000,
  minutes: 8,
  sampleSteps: 500,
};

/** The length unit a shapes model was trained in (`--scale`): its schedule's largest std is `sigmaRange[1] x scale`. */
export function modelScale(denoiser: DenoiserLike): number {
  const a = denoiser.training!.schedule.a;
  return Math.sqrt(a[a.length - 1]) / SHAPES_RECIPE.sigmaRange[1];
}

/** Options of {@link runShapes}. */
export interface ShapesOptions {
  shape?: Shape;
  denoiser?: DenoiserKind;
  /** Training budget in minutes (default 8). */
  minutes?: number;
  /** Training steps cap (default 20000). */
  steps?: number;
  /** Points per shape (default 1024). */
  n?: number;
  /** Training frames (default 32). */
  frames?: number;
  sampleSteps?: number;
  /** Sampler of `sample` (default `'ancestral'`). */
  sampler?: SamplerName;
  /**
   * Langevin corrector (`sample({ corrector })`): steps per level at every level whose noise std is
   * at most `sigmaMax` radius units (default none).
   */
  corrector?: { steps: number; r?: number; sigmaMax?: number };
  /** A model directory written by an earlier run (`DIR/model`): sample it instead of training. */
  from?: string;
  /**
   * Length unit of the network (default 1): the data and the noise levels are multiplied by
   * `scale` for training and the sample is divided by it. A network's first layer sees raw
   * displacements; with the shapes' neighbour spacing (~0.1 radius units) they are 10x smaller
   * than MD's (~1 LJ unit), which the default initialisation and learning rate are tuned for.
   * With `from`, read from the saved model.
   */
  scale?: number;
  seed?: number;
  out?: string;
  backend?: BackendName;
  /**
   * MDDM only: the first layer also sees each point's position relative to the cloud's centroid
   * (`centroidInput`; still translation invariant). Default false (the paper's MDDM).
   */
  centroid?: boolean;
  /** Override the networks (tests). */
  mddm?: DenoiserConfig;
  transolver?: TransolverConfig;
  verbose?: boolean;
}

/** What {@link runShapes} measured. */
export interface ShapesReport {
  shape: Shape;
  denoiser: DenoiserKind;
  n: number;
  params: number;
  steps: number;
  trainSeconds: number;
  sampleSeconds: number;
  /** Sinkhorn divergence of the sample against an independent ideal sample (radius units squared). */
  sinkhorn: number;
  /** Sinkhorn divergence between two independent ideal samples (the floor). */
  floor: number;
  /** Mean distance from the origin (sphere: 1) and its spread, a quick look at the shape. */
  meanRadius: number;
  files: { xyz: string; json: string; model: string };
}

/** Trains, samples, scores, writes DIR/sample.xyz and DIR/result.json. */
export async function runShapes(options: ShapesOptions = {}): Promise<ShapesReport> {
  const shape = options.shape ?? 'sphere';
  const kind = options.denoiser ?? 'mddm';
  const n = options.n ?? 1024;
  const seed = options.seed ?? 0;
  const verbose = options.verbose ?? true;
  const log = (s: string) => verbose && console.log(s);
  const out = options.out ?? join('out', `shapes-${shape}-${kind}`);
  const backend = await selectBackend(options.backend ?? 'auto');
  const frames = options.frames ?? SHAPES_RECIPE.frames;
  let scale = options.scale ?? 1;
  const scaled = (x: Float64Array) => (scale === 1 ? x : x.map((v) => v * scale));
  const data = Array.from({ length: frames }, (_, i) => ({ positions: scaled(shapeSample(shape, n, 1000 + i)), box: null }));
  const schedule = geometricSchedule(SHAPES_RECIPE.T, { sigmaMinBox: SHAPES_RECIPE.sigmaRange[0] * scale, sigmaMaxBox: SHAPES_RECIPE.sigmaRange[1] * scale });
  const denoiser = options.from
    ? await loadDenoiser(options.from)
    : createChosenDenoiser(kind, { ...(options.mddm ?? SHAPES_RECIPE.mddm), centroidInput: options.centroid ?? false, seed }, options.transolver ?? SHAPES_RECIPE.transolver);
  if (options.from) scale = modelScale(denoiser);
  const minutes = options.minutes ?? SHAPES_RECIPE.minutes;
  log(`${denoiser.kind} on the ${shape} (N = ${n}, ${frames} training samples, no box): ${denoiser.countParams().toLocaleString('en-US')} parameters, ${options.from ? `loaded from ${options.from}` : `budget ${minutes} min`}, backend ${backend}`);
  let last = 0;
  const t0 = performance.now();
  const result = options.from ? { steps: 0 } : await train(denoiser, {
    data, steps: options.steps ?? SHAPES_RECIPE.steps, batchSize: SHAPES_RECIPE.batchSize, learningRate: SHAPES_RECIPE.learningRate[kind],
    lrSchedule: 'cosine', spacing: 'log-sigma', schedule, seed, timeBudgetMs: minutes * 60_000,
    onProgress: (p) => {
      if (verbose && p.elapsedMs - last > 30_000) {
        last = p.elapsedMs;
        log(`  step ${p.step}: loss ${p.smoothLoss.toFixed(4)}, ${(p.elapsedMs / 60_000).toFixed(1)} min`);
      }
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const c = options.corrector;
  // the corrector band is in the network's length unit, like the schedule
  const corrector = c && c.steps > 0 ? { steps: c.steps, r: c.r ?? 0.4, sigmaMaxLj: (c.sigmaMax ?? Infinity) * scale } : undefined;
  const gen = await sample(denoiser, { n, box: null, steps: options.sampleSteps ?? SHAPES_RECIPE.sampleSteps, spacing: 'log-sigma', sampler: options.sampler, corrector, seed: seed + 1 });
  const sampleSeconds = (performance.now() - t1) / 1000;
  const x = gen.positions[0].map((v) => v / scale);
  const params = denoiser.countParams();
  if (!options.from) await saveDenoiser(denoiser, join(out, 'model'));
  denoiser.dispose();
  const reference = shapeSample(shape, n, 99);
  const sinkhorn = sinkhornDivergence(x, reference);
  const floor = sinkhornDivergence(shapeSample(shape, n, 98), reference);
  let meanRadius = 0;
  for (let i = 0; i < n; i++) meanRadius += Math.hypot(x[3 * i], x[3 * i + 1], x[3 * i + 2]) / n;
  await mkdir(out, { recursive: true });
  const xyz = join(out, 'sample.xyz');
  const json = join(out, 'result.json');
  await writePointCloudXyz(xyz, x, { shape, denoiser: kind, seed, sinkhorn: Number(sinkhorn.toPrecision(6)) });
  const report: ShapesReport = { shape, denoiser: denoiser.kind as DenoiserKind, n, params, steps: result.steps, trainSeconds, sampleSeconds, sinkhorn, floor, meanRadius, files: { xyz, json, model: options.from ?? join(out, 'model') } };
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  log(`trained ${result.steps} steps in ${(trainSeconds / 60).toFixed(1)} min; sampled in ${sampleSeconds.toFixed(1)} s; mean radius ${meanRadius.toFixed(3)}`);
  log(`Sinkhorn divergence: ${sinkhorn.toFixed(4)} (floor, two ideal samples: ${floor.toFixed(4)}; ratio ${(sinkhorn / floor).toFixed(2)})`);
  log(`wrote ${xyz} and ${json}`);
  return report;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      shape: { type: 'string' }, denoiser: { type: 'string' }, minutes: { type: 'string' }, steps: { type: 'string' }, n: { type: 'string' },
      'sample-steps': { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' },
      sampler: { type: 'string' }, from: { type: 'string' }, scale: { type: 'string' },
      corrector: { type: 'string' }, 'corrector-r': { type: 'string' }, 'corrector-max': { type: 'string' }, centroid: { type: 'boolean' },
    },
  });
  const shape = values.shape ?? 'sphere';
  if (shape !== 'sphere' && shape !== 'torus') throw new Error(`--shape must be sphere or torus, got '${shape}'`);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  await runShapes({
    shape, denoiser: parseDenoiserKind(values.denoiser), minutes: num(values.minutes), steps: num(values.steps), n: num(values.n),
    sampleSteps: num(values['sample-steps']), seed: num(values.seed), out: values.out, backend: values.backend as BackendName | undefined,
    sampler: values.sampler as SamplerName | undefined, from: values.from, scale: num(values.scale),
    centroid: values.centroid,
    corrector: values.corrector === undefined ? undefined : { steps: Number(values.corrector), r: num(values['corrector-r']), sigmaMax: num(values['corrector-max']) },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
