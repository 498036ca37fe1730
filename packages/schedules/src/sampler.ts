import { describeValue } from '@mddm/core';
import type { BoxLike } from '@mddm/pbc';
import { boxLengths } from './box';
import type { WrappedDiffusion } from './diffusion';
import { ScheduleError, checkVec3 } from './errors';
import { samplingTimesteps, type TimestepSpacing } from './timesteps';

/**
 * Denoising function driven by {@link runSampler}: write the predicted noise `eps_theta(x_t, t)`
 * (flat `[N, 3]`, box-fraction units as in Eq. 3) into `out`. May be asynchronous (e.g. a tfjs model
 * read back with `data()`); it is awaited once per call. It may return the number of network
 * evaluations it made (e.g. 2 for classifier-free guidance); nothing counts as 1.
 */
export type EpsFunction = (xt: Float64Array, t: number, out: Float64Array) => void | number | Promise<void | number>;

/** Source of standard-normal noise for the sampler ({@link createRng} fits). */
export interface NoiseSource {
  /** Fills `out` with independent N(0, 1) draws. */
  fillNormal(out: Float64Array): void;
}

/**
 * What a {@link Predictor} or {@link Corrector} sees during one step of {@link runSampler}. The state
 * `x` is updated in place; `evaluate` is the only way to call the network (it counts evaluations).
 */
export interface SamplerContext {
  /** The diffusion (schedule, posterior variance, final-step convention). */
  readonly diffusion: WrappedDiffusion;
  /** Current state, flat `[N, 3]` in `[0, L)`; overwritten by every step. */
  readonly x: Float64Array;
  /** Box lengths `[Lx, Ly, Lz]` (length units of `x`, LJ units in MDDM). */
  readonly box: readonly [number, number, number];
  /** Noise source. */
  readonly rng: NoiseSource;
  /** Scratch `[N, 3]` for normal draws. */
  readonly z: Float64Array;
  /** `eps_theta(x, t)` into a shared `[N, 3]` buffer (valid until the next call), counting the network evaluations. */
  evaluate(t: number): Promise<Float64Array>;
}

/** One predictor step `x_t -> x_tPrev` (Algorithm 2 lines 3-4; `tPrev = 0` is the final step). */
export interface Predictor {
  /** Name, for diagnostics. */
  readonly name: string;
  /** Moves `ctx.x` from timestep `t` to `tPrev < t` in place. */
  step(ctx: SamplerContext, t: number, tPrev: number): Promise<void>;
}

/** Corrector steps at a fixed noise level `t`, run before the predictor step from `t`. */
export interface Corrector {
  /** Name, for diagnostics. */
  readonly name: string;
  /** Moves `ctx.x` within noise level `t` in place. */
  correct(ctx: SamplerContext, t: number): Promise<void>;
}

/** Options of {@link langevinCorrector}. */
export interface LangevinCorrectorOptions {
  /** Langevin steps per timestep in the band (integer >= 0). */
  steps: number;
  /** Step size relative to the noise variance, in `(0, 1]` (default 0.2). */
  r?: number;
  /** Run only where the noise std `L_x sqrt(a_t)` (length units of `x`: LJ units) is >= this (default 0). */
  sigmaMinLj?: number;
  /** ... and <= this (default Infinity). */
  sigmaMaxLj?: number;
  /**
   * Applied to the state after every Langevin step (e.g. inpainting re-imposing its fixed particles,
   * so that the others sample the conditional at that level instead of dragging the fixed ones along).
   * Default: none.
   */
  project?: (x: Float64Array, t: number) => void;
}

/** Progress of {@link runSampler}, after every predictor step. */
export interface SamplerStep {
  /** Predictor steps done (1-based). */
  step: number;
  /** Predictor steps in total. */
  steps: number;
  /** Timestep just reached (`tPrev`; 0 after the final step). */
  t: number;
  /** Network evaluations so far (predictor and corrector). */
  evaluations: number;
}

/** Options of {@link runSampler}. */
export interface SamplerOptions {
  /** Predictor steps (strided when < `start`); default `start` (every timestep, Algorithm 2). */
  steps?: number;
  /** First (largest) timestep, `1..T` (default T); below T, start from a noised state (variations). */
  start?: number;
  /** Spacing of the timesteps ({@link samplingTimesteps}); default `'uniform'`. */
  spacing?: TimestepSpacing;
  /**
   * Explicit descending grid of levels in `(0, T]` instead of `steps` / `spacing` / `start` (e.g.
   * {@link noiseLevels}: EDM's rho grid). Fractional timesteps are allowed for the ODE predictors
   * (the eps function then receives fractional `t`); the ancestral predictor and the Langevin
   * corrector need integers. The sampler goes `timesteps[0] -> ... -> timesteps[n-1] -> 0`.
   */
  timesteps?: ArrayLike<number>;
  /** Predictor (default {@link ancestralPredictor}`()`: the exact posterior sample, eta = 1). */
  predictor?: Predictor;
  /** Corrector run before every predictor step (default none), e.g. {@link langevinCorrector}. */
  corrector?: Corrector;
  /**
   * Called after every predictor step with the new state and its timestep `tPrev` (e.g.
   * {@link inpaint}); it may modify `x` in place.
   */
  afterStep?: (x: Float64Array, tPrev: number) => void;
  /** Called after every predictor step (and `afterStep`). */
  onStep?: (s: SamplerStep) => void;
  /** Keep a copy of the state at `start`, every this many steps, and at the end in `result.trajectory`. */
  trajectoryEvery?: number;
}

/** Result of {@link runSampler}. */
export interface SamplerResult {
  /** The sample (the `x` passed in, overwritten). */
  x: Float64Array;
  /** Network evaluations (NFE): predictor and corrector calls of the eps function. */
  evaluations: number;
  /** With `trajectoryEvery`: copies of the state with their timesteps, from `start` down to 0. */
  trajectory?: { t: number; x: Float64Array }[];
}

/**
 * The predictor of Algorithm 2 and its strided / DDIM-like family: one network evaluation, then
 * {@link WrappedDiffusion.stepTo} (`tPrev = t - 1`, `eta = 1` is Algorithm 2 line 4 with the exact
 * variance). Draws `3N` normals when `tPrev > 0` (also when `eta = 0`, so the random stream does not
 * depend on eta); the final step (`tPrev = 0`) adds no noise.
 *
 * @param options - `eta` in `[0, 1]` (default 1: ancestral; 0: deterministic)
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` for eta outside `[0, 1]`
 */
export function ancestralPredictor(options: { eta?: number } = {}): Predictor {
  const eta = options.eta ?? 1;
  if (typeof eta !== 'number' || !(eta >= 0 && eta <= 1)) {
    throw new ScheduleError(`ancestralPredictor: eta must be a number in [0, 1], got ${describeValue(eta)}`, 'SCHEDULE_BAD_ARG');
  }
  const stepOptions = { eta };
  return {
    name: `ancestral(eta=${eta})`,
    async step(ctx, t, tPrev) {
      const eps = await ctx.evaluate(t);
      if (tPrev > 0) ctx.rng.fillNormal(ctx.z);
      ctx.diffusion.stepTo(ctx.x, eps, t, tPrev, tPrev > 0 ? ctx.z : null, ctx.box, ctx.x, stepOptions);
    },
  };
}

/**
 * Langevin corrector (predictor-corrector sampling, Song et al. 2021 Algorithm 4): at a timestep
 * whose noise std `L_x sqrt(a_t)` lies in `[sigmaMinLj, sigmaMaxLj]`, run `steps` times
 * `x <- wrap(x - r L sqrt(a_t) eps + sqrt(2 r) L sqrt(a_t) z)` ({@link WrappedDiffusion.langevinStep}),
 * one network evaluation and `3N` normals each. The band is in length units of `x` (LJ units), not
 * box fractions, because what the network has learned well is set by the physical noise scale.
 *
 * @param options - see {@link LangevinCorrectorOptions}
 * @throws {@link ScheduleError} `SCHEDULE_BAD_ARG` for a bad option
 */
export function langevinCorrector(options: LangevinCorrectorOptions): Corrector {
  const fn = 'langevinCorrector';
  const { steps } = options;
  const r = options.r ?? 0.2;
  const lo = options.sigmaMinLj ?? 0;
  const hi = options.sigmaMaxLj ?? Infinity;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) throw new ScheduleError(`${fn}: steps must be an integer >= 0, got ${describeValue(steps)}`, 'SCHEDULE_BAD_ARG');
  if (typeof r !== 'number' || !(r > 0 && r <= 1)) throw new ScheduleError(`${fn}: r must be a number in (0, 1], got ${describeValue(r)}`, 'SCHEDULE_BAD_ARG');
  if (typeof lo !== 'number' || !(lo >= 0)) throw new ScheduleError(`${fn}: sigmaMinLj must be a number >= 0, got ${describeValue(lo)}`, 'SCHEDULE_BAD_ARG');
  if (typeof hi !== 'number' || !(hi >= lo)) throw new ScheduleError(`${fn}: sigmaMaxLj must be a number >= sigmaMinLj (${lo}), got ${describeValue(hi)}`, 'SCHEDULE_BAD_ARG');
  const project = options.project;
  if (project !== undefined && typeof project !== 'function') throw new ScheduleError(`${fn}: project must be a function (x, t) => void, got ${describeValue(project)}`, 'SCHEDULE_BAD_ARG');
  return {
    name: `langevin(steps=${steps}, r=${r}, sigmaLj=${lo}..${hi}${project ? ', projected' : ''})`,
    async correct(ctx, t) {
      const sigmaLj = ctx.box[0] * ctx.diffusion.schedule.sqrtA[t];
      if (steps === 0 || sigmaLj < lo || sigmaLj > hi) return;
      for (let c = 0; c < steps; c++) {
        const eps = await ctx.evaluate(t);
        ctx.rng.fillNormal(ctx.z);
        ctx.diffusion.langevinStep(ctx.x, eps, t, r, ctx.z, ctx.box, ctx.x);
        if (project) project(ctx.x, t);
      }
    },
  };
}

/**
 * The reverse process (Algorithm 2, and its strided / predictor-corrector variants), in place on `x`:
 * for each timestep `t` of {@link samplingTimesteps}`(steps, spacing, start)` with successor `tPrev`
 * (0 after the last): corrector at `t` (if any), predictor `t -> tPrev`, `afterStep`, progress.
 * Every network call goes through one counted `evaluate`, so `result.evaluations` is the NFE of any
 * predictor / corrector pair (an EDM-Heun or DPM-Solver predictor plugs in as a {@link Predictor}).
 * Allocates two `[N, 3]` buffers per call (plus trajectory copies), nothing per step.
 *
 * @param diffusion - the diffusion (schedule, variance, final step)
 * @param x - state at `start`, flat `[N, 3]` Float64Array (e.g. {@link sampleUniformBox} for `start = T`); overwritten with the sample
 * @param box - the periodic box (length units of `x`)
 * @param eps - denoiser, see {@link EpsFunction}
 * @param rng - noise source ({@link createRng})
 * @param options - see {@link SamplerOptions}
 * @returns the sample, the number of network evaluations and the optional trajectory
 * @throws {@link ScheduleError} for a bad `x`, box, steps, start, spacing or timesteps
 */
export async function runSampler(
  diffusion: WrappedDiffusion, x: Float64Array, box: BoxLike, eps: EpsFunction, rng: NoiseSource, options: SamplerOptions = {},
): Promise<SamplerResult> {
  checkVec3(x, 'runSampler', 'x');
  if (!(x instanceof Float64Array)) throw new ScheduleError(`runSampler: x must be a Float64Array, got ${describeValue(x)}`, 'SCHEDULE_LENGTH');
  const Ls = boxLengths(box, 'runSampler');
  const start = options.start ?? diffusion.T;
  const ts = options.timesteps === undefined
    ? samplingTimesteps(diffusion.schedule, options.steps ?? start, options.spacing ?? 'uniform', start)
    : checkGrid(options.timesteps, diffusion.T);
  const predictor = options.predictor ?? ancestralPredictor();
  const every = options.trajectoryEvery ?? 0;
  const epsBuf = new Float64Array(x.length);
  const result: SamplerResult = { x, evaluations: 0 };
  const ctx: SamplerContext = {
    diffusion, x, rng, box: [Ls[0], Ls[1], Ls[2]], z: new Float64Array(x.length),
    async evaluate(t) {
      const made = await eps(x, t, epsBuf);
      result.evaluations += typeof made === 'number' ? made : 1;
      return epsBuf;
    },
  };
  if (every > 0) result.trajectory = [{ t: ts[0], x: x.slice() }];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const tPrev = i + 1 < ts.length ? ts[i + 1] : 0;
    if (options.corrector) await options.corrector.correct(ctx, t);
    await predictor.step(ctx, t, tPrev);
    options.afterStep?.(x, tPrev);
    if (every > 0 && ((i + 1) % every === 0 || tPrev === 0)) result.trajectory!.push({ t: tPrev, x: x.slice() });
    options.onStep?.({ step: i + 1, steps: ts.length, t: tPrev, evaluations: result.evaluations });
  }
  return result;
}

/** @internal Throw unless `ts` is a non-empty, strictly decreasing grid of numbers in `(0, T]`. */
function checkGrid(ts: ArrayLike<number>, T: number): ArrayLike<number> {
  const n = ts?.length;
  if (typeof n !== 'number' || n < 1) throw new ScheduleError(`runSampler: timesteps must be a non-empty array of levels in (0, ${T}], got ${describeValue(ts)}`, 'SCHEDULE_BAD_ARG');
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (typeof t !== 'number' || !(t > 0 && t <= T) || (i > 0 && !(t < ts[i - 1]))) {
      throw new ScheduleError(`runSampler: timesteps must be strictly decreasing numbers in (0, ${T}]; timesteps[${i}] = ${describeValue(t)}`, 'SCHEDULE_T_RANGE');
    }
  }
  return ts;
}
