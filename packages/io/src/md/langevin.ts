import { checkNumber, createRng, describeValue, type Rng } from '@mddm/core';
import { toBox, validatePositions, wrap, type BoxLike, type Vec3Array } from '@mddm/pbc';
import { IoError } from '../errors';

/**
 * A force field for {@link langevin}: writes the forces `[N, 3]` (LJ units: energy / length) on the
 * particles at `positions` (`[N, 3]`, LJ units, inside the box) into `out`. May be asynchronous
 * (e.g. a denoiser's force, `denoiserForceField` of `@mddm/model`).
 */
export type ForceFunction = (positions: Float64Array, out: Float64Array) => void | Promise<void>;

/** State passed to {@link LangevinOptions.onFrame}. */
export interface LangevinFrame {
  /** Steps done (0 = the start). */
  step: number;
  /** Positions `[N, 3]` inside the box (the integrator's buffer: copy it to keep it). */
  positions: Float64Array;
  /** Velocities `[N, 3]` (LJ units). */
  velocities: Float64Array;
  /** Instantaneous kinetic temperature `sum m v^2 / (3 N)` (k_B = 1). */
  kineticT: number;
}

/** Options of {@link langevin}. */
export interface LangevinOptions {
  /** Number of steps (integer >= 0). */
  steps: number;
  /** Time step in LJ time units (> 0), e.g. 0.005. */
  dt: number;
  /** Temperature `k_B T` in LJ energy units (> 0; k_B = 1). */
  kT: number;
  /** Friction `gamma` in 1 / LJ time (> 0; default 1). */
  gamma?: number;
  /** Particle mass (> 0; default 1). */
  mass?: number;
  /** Initial velocities `[N, 3]` (default: drawn from Maxwell-Boltzmann at `kT`). Not modified. */
  velocities?: Float64Array;
  /** Seed of the thermostat noise and of the initial velocities (default 0). */
  seed?: number;
  /** Called at step 0 and every `every` steps. */
  onFrame?: (frame: LangevinFrame) => void | Promise<void>;
  /** Interval of `onFrame` in steps (default 100). */
  every?: number;
}

/** Result of {@link langevin}. */
export interface LangevinResult {
  /** Final positions `[N, 3]` inside the box. */
  positions: Float64Array;
  /** Final velocities `[N, 3]`. */
  velocities: Float64Array;
  /** Force evaluations made (steps + 1). */
  forceEvaluations: number;
  /** Wall time, ms. */
  elapsedMs: number;
}

/**
 * Langevin dynamics in a periodic box with the BAOAB splitting (Leimkuhler & Matthews 2013): per step
 * `B` half kick `v += dt F / 2m`, `A` half drift `x += dt v / 2`, `O` exact Ornstein-Uhlenbeck
 * `v = c v + sqrt((1 - c^2) kT / m) R` with `c = exp(-gamma dt)`, `A` half drift, wrap into the box,
 * one force evaluation, `B` half kick. One force call per step. BAOAB samples the configurational
 * Boltzmann distribution very accurately (exactly for a harmonic potential at any stable `dt`),
 * which is what matters when comparing structures (RDFs).
 *
 * Units: LJ (length sigma, energy epsilon, mass m, time sigma sqrt(m / epsilon)), k_B = 1.
 *
 * @param positions - start `[N, 3]` flat, LJ units (wrapped into the box; not modified)
 * @param box - cubic `L` or `[Lx, Ly, Lz]`
 * @param force - the force field, see {@link ForceFunction} (e.g. `oppForces` or a denoiser's force)
 * @param options - see {@link LangevinOptions}
 * @returns the final state
 * @throws IoError `IO_BAD_ARGUMENT` for a bad option, velocities of the wrong length, or a force
 *   function that writes non-finite values; PbcError for bad positions or box
 */
export async function langevin(positions: Vec3Array, box: BoxLike, force: ForceFunction, options: LangevinOptions): Promise<LangevinResult> {
  const started = performance.now();
  const fn = 'langevin';
  const bad = (m: string) => new IoError(`${fn}: ${m}`, 'IO_BAD_ARGUMENT');
  if (!options || typeof options !== 'object') throw bad(`options must be { steps, dt, kT, ... }, got ${describeValue(options)}`);
  if (typeof force !== 'function') throw bad(`force must be a function (positions, out) => void, got ${describeValue(force)}`);
  const steps = checkNumber(options.steps, 'steps', { integer: true, min: 0 }, bad);
  const dt = checkNumber(options.dt, 'dt', { above: 0, max: 1 }, bad);
  const kT = checkNumber(options.kT, 'kT', { above: 0 }, bad);
  const gamma = checkNumber(options.gamma ?? 1, 'gamma', { above: 0 }, bad);
  const m = checkNumber(options.mass ?? 1, 'mass', { above: 0 }, bad);
  const every = checkNumber(options.every ?? 100, 'every', { integer: true, min: 1 }, bad);
  const n = validatePositions(positions);
  const L = toBox(box); // the Box object (wrap takes it; a bare lengths array is not a BoxLike)
  const x = wrap(Float64Array.from(positions), L);
  const rng: Rng = createRng(checkNumber(options.seed ?? 0, 'seed', { integer: true, min: 0 }, bad));
  const v = new Float64Array(3 * n);
  if (options.velocities) {
    if (options.velocities.length !== 3 * n) throw bad(`velocities must have length 3N = ${3 * n}, got ${options.velocities.length}`);
    v.set(options.velocities);
  } else {
    rng.fillNormal(v);
    const s = Math.sqrt(kT / m);
    for (let i = 0; i < v.length; i++) v[i] *= s;
  }
  const f = new Float64Array(3 * n);
  const z = new Float64Array(3 * n);
  const evalForce = async () => {
    await force(x, f);
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) throw bad(`the force function wrote a non-finite value at index ${i} (${f[i]})`);
  };
  const frame = async (step: number) => {
    if (!options.onFrame) return;
    let k = 0;
    for (let i = 0; i < v.length; i++) k += v[i] * v[i];
    await options.onFrame({ step, positions: x, velocities: v, kineticT: (m * k) / (3 * n) });
  };
  await evalForce();
  await frame(0);
  const c = Math.exp(-gamma * dt);
  const noise = Math.sqrt((1 - c * c) * kT / m);
  const hk = (0.5 * dt) / m, hd = 0.5 * dt;
  for (let step = 1; step <= steps; step++) {
    for (let i = 0; i < x.length; i++) {
      v[i] += hk * f[i]; // B
      x[i] += hd * v[i]; // A
    }
    rng.fillNormal(z);
    for (let i = 0; i < x.length; i++) {
      v[i] = c * v[i] + noise * z[i]; // O
      x[i] += hd * v[i]; // A
    }
    wrap(x, L, x);
    await evalForce();
    for (let i = 0; i < x.length; i++) v[i] += hk * f[i]; // B
    if (step % every === 0) await frame(step);
  }
  return { positions: x, velocities: v, forceEvaluations: steps + 1, elapsedMs: performance.now() - started };
}
