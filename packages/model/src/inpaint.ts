import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { toBox, wrap, type BoxLike } from '@mddm/pbc';
import {
  WrappedDiffusion, cosineSchedule, createRng, encodeTime, epsFromScoreTarget, inpaint, scoreLambdaTable, langevinCorrector, runSampler, sampleUniformBox,
  type FinalStep, type LangevinCorrectorOptions, type NoiseSchedule, type PosteriorVariance, type Predictor, type Rng,
} from '@mddm/schedules';
import { waitForKernelWorker } from '@mddm/edgeconv';
import type { DenoiserLike } from './denoiserLike';
import { requireBackend } from './backend';
import { ModelError, checkInt, checkNumber } from './errors';
import { rescaleSchedule, trainedSchedule, type SampleOptions, type SampleResult } from './sample';
import { checkPositions } from './denoiser';
import { gridEnd, resolveSolver, type SolverOptions } from './solvers';

/**
 * Options of {@link inpaintSample}: the fixed particles, plus the sampler options of `sample`
 * (`sampler`, `spacing`, `rho`, `churn`, `steps`, `start`, `variance`, `eta`, `finalStep`, `schedule`,
 * `seed`, `corrector`), with the same meanings; the default is Algorithm 2 (`'ancestral'`, every
 * timestep), not `sample`'s `DEFAULT_SAMPLER`, so that a call without options keeps its meaning.
 */
export interface InpaintOptions
  extends Pick<SampleOptions, 'steps' | 'start' | 'variance' | 'eta' | 'finalStep' | 'schedule' | 'seed' | 'corrector'>, Pick<SolverOptions, 'sampler' | 'spacing' | 'rho' | 'churn' | 'sigmaMinLj'> {
  /** Positions `[N, 3]` (LJ units); the rows of the fixed particles must lie inside the box. */
  known: Float64Array;
  /** `[N]` flags, nonzero = fixed particle. Give exactly one of `mask` and `indices`. */
  mask?: ArrayLike<number | boolean>;
  /** Indices of the fixed particles (integers in `0..N-1`, no repeats). */
  indices?: ArrayLike<number>;
  /** The periodic box (LJ units). */
  box: BoxLike;
  /**
   * RePaint resampling (Lugmayr et al. 2022): every denoising step is done `resample` times; between
   * repeats the state is noised back from `tPrev` to `t` (`x += L sqrt(a_t - a_tPrev) z`, wrapped), so
   * the generated particles can adapt to the fixed ones. 1 (default) = DynamicsDiffusion Algorithm 1.
   * Costs `resample` network evaluations per predictor step (a Langevin corrector is not repeated).
   * Measured (x < L/2 kept, docs/seed-paper-tools.md): on a single-frame model 5 brought the
   * regenerated half's RDF-MSE from 2.3x to 2.0x the unconditional sampler's (10 added nothing); on
   * the shipped ensemble-trained opp-unconditional 1 and 5 score the same, 1.4x.
   * Only with `sampler: 'ancestral'`: repeating a step of a multistep (DPM-Solver++ 2M) or two-stage
   * (Heun, EDM) solver after re-noising would reuse a history that no longer matches the state.
   */
  resample?: number;
  /**
   * Whether a Langevin `corrector` holds the fixed particles where the predictor left them (default
   * true), so the generated ones sample `p_t(x_free | x_fixed)` at each level. With `false` the
   * corrector moves every particle and the fixed ones are re-imposed only after the next predictor
   * step (the behaviour before 2026-12-01). Measured in docs/seed-paper-tools.md.
   */
  holdFixed?: boolean;
  /** How the fixed particles are noised to each level (default `'fresh'`); see {@link FixedNoise}. */
  fixedNoise?: FixedNoise;
  /**
   * The state at `start`, `[count * N, 3]` (LJ units; wrapped into the box), instead of uniform
   * positions: with `start` < T and `variationStart` of an earlier result, a second pass that
   * re-generates the free particles from a partly noised state (a harmonisation pass, RePaint's
   * "jump" back). The fixed rows are replaced by the known positions noised to `start`.
   */
  init?: Float64Array;
  /** Conformations generated around the same fixed particles (default 1). */
  count?: number;
  /** Conformations denoised together in one graph (default `count`). */
  batchSize?: number;
  /** Raw conditions of a conditional denoiser. */
  conditions?: ArrayLike<number>;
}

/** @internal The fixed-particle flags `[N]` from a mask or an index list, validated. */
function fixedMask(options: InpaintOptions, n: number): Uint8Array {
  const { mask, indices } = options;
  if ((mask === undefined) === (indices === undefined)) {
    throw new ModelError(`inpaintSample: give exactly one of mask ([N] flags) and indices (fixed particle indices), got ${mask === undefined ? 'neither' : 'both'}`, 'MODEL_BAD_INPUT');
  }
  const out = new Uint8Array(n);
  if (mask !== undefined) {
    if (!mask || typeof mask.length !== 'number' || mask.length !== n) {
      throw new ModelError(`inpaintSample: mask must have one flag per particle (N = ${n}), got ${describeValue(mask)}`, 'MODEL_BAD_INPUT');
    }
    for (let i = 0; i < n; i++) out[i] = mask[i] ? 1 : 0;
    return out;
  }
  if (!indices || typeof indices.length !== 'number') throw new ModelError(`inpaintSample: indices must be an array of particle indices, got ${describeValue(indices)}`, 'MODEL_BAD_INPUT');
  for (let q = 0; q < indices.length; q++) {
    const i = indices[q];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ModelError(`inpaintSample: indices[${q}] = ${describeValue(i)} must be an integer in [0, ${n - 1}]`, 'MODEL_BAD_INPUT');
    if (out[i]) throw new ModelError(`inpaintSample: index ${i} appears twice in indices`, 'MODEL_BAD_INPUT');
    out[i] = 1;
  }
  return out;
}

/** @internal Throws unless every fixed row of `known` is finite and inside `[0, L)`. */
function checkKnown(known: Float64Array, mask: Uint8Array, L: Float64Array): void {
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let d = 0; d < 3; d++) {
      const v = known[3 * p + d];
      if (!(v >= 0 && v < L[d])) {
        throw new ModelError(`inpaintSample: fixed particle ${p} has coordinate ${d} = ${describeValue(v)}, outside the box [0, ${L[d]}) (fixed positions must lie inside the box so they come back bit-exact)`, 'MODEL_BAD_INPUT');
      }
    }
  }
}

/**
 * How the fixed particles are noised to each level during inpainting.
 * - `'fresh'`: independent noise at every level, `x_fixed = known + sigma_t z_t` (DynamicsDiffusion
 *   Algorithm 1, RePaint): right marginally, but the fixed particles jump by ~sigma_t between steps.
 * - `'bridge'`: the fixed particles follow the forward process run backwards, i.e. they are drawn from
 *   the posterior `q(x_tPrev | x_t, x_0 = known)` of their own current state (DDPM eq. 6-7 on the VE
 *   process: mean `known + (a_tPrev / a_t) (x_t - known)`, variance `a_tPrev (a_t - a_tPrev) / a_t`,
 *   box units): the same marginal at every level, but a continuous path, as the generated particles
 *   have, so these adapt to a crystal that moves smoothly instead of one that is re-drawn every step.
 */
export type FixedNoise = 'fresh' | 'bridge';

/**
 * The RePaint predictor: `inner` steps `t -> tPrev`, the fixed particles are set to their known
 * positions noised to `tPrev` (see {@link FixedNoise}; exactly the known positions at `tPrev = 0`),
 * and with `resample > 1` the state is noised back to `t` and the step repeated. Before its first
 * step it imposes the fixed particles at the start level (Algorithm 1 line 5).
 *
 * @param inner - the predictor doing each step (e.g. `ancestralPredictor()`)
 * @param known - `[frames * N, 3]` known positions (tiled over the frames of a batch)
 * @param mask - `[frames * N]` flags
 * @param resample - repeats per step (>= 1)
 * @param rng - noise of the fixed particles and of the re-noising
 * @param fixedNoise - see {@link FixedNoise} (default `'fresh'`, Algorithm 1 as published)
 * @returns a predictor for `runSampler`
 */
export function repaintPredictor(inner: Predictor, known: Float64Array, mask: Uint8Array, resample: number, rng: Rng, fixedNoise: FixedNoise = 'fresh'): Predictor {
  let first = true;
  const offset = fixedNoise === 'bridge' ? new Float64Array(known.length) : null; // x_fixed - known, box units, unwrapped
  const impose = (ctx: Parameters<Predictor['step']>[0], t: number, tFrom: number | null) => {
    const s = ctx.diffusion.schedule;
    if (!offset) {
      inpaint(ctx.x, known, mask, t, s, rng, ctx.box);
      return;
    }
    // tFrom === null: a fresh draw at t; else the posterior q(x_t | x_tFrom, known) of the offsets
    const keep = t === 0 ? 0 : tFrom === null ? 0 : s.a[t] / s.a[tFrom];
    const sd = t === 0 ? 0 : tFrom === null ? s.sqrtA[t] : Math.sqrt(Math.max(0, s.a[t] * (s.a[tFrom] - s.a[t]) / s.a[tFrom]));
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      for (let d = 0; d < 3; d++) {
        const i = 3 * p + d;
        const L = ctx.box[d];
        offset[i] = keep * offset[i] + (sd === 0 ? 0 : sd * rng.normal());
        let v = known[i] + L * offset[i];
        v -= L * Math.floor(v / L);
        ctx.x[i] = v >= L ? 0 : v;
      }
      if (t === 0) for (let d = 0; d < 3; d++) ctx.x[3 * p + d] = known[3 * p + d]; // bit-exact
    }
  };
  return {
    name: `repaint(${inner.name}, resample=${resample}, fixed=${fixedNoise})`,
    async step(ctx, t, tPrev) {
      const s = ctx.diffusion.schedule;
      if (first) {
        impose(ctx, t, null);
        first = false;
      }
      for (let u = 0; u < resample; u++) {
        await inner.step(ctx, t, tPrev);
        impose(ctx, tPrev, t);
        if (u + 1 === resample) break;
        const c = Math.sqrt(Math.max(0, s.a[t] - s.a[tPrev]));
        rng.fillNormal(ctx.z);
        for (let i = 0; i < ctx.x.length; i++) {
          const L = ctx.box[i % 3];
          if (offset && mask[(i / 3) | 0]) offset[i] += c * ctx.z[i]; // the fixed particles' path is noised back too
          let v = ctx.x[i] + L * c * ctx.z[i];
          v -= L * Math.floor(v / L);
          ctx.x[i] = v >= L ? 0 : v;
        }
      }
    },
  };
}

/**
 * Inpainting with a trained denoiser (DynamicsDiffusion Algorithm 1 on the wrapped VE process, with
 * optional RePaint resampling): the particles flagged in `mask` (or listed in `indices`) stay at
 * their `known` positions — bit-exact in the result — and the others are generated consistently
 * with them. During denoising the fixed particles sit at their known positions noised to the
 * current level, so the network sees a state of the noise level it was trained on.
 *
 * @param denoiser - a trained denoiser
 * @param options - see {@link InpaintOptions}
 * @returns the conformations (fixed rows equal to `known`), the schedule used and the NFE
 * @throws ModelError `MODEL_BAD_INPUT` (mask of the wrong length, bad indices, fixed positions outside
 *   the box, bad `known`), `MODEL_BAD_CONFIG` (bad options), `MODEL_NO_BACKEND`
 */
export async function inpaintSample(denoiser: DenoiserLike, options: InpaintOptions): Promise<SampleResult> {
  const started = performance.now();
  requireBackend('inpaintSample');
  if (!options || typeof options !== 'object') throw new ModelError(`inpaintSample options must be an object, got ${describeValue(options)}`, 'MODEL_BAD_CONFIG');
  const { known } = options;
  if (!(known instanceof Float64Array) || known.length === 0 || known.length % 3 !== 0) {
    throw new ModelError(`inpaintSample: known must be a Float64Array [N, 3], got ${describeValue(known)}`, 'MODEL_BAD_INPUT');
  }
  const n = known.length / 3;
  if (n < denoiser.minParticles) throw new ModelError(`inpaintSample: this denoiser needs at least ${denoiser.minParticles} particles, got ${n}`, 'MODEL_BAD_INPUT');
  let boxLengths: Float64Array;
  try {
    boxLengths = toBox(options.box).lengths;
  } catch (e) {
    throw new ModelError(`inpaintSample: bad box: ${(e as Error).message}`, 'MODEL_BAD_INPUT', { cause: e });
  }
  const lengths: [number, number, number] = [boxLengths[0], boxLengths[1], boxLengths[2]];
  const mask = fixedMask(options, n);
  checkKnown(known, mask, boxLengths);
  const resample = checkInt(options.resample ?? 1, 'resample', 1, 1000);
  const count = checkInt(options.count ?? 1, 'count', 1);
  const batchSize = checkInt(options.batchSize ?? count, 'batchSize', 1);
  const trained = trainedSchedule(denoiser);
  const tb = denoiser.training?.box;
  const schedule = options.schedule ?? (trained && tb ? rescaleSchedule(trained, tb, lengths) ?? trained : trained) ?? cosineSchedule(500);
  const T = schedule.T;
  const start = checkInt(options.start ?? Math.min(T, denoiser.training?.tMax ?? T), 'start', 1, T);
  const end = gridEnd(options.sigmaMinLj, schedule, lengths[0], start, denoiser.training?.sampleSigmaMinLj); // as in sample
  const steps = checkInt(options.steps ?? start - end + 1, 'steps', 1, start - end + 1);
  const eta = checkNumber(options.eta ?? 1, 'eta', 0, 1);
  const solverOptions: SolverOptions = { sampler: options.sampler, spacing: options.spacing, rho: options.rho, churn: options.churn };
  const solver = resolveSolver(solverOptions, schedule, start, steps, eta, denoiser.training?.target === 'score', end); // solvers.ts
  if (resample > 1 && (options.sampler ?? 'ancestral') !== 'ancestral') {
    throw new ModelError(`inpaintSample: resample > 1 (RePaint) needs sampler 'ancestral', got ${describeValue(options.sampler)}`, 'MODEL_BAD_CONFIG');
  }
  const seed = checkInt(options.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  if (options.init !== undefined) {
    const m = checkPositions(options.init, 'inpaintSample: init');
    if (m !== count * n) throw new ModelError(`inpaintSample: init must hold count * N = ${count * n} particles, got ${m}`, 'MODEL_BAD_INPUT');
  }
  denoiser.globalInput(1, 1, options.conditions); // validates the conditions
  const diffusion = new WrappedDiffusion(schedule, { variance: options.variance ?? 'exact', finalStep: options.finalStep ?? 'x0' });
  const holdFixed = options.holdFixed ?? true;
  if (typeof holdFixed !== 'boolean') throw new ModelError(`inpaintSample: holdFixed must be a boolean, got ${describeValue(holdFixed)}`, 'MODEL_BAD_CONFIG');
  const fixedNoise = options.fixedNoise ?? 'fresh';
  if (fixedNoise !== 'fresh' && fixedNoise !== 'bridge') throw new ModelError(`inpaintSample: fixedNoise must be 'fresh' or 'bridge', got ${describeValue(fixedNoise)}`, 'MODEL_BAD_CONFIG');
  const withCorrector = options.corrector !== undefined && options.corrector.steps > 0;
  const lambda = denoiser.training?.target === 'score' ? scoreLambdaTable(schedule) : null;
  await waitForKernelWorker();
  const rng = createRng(seed);
  const fixedRng = createRng(seed + 0x9e3779b9);
  const positions: Float64Array[] = [];
  let evaluations = 0;
  for (let b = 0; b * batchSize < count; b++) {
    const frames = Math.min(batchSize, count - b * batchSize);
    const tiledKnown = new Float64Array(frames * known.length);
    const tiledMask = new Uint8Array(frames * n);
    for (let f = 0; f < frames; f++) {
      tiledKnown.set(known, f * known.length);
      tiledMask.set(mask, f * n);
    }
    const x = options.init ? wrap(options.init.slice(b * batchSize * 3 * n, (b * batchSize + frames) * 3 * n), lengths) : sampleUniformBox(frames * n, lengths, rng);
    const predictor = repaintPredictor(solver.predictor, tiledKnown, tiledMask, resample, fixedRng, fixedNoise);
    const corrector = withCorrector ? langevinCorrector({ ...options.corrector!, fixed: holdFixed ? tiledMask : undefined }) : undefined;
    const eps = async (xt: Float64Array, t: number, out: Float64Array) => {
      const g = denoiser.globalInput(encodeTime(denoiser.timeEncoding, t, schedule.a), frames, options.conditions);
      const graph = denoiser.buildGraph(xt, lengths, frames);
      const e = tf.tidy(() => denoiser.apply(graph, tf.tensor2d(g, [frames, denoiser.globalFeatures])));
      const v = (await e.data()) as Float32Array;
      e.dispose();
      if (lambda) epsFromScoreTarget(v, t, schedule, lambda[t], v);
      out.set(v);
    };
    const r = await runSampler(diffusion, x, lengths, eps, rng, { steps, start, spacing: solver.spacing, timesteps: solver.timesteps, predictor, corrector });
    evaluations = Math.max(evaluations, r.evaluations);
    for (let f = 0; f < frames; f++) positions.push(x.slice(f * 3 * n, (f + 1) * 3 * n));
  }
  return { positions, box: lengths, schedule, evaluations, elapsedMs: performance.now() - started };
}
