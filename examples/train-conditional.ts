/**
 * Trains the conditional MDDM model on the shipped LAMMPS data (`opp-train`: 200 OPP conformations
 * over 1 <= k <= 15, 0 <= phi <= 6, 0.01 <= T <= 0.05) — the recipe of the pretrained
 * `opp-conditional` model. Resumable: training runs for hours on a 2-core machine, so it stops at a
 * time budget, writes a checkpoint every few hundred steps, and `--resume` continues bit-identically
 * (the learning-rate schedule is tied to the planned step count, not to wall time).
 *
 *   tsx examples/train-conditional.ts --minutes 60 --out training/opp-conditional            # first session
 *   tsx examples/train-conditional.ts --minutes 60 --out training/opp-conditional --resume   # each next one
 *   tsx examples/pretrained.ts --name opp-conditional --from training/opp-conditional/checkpoint        # ship the weights
 *
 * Flags: --steps N (planned total, default 40000), --minutes M (stop this call after M minutes, at the
 * next step; the learning rate does not depend on it), --out DIR
 * (checkpoint in DIR/checkpoint), --resume, --sets S (first S training conformations, default all),
 * --ext-sets E (also the first E conformations of the extension `opp-train-ext`, default 0),
 * --twin-sets W (also the first W of `opp-train-twins`: second runs at training parameters, default 0),
 * --conditioning film|concat, --dropout P (classifier-free guidance: null condition in a fraction P of
 * the draws, default 0.1), --seed S, --ema D (weight-average decay, default 0.999; 0 = none),
 * --lr-over-budget (the cosine decays over this call's --minutes instead of the planned steps: for
 * one-shot comparisons at equal training time, e.g. the Table 1 baseline; such a run is not resumable
 * bit-identically, because its schedule depends on the machine's speed), --focus-lj S [--focus-weight W]
 * (draw the noise levels with std <= S LJ W times as often, default W 3: the training-side change that
 * paid on the unconditional model, docs/fast-sampling.md; keep it the same across --resume calls),
 * --band-lj LO:HI [--band-weight W] (also draw the levels with LO < noise std <= HI LJ W times as often, default W 3;
 * the levels where crystals are decided, docs/conditional.md), --from CKPT (warm start from a checkpoint's weights with a fresh optimizer and plan, e.g. to
 * continue the shipped model with --focus-lj, which --resume refuses), --lr L (peak of the cosine
 * plan, default 0.005; half of it for a warm start), --clip-norm C (clip the global gradient norm),
 * --width W (features of every PBC-Conv layer and of its edge MLP's hidden layers, default 32: the
 * capacity study of docs/conditional.md), --potential-input (the first layer also reads the OPP of the
 * conditions, evaluated on the noisy configuration: each particle's energy and force over T, `potentialInput`
 * of @mddm/model, cutoff 3 LJ as in the LAMMPS runs), --global-context (every layer also sees its features' mean over
 * the box: `DenoiserConfig.globalContext`, the receptive field of the coverage study in docs/conditional.md),
 * --structure-conditions (also condition on each frame's structure, g(r)'s main peak and first-shell coordination,
 * drawn at sampling time from the training frames nearest in (k, phi, T): `TrainConditionalOptions.structureConditions`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createChosenDenoiser, parseDenoiserKind, type DenoiserKind } from './denoiserChoice';
import { loadDataset } from '@mddm/data';
import { trainingBar } from './trainingBar';
import {
  OPP_CONDITION_ENCODERS, OPP_CONDITION_KEYS, createDenoiser, loadDenoiser, readCheckpoint, saveDenoiser, selectBackend, train, type Conditioning, type DenoiserLike, type DenoiserConfig, type TrainOptions, OPP_POTENTIAL_INPUT,
} from '@mddm/model';
import type { PretrainedManifest } from '@mddm/pretrained';
import { STRUCTURE_CONDITION_ENCODERS, STRUCTURE_CONDITION_KEYS, STRUCTURE_DRAW, withStructureConditions } from './structureConditions';
import { FAST_MODEL, FAST_TRAINING, bandTimestepWeights, type NoiseBand } from './train-unconditional';

/** The conditional network: the unconditional default (8 PBC-Conv layers of 32, k = 12) with FiLM conditioning on (k, sin phi, cos phi, log T). */
export const CONDITIONAL_MODEL: DenoiserConfig = {
  ...FAST_MODEL, conditionEncoders: [...OPP_CONDITION_ENCODERS], conditioning: 'film', nullCondition: true,
};

/**
 * Training of the shipped model: the unconditional recipe (geometric schedule, log-sigma t up to 1.5 LJ,
 * batch 2, cosine lr), 10% null conditions, weight average with decay 0.999 (from step 12,000 of the
 * shipped run on; checkpoints hold both, `loadDenoiser` loads the average).
 */
export const CONDITIONAL_TRAINING = { steps: 40000, batchSize: 2, learningRate: FAST_TRAINING.learningRate, conditionDropout: 0.1, checkpointEvery: 250, ema: 0.999 };

/** Options of {@link runTrainConditional}. */
export interface TrainConditionalOptions {
  /** Planned total steps (sets the cosine learning-rate schedule; default 40000). */
  steps?: number;
  /** Time budget of this call in minutes (default: none). */
  minutes?: number;
  /** Output folder (checkpoint in `out/checkpoint`). */
  out?: string;
  /** Continue from `out/checkpoint`. */
  resume?: boolean;
  /** Use the first `sets` training conformations (default all 200; the learning curve uses 50 / 100). */
  sets?: number;
  /**
   * Also train on the first `extSets` conformations of `opp-train-ext` (the extension of the
   * training data, packed as far as generated; default 0). The data-size lever of docs/conditional.md.
   * The frame count is in the checkpoint's fingerprint, so `resume` refuses another count.
   */
  extSets?: number;
  /**
   * Also train on the first `twinSets` conformations of `opp-train-twins` (a second LAMMPS run at the
   * `opp-train` sets from 0025 on: where MD is multimodal, the model sees two outcomes; default 0).
   */
  twinSets?: number;
  /** `'mddm'` (default) or `'transolver'` (Table 1 baseline: conditions concatenated to its input). */
  denoiser?: DenoiserKind;
  /** Conditioning (default `'film'`). */
  conditioning?: Conditioning;
  /** Fraction of draws with the null condition (default 0.1). */
  dropout?: number;
  /** Seed (default 0). */
  seed?: number;
  /** Decay of the weight average (default 0.999; 0 = none). */
  ema?: number;
  /**
   * Decay the cosine learning rate over `minutes` of wall time (`TrainOptions.timeBudgetMs`) instead
   * of over the planned `steps` (default false). For equal-time comparisons of two networks that
   * make different numbers of steps per minute; needs `minutes`.
   */
  lrOverBudget?: boolean;
  /**
   * Loss weighting toward small noise: the log-sigma draws of t, with every level of noise std
   * <= `sigmaMaxLj` (LJ) drawn `weight` times as often (`focusedTimestepWeights`). Default: none.
   */
  focus?: { sigmaMaxLj: number; weight: number };
  /**
   * A band of noise levels (LJ, `loLj < sigma <= hiLj`) drawn `weight` times as often
   * (`bandTimestepWeights`; combines with `focus`, multiplying where they overlap). Default: none.
   * The levels 0.2-0.6 LJ are where the shipped model turns noised crystals into the disordered
   * structure (`examples/ordering.ts retention`, docs/conditional.md). Keep it the same across `resume` calls.
   */
  band?: NoiseBand;
  /**
   * Warm start: begin from the weights of this checkpoint (its weight average, e.g. the shipped
   * `training/opp-conditional/checkpoint`) with a fresh optimizer, step count and learning-rate plan.
   * For continuing with other training options (e.g. `focus`), which `resume` refuses. Default: none.
   */
  from?: string;
  /**
   * Peak learning rate of the cosine plan (default `CONDITIONAL_TRAINING.learningRate`, 0.005). A warm
   * start with a fresh Adam is safer at half of it: at the full peak the first focus warm start took
   * one catastrophic step at step ~1,500 (docs/conditional.md).
   */
  learningRate?: number;
  /** Clip the global gradient norm to this value (`TrainOptions.clipNorm`; default: no clipping). */
  clipNorm?: number;
  /**
   * Width of the network: features of every PBC-Conv layer and of its edge MLP's two hidden layers
   * (default `CONDITIONAL_MODEL.width`, 32). Part of the checkpoint's config, so `resume` checks it.
   */
  width?: number;
  /**
   * The first PBC-Conv layer reads the pair potential of the conditions on the noisy configuration
   * (`DenoiserConfig.potentialInput`, OPP, cutoff 3 LJ; default false). Part of the checkpoint's config.
   */
  potentialInput?: boolean;
  /**
   * Every PBC-Conv layer also gets its features' frame mean through a small MLP
   * (`DenoiserConfig.globalContext`; default false): a receptive field of the whole box, so that the
   * network can choose one polymorph for all of it. Part of the checkpoint's config.
   */
  globalContext?: boolean;
  /**
   * Condition also on the structure each training frame self-assembled into: its g(r) main-peak height
   * `gPeak` and first-shell coordination `coordination` (`firstShell` of @mddm/rdf, {@link STRUCTURE_CONDITION_ENCODERS});
   * default false. Sampling draws both from the training frames nearest in (k, phi, T) (`drawConditions`),
   * so a sample commits to one of the structures MD made near its parameters instead of averaging them.
   */
  structureConditions?: boolean;
  /** Print progress (default true). */
  verbose?: boolean;
}

/** Trains (or resumes) and optionally exports the pretrained folder. @returns steps done and the last smoothed loss */
export async function runTrainConditional(options: TrainConditionalOptions = {}): Promise<{ steps: number; loss: number; minutes: number }> {
  const verbose = options.verbose ?? true;
  const out = options.out ?? 'out/opp-conditional';
  const steps = options.steps ?? CONDITIONAL_TRAINING.steps;
  const seed = options.seed ?? 0;
  if (options.from !== undefined && options.resume) throw new Error('--from starts a new run from those weights; --resume continues out/checkpoint: give one of them');
  if (options.from !== undefined && (options.denoiser !== undefined || options.conditioning !== undefined || options.width !== undefined || options.potentialInput || options.globalContext)) throw new Error('--from takes the network from the checkpoint; --denoiser, --conditioning, --width, --potential-input and --global-context do not apply');
  if (options.width !== undefined && !(Number.isInteger(options.width) && options.width >= 1)) throw new Error(`--width must be a positive integer, got ${options.width}`);
  if (options.lrOverBudget && options.minutes === undefined) throw new Error('--lr-over-budget needs --minutes (the budget the learning rate decays over)');
  const budgetMs = options.minutes === undefined ? undefined : options.minutes * 60_000;
  const backend = await selectBackend('wasm');
  const loaded = [...(await loadDataset('opp-train')).slice(0, options.sets ?? 200), ...(await packedFrames('opp-train-ext', options.extSets ?? 0, '--ext-sets')), ...(await packedFrames('opp-train-twins', options.twinSets ?? 0, '--twin-sets'))];
  const structure = options.structureConditions ?? false;
  const data = structure ? withStructureConditions(loaded) : loaded;
  const conditionKeys = [...OPP_CONDITION_KEYS, ...(structure ? STRUCTURE_CONDITION_KEYS : [])];
  const boxLength = data[0].box[0];
  if ((options.focus || options.band) && data.some((c) => c.box.some((l) => l !== boxLength))) throw new Error('--focus-lj and --band-lj convert LJ to box fractions with one box; the training sets differ in box size');
  const bands: NoiseBand[] = [...(options.focus ? [{ loLj: 0, hiLj: options.focus.sigmaMaxLj, weight: options.focus.weight }] : []), ...(options.band ? [options.band] : [])];
  const model: DenoiserConfig = {
    ...CONDITIONAL_MODEL, conditioning: options.conditioning ?? 'film', seed,
    ...(options.width === undefined ? {} : { width: options.width, hidden: [options.width, options.width] }),
    ...(options.potentialInput ? { potentialInput: { ...OPP_POTENTIAL_INPUT } } : {}),
    ...(options.globalContext ? { globalContext: true } : {}),
    ...(structure ? { conditionEncoders: [...OPP_CONDITION_ENCODERS, ...STRUCTURE_CONDITION_ENCODERS] } : {}),
  };
  const denoiser = options.from === undefined ? createChosenDenoiser(options.denoiser ?? 'mddm', model) : await loadDenoiser(options.from);
  if (denoiser.conditions !== conditionKeys.length) {
    denoiser.dispose();
    throw new Error(`--from ${options.from}: the model takes ${denoiser.conditions} conditions, this trainer gives ${conditionKeys.length} (${conditionKeys.join(', ')})`);
  }
  await mkdir(out, { recursive: true });
  const training: TrainOptions = {
    data, steps, batchSize: CONDITIONAL_TRAINING.batchSize, learningRate: options.learningRate ?? CONDITIONAL_TRAINING.learningRate, lrSchedule: 'cosine',
    ...(options.clipNorm === undefined ? {} : { clipNorm: options.clipNorm }),
    spacing: FAST_TRAINING.spacing, tMax: FAST_TRAINING.tMax, schedule: FAST_TRAINING.schedule, seed,
    timestepWeights: bands.length > 0 ? bandTimestepWeights(FAST_TRAINING.schedule, boxLength, bands) : undefined,
    conditionKeys, ...(structure ? { drawnConditions: STRUCTURE_CONDITION_KEYS.length, draw: STRUCTURE_DRAW } : {}), conditionDropout: options.dropout ?? CONDITIONAL_TRAINING.conditionDropout,
    checkpointDir: join(out, 'checkpoint'), checkpointEvery: CONDITIONAL_TRAINING.checkpointEvery, resume: options.resume ?? false,
    // The budget stops the call through a signal, not `timeBudgetMs`: with a time budget the cosine
    // would decay over this call's wall time, and a plan spread over sessions would restart its decay
    // in each one. With the signal the learning rate follows the planned step count only.
    // --lr-over-budget instead decays over the budget: one-shot equal-time comparisons.
    ...(options.lrOverBudget ? { timeBudgetMs: budgetMs } : { signal: budgetMs === undefined ? undefined : AbortSignal.timeout(budgetMs) }),
    ema: (options.ema ?? CONDITIONAL_TRAINING.ema) || undefined,
  };
  if (verbose) console.log(`conditional MDDM (${options.from === undefined ? model.conditioning : `warm start from ${options.from}`}): ${denoiser.countParams().toLocaleString('en-US')} parameters, ${data.length} training conformations, ${steps} planned steps, backend ${backend}`);
  const bar = verbose ? trainingBar() : null;
  let loss = NaN;
  const result = await train(denoiser, {
    ...training,
    onProgress: (p) => {
      bar?.onProgress(p);
      loss = p.smoothLoss;
    },
  });
  bar?.done();
  const minutes = result.elapsedMs / 60000;
  if (verbose) console.log(`${result.steps} steps (${result.stoppedBy}); this call ${minutes.toFixed(1)} min; loss ${loss.toFixed(4)}`);
  denoiser.dispose();
  return { steps: result.steps, loss, minutes };
}

/** The first `count` frames of a growing set, refusing more than are packed (a silent shortfall would mislabel a data-size study). */
async function packedFrames(set: 'opp-train-ext' | 'opp-train-twins', count: number, flag: string): Promise<Awaited<ReturnType<typeof loadDataset>>> {
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`${flag} must be a non-negative integer, got ${count}`);
  if (count === 0) return [];
  const frames = await loadDataset(set);
  const preset = set === 'opp-train-ext' ? 'train-extension' : 'train-twins';
  if (frames.length < count) throw new Error(`${flag} ${count}: only ${frames.length} ${set} conformations are packed (generate more: pnpm mddm data generate --preset ${preset}; then pnpm --filter @mddm/data pack-data ${set})`);
  return frames.slice(0, count);
}

/** `--band-lj LO:HI` with `--band-weight W` (default 3). */
function parseBand(text: string | undefined, weight: number | undefined): NoiseBand | undefined {
  if (text === undefined) {
    if (weight !== undefined) throw new Error('--band-weight needs --band-lj LO:HI');
    return undefined;
  }
  const m = /^([0-9.eE+-]+):([0-9.eE+-]+)$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!(lo >= 0 && hi > lo && Number.isFinite(hi))) throw new Error(`--band-lj must be LO:HI with 0 <= LO < HI (noise std in LJ), got ${JSON.stringify(text)}`);
  return { loLj: lo, hiLj: hi, weight: weight ?? 3 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: {
      steps: { type: 'string' }, minutes: { type: 'string' }, out: { type: 'string' }, resume: { type: 'boolean' }, sets: { type: 'string' }, 'ext-sets': { type: 'string' }, 'twin-sets': { type: 'string' },
      conditioning: { type: 'string' }, dropout: { type: 'string' }, seed: { type: 'string' }, denoiser: { type: 'string' }, ema: { type: 'string' },
      'lr-over-budget': { type: 'boolean' }, 'focus-lj': { type: 'string' }, 'focus-weight': { type: 'string' }, from: { type: 'string' },
      lr: { type: 'string' }, 'clip-norm': { type: 'string' }, width: { type: 'string' }, 'potential-input': { type: 'boolean' }, 'global-context': { type: 'boolean' }, 'structure-conditions': { type: 'boolean' }, 'band-lj': { type: 'string' }, 'band-weight': { type: 'string' },
    },
  });
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
    return x;
  };
  const positive = (v: string | undefined, name: string) => {
    const x = num(v, name);
    if (x === 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(v)}`);
    return x;
  };
  const conditioning = values.conditioning;
  if (conditioning !== undefined && conditioning !== 'film' && conditioning !== 'concat') throw new Error(`--conditioning must be film or concat, got ${JSON.stringify(conditioning)}`);
  await runTrainConditional({
    steps: num(values.steps, 'steps'), minutes: num(values.minutes, 'minutes'), out: values.out, resume: values.resume, sets: num(values.sets, 'sets'), extSets: num(values['ext-sets'], 'ext-sets'), twinSets: num(values['twin-sets'], 'twin-sets'),
    conditioning, dropout: num(values.dropout, 'dropout'), seed: num(values.seed, 'seed'), denoiser: values.denoiser === undefined ? undefined : parseDenoiserKind(values.denoiser), ema: num(values.ema, 'ema'),
    lrOverBudget: values['lr-over-budget'],
    from: values.from,
    learningRate: positive(values.lr, 'lr'), clipNorm: positive(values['clip-norm'], 'clip-norm'), width: positive(values.width, 'width'),
    potentialInput: values['potential-input'], globalContext: values['global-context'], structureConditions: values['structure-conditions'],
    band: parseBand(values['band-lj'], num(values['band-weight'], 'band-weight')),
    focus: values['focus-lj'] === undefined ? undefined : { sigmaMaxLj: num(values['focus-lj'], 'focus-lj')!, weight: num(values['focus-weight'], 'focus-weight') ?? 3 },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
