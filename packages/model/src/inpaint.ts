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
   * What a Langevin `corrector` does with the fixed particles (default `'redraw'`); see
   * {@link CorrectorFixed}. Measured in docs/seed-paper-tools.md.
   */
  correctorFixed?: CorrectorFixed;
  /**
   * The state at `start`, `[count * N, 3]` (LJ units; wrapped into the box), instead of uniform
   * positions: with `start` < T and `variationStart` of an earlier result, a second pass that
   * re-generates the free particles from a partly noised state (a harmonisation pass, RePaint's
   * "jump" back). The fixed rows are replaced by the known positions noised to `start`.
   */
  init?: Float64Array | Float32Array;
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
 * The RePaint predictor: `inner` steps `t -> tPrev`, the fixed particles are set to their known
 * positions noised to `tPrev` (`inpaint` of `@mddm/schedules`; exactly the known positions at
 * `tPrev = 0`), and with `resample > 1` the state is noised back to `t` and the step repeated.
 * Before its first step it imposes the fixed particles at the start level (Algorithm 1 line 5).
 *
 * @param inner - the predictor doing each step (e.g. `ancestralPredictor()`)
 * @param known - `[frames * N, 3]` known positions (tiled over the frames of a batch)
 * @param mask - `[frames * N]` flags
 * @param resample - repeats per step (>= 1)
 * @param rng - noise of the fixed particles and of the re-noising
 * @returns a predictor for `runSampler`
 */
export function repaintPredictor(inner: Predictor, known: Float64Array, mask: Uint8Array, resample: number, rng: Rng): Predictor {
  let first = true;
  return {
    name: `repaint(${inner.name}, resample=${resample})`,
    async step(ctx, t, tPrev) {
      const s = ctx.diffusion.schedule;
      if (first) {
        inpaint(ctx.x, known, mask, t, s, rng, ctx.box);
        first = false;
      }
      for (let u = 0; u < resample; u++) {
        await inner.step(ctx, t, tPrev);
        inpaint(ctx.x, known, mask, tPrev, s, rng, ctx.box);
        if (u + 1 === resample) break;
        const c = Math.sqrt(Math.max(0, s.a[t] - s.a[tPrev]));
        rng.fillNormal(ctx.z);
        for (let i = 0; i < ctx.x.length; i++) {
          const L = ctx.box[i % 3];
          let v = ctx.x[i] + L * c * ctx.z[i];
          v -= L * Math.floor(v / L);
          ctx.x[i] = v >= L ? 0 : v;
        }
      }
    },
  };
}

/**
 * What a Langevin corrector does with the fixed particles during inpainting (after every Langevin step).
 * - `'redraw'`: re-imposes them at the known positions with fresh noise of the level. Given the known
 *   positions, the fixed particles' noise is independent of the generated particles, so this is the
 *   Gibbs step for it; the generated particles then follow the network's score averaged over those
 *   draws, closer to the score conditioned on the clean fixed positions than one draw gives.
 * - `'hold'`: holds them at the predictor's draw of the level (one noisy copy of the fixed crystal).
 * - `'move'`: lets the corrector move them like the others; they are re-imposed after the next
 *   predictor step only (the behaviour before 2026-12-01: the generated particles adapt to a
 *   fixed half that the corrector has itself deformed).
 */
export type CorrectorFixed = 'redraw' | 'hold' | 'move';

/** @internal `x[p] = held[p]` for every flagged particle `p`. */
function restoreRows(x: Float64Array, held: Float64Array, mask: Uint8Array): void {
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) continue;
    x[3 * p] = held[3 * p];
    x[3 * p + 1] = held[3 * p + 1];
    x[3 * p + 2] = held[3 * p + 2];
  }
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
  const correctorFixed = options.correctorFixed ?? 'redraw';
  if (!['redraw', 'hold', 'move'].includes(correctorFixed)) throw new ModelError(`inpaintSample: correctorFixed must be 'redraw', 'hold' or 'move', got ${describeValue(correctorFixed)}`, 'MODEL_BAD_CONFIG');
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
    const x = options.init ? wrap(Float64Array.from(options.init.subarray(b * batchSize * 3 * n, (b * batchSize + frames) * 3 * n)), lengths) : sampleUniformBox(frames * n, lengths, rng); // own float64 copy
    const repaint = repaintPredictor(solver.predictor, tiledKnown, tiledMask, resample, fixedRng);
    let held: Float64Array | null = null; // the state the predictor left ('hold')
    const predictor: Predictor = correctorFixed !== 'hold' ? repaint : {
      name: repaint.name,
      async step(ctx, t, tPrev) {
        await repaint.step(ctx, t, tPrev);
        (held ??= new Float64Array(ctx.x.length)).set(ctx.x);
      },
    };
    const project = correctorFixed === 'move' ? undefined : (xc: Float64Array, t: number) => {
      if (correctorFixed === 'hold' && held) restoreRows(xc, held, tiledMask);
      else inpaint(xc, tiledKnown, tiledMask, t, schedule, fixedRng, lengths); // 'redraw', or 'hold' before the first predictor step
    };
    const corrector = withCorrector ? langevinCorrector({ ...options.corrector!, project }) : undefined;
    const eps = async (xt: Float64Array, t: number, out: Float64Array) => {
      const g = denoiser.globalInput(encodeTime(denoiser.timeEncoding, t, schedule.a), frames, options.conditions);
      const graph = denoiser.buildGraph(xt, lengths, frames, g);
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
