import { describeValue } from '@mddm/core';
import { oppEnergy } from '@mddm/io/browser';
import { PairList, periodicPairs } from '@mddm/pbc';
import { ModelError } from './errors';
import type { ConditionEncoder } from './conditions';

/**
 * The pair potential the conditions describe, evaluated on the (noisy) configuration and given to
 * the first PBC-Conv layer as node features. Why: the structure MD makes is a functional of
 * `U(r) / T`, and for the OPP `U(r) = r^-15 + r^-3 cos(k (r - 1.25) - phi)` the wells move with k
 * and phi; a network conditioned only through FiLM of `(k, sin phi, cos phi, log T)` must learn where
 * the wells are from a few hundred parameter sets (docs/conditional.md: unseen sets at high k are
 * hit or miss). Here it reads the potential instead.
 *
 * - `kind: 'opp'`: the conditions are `(k, phi, T)` in this order (`OPP_CONDITION_KEYS`), or, for an
 *   unconditional denoiser of one state point, `params` fixes them;
 * - `cutoffLj`: pair cutoff (LJ units; 3 in the shipped LAMMPS runs, SPEC §4), at most half the box;
 * - `minDistanceLj`: pair distances below it are evaluated at it (default 0.5 LJ), so the `r^-15`
 *   wall of two nearly coincident noisy particles stays finite.
 */
export interface PotentialInput {
  /** The potential family (only `'opp'`). */
  kind: 'opp';
  /** Pair cutoff in LJ units. */
  cutoffLj: number;
  /** Distances below this are evaluated at it (LJ units; default 0.5). */
  minDistanceLj?: number;
  /** Unconditional denoisers only: the one state point `{ k, phi, T }` (k in 1/length, phi in radians, T in LJ energy). */
  params?: { k: number; phi: number; T: number };
}

/**
 * The OPP as the shipped data has it: pair cutoff 3 LJ, as in the LAMMPS runs of `@mddm/io` (SPEC §4).
 * Conditional models read `(k, phi, T)` from their first three conditions; an unconditional one adds `params`.
 */
export const OPP_POTENTIAL_INPUT: Readonly<PotentialInput> = Object.freeze({ kind: 'opp', cutoffLj: 3 });

/** Node features a {@link PotentialInput} adds: `[asinh(u_i / T), unit(F_i) * asinh(|F_i| / T)]`. */
export const POTENTIAL_INPUT_FEATURES = 4;

/**
 * Validates a potential input for a denoiser with these conditions (`(k, phi, T)`).
 * @returns a normalised copy (defaults filled in)
 * @throws ModelError `MODEL_BAD_CONFIG`
 */
export function checkPotentialInput(p: PotentialInput, encoders: readonly ConditionEncoder[]): ResolvedPotentialInput {
  const bad = (why: string) => new ModelError(`potentialInput ${why}, got ${describeValue(p)}`, 'MODEL_BAD_CONFIG');
  if (!p || typeof p !== 'object') throw bad(`must be { kind: 'opp', cutoffLj }`);
  if (p.kind !== 'opp') throw bad(`must have kind 'opp'`);
  if (!(Number.isFinite(p.cutoffLj) && p.cutoffLj > 0)) throw bad('must have a finite cutoffLj > 0');
  const rMin = p.minDistanceLj ?? 0.5;
  if (!(Number.isFinite(rMin) && rMin > 0 && rMin < p.cutoffLj)) throw bad('must have 0 < minDistanceLj < cutoffLj');
  if (p.params !== undefined) {
    const q = p.params;
    if (!q || !Number.isFinite(q.k) || !Number.isFinite(q.phi) || !(Number.isFinite(q.T) && q.T > 0)) throw bad('params must be { k, phi, T } with finite numbers and T > 0');
    if (encoders.length !== 0) throw new ModelError(`potentialInput.params fixes the state point of an unconditional denoiser; this one has ${encoders.length} conditions (give them instead)`, 'MODEL_BAD_CONFIG');
    return { kind: 'opp', cutoffLj: p.cutoffLj, minDistanceLj: rMin, params: { k: q.k, phi: q.phi, T: q.T } };
  }
  // Further conditions after (k, phi, T) (e.g. drawn structure conditions) do not enter the potential.
  if (encoders.length < 3) throw new ModelError(`potentialInput 'opp' needs the 3 conditions (k, phi, T) first, or fixed params; this denoiser has ${encoders.length} conditions`, 'MODEL_BAD_CONFIG');
  return { kind: 'opp', cutoffLj: p.cutoffLj, minDistanceLj: rMin };
}

/** A checked {@link PotentialInput}: defaults filled in; `params` only for an unconditional denoiser. */
export type ResolvedPotentialInput = Required<Omit<PotentialInput, 'params'>> & Pick<PotentialInput, 'params'>;

/**
 * Buffers reused by every call (the pass runs at every network evaluation; JavaScript is single-threaded
 * and the pass is synchronous, so one set serves all denoisers): allocation-free once grown.
 */
const scratch = { pairs: new PairList(), acc: new Float64Array(0) };

/**
 * Writes the potential features of one frame into `out` (`[N, 4]` from `offset * 4`):
 * `u_i = 1/2 sum_j (U(r_ij) - U(rc))` (the atom's share of the energy, shifted to 0 at the cutoff as
 * in the LAMMPS table) and `F_i = -grad_i sum U` (the OPP force on the atom), both over `T`,
 * log-compressed with `asinh` (a noisy configuration has forces of 1e6 T; the direction of `F_i` is
 * kept, only its length is compressed). A `null` `params` (the null condition of classifier-free
 * guidance) writes zeros.
 *
 * @param out - destination, float32
 * @param offset - first node (row) written
 * @param positions - `[N, 3]` of this frame, LJ units
 * @param lengths - box `[Lx, Ly, Lz]`, LJ units
 * @param params - `{ k, phi, T }` or `null`
 * @param input - from {@link checkPotentialInput}
 * @throws ModelError `MODEL_BAD_INPUT` when a box length is below twice `input.cutoffLj`
 */
export function potentialFeaturesInto(
  out: Float32Array, offset: number, positions: Float64Array | Float32Array, lengths: readonly number[],
  params: { k: number; phi: number; T: number } | null, input: ResolvedPotentialInput,
): void {
  const n = positions.length / 3;
  const o = offset * POTENTIAL_INPUT_FEATURES;
  out.fill(0, o, o + n * POTENTIAL_INPUT_FEATURES);
  if (params === null) return;
  const rc = input.cutoffLj;
  const rMin = input.minDistanceLj;
  const shift = oppEnergy(rc, params);
  // The pair sums use the minimum image, which sees every pair within rc only when rc <= L / 2: say so in the
  // model's terms rather than periodicPairs' (a user who asked for a small box sees why it cannot be sampled).
  const smallest = Math.min(lengths[0], lengths[1], lengths[2]);
  if (smallest < 2 * rc) {
    throw new ModelError(`box length ${smallest} LJ is below twice the potential input's cutoff (${rc} LJ): this model needs boxes of at least ${2 * rc} LJ on every axis`, 'MODEL_BAD_INPUT');
  }
  const pairs = periodicPairs(positions, [lengths[0], lengths[1], lengths[2]], rc, scratch.pairs);
  const invT = 1 / params.T;
  const { k, phi } = params;
  if (scratch.acc.length < 4 * n) scratch.acc = new Float64Array(4 * n);
  const acc = scratch.acc; // u, fx, fy, fz per particle
  acc.fill(0, 0, 4 * n);
  const { first, second, distances, vectors } = pairs;
  for (let e = 0; e < pairs.count; e++) {
    const r = distances[e];
    // r = 0: two coincident particles have no direction
    if (r >= rc || r === 0) continue;
    const i = first[e], j = second[e];
    // oppEnergy and oppForce of @mddm/io fused (one cos, one sin, no pow: this runs for ~10^5 pairs
    // per frame at every training and sampling step); the tests check it against oppForces
    const re = r > rMin ? r : rMin;
    const inv = 1 / re;
    const inv3 = inv * inv * inv;
    const inv15 = inv3 * inv3 * inv3 * inv3 * inv3;
    const a = k * (re - 1.25) - phi;
    const c = Math.cos(a);
    const half = 0.5 * (inv15 + inv3 * c - shift);
    const f = (15 * inv15 * inv + 3 * inv3 * inv * c + k * inv3 * Math.sin(a)) / r; // -dU/dr over r
    // vectors are x_j - x_i: repulsion (f > 0) pushes i along -(x_j - x_i) and j along +(x_j - x_i)
    const vx = f * vectors[3 * e], vy = f * vectors[3 * e + 1], vz = f * vectors[3 * e + 2];
    acc[4 * i] += half;
    acc[4 * i + 1] -= vx;
    acc[4 * i + 2] -= vy;
    acc[4 * i + 3] -= vz;
    acc[4 * j] += half;
    acc[4 * j + 1] += vx;
    acc[4 * j + 2] += vy;
    acc[4 * j + 3] += vz;
  }
  for (let i = 0; i < n; i++) {
    const u = acc[4 * i], fx = acc[4 * i + 1], fy = acc[4 * i + 2], fz = acc[4 * i + 3];
    const norm = Math.hypot(fx, fy, fz);
    const scale = norm > 0 ? Math.asinh(norm * invT) / norm : 0;
    const w = o + i * POTENTIAL_INPUT_FEATURES;
    out[w] = Math.asinh(u * invT);
    out[w + 1] = fx * scale;
    out[w + 2] = fy * scale;
    out[w + 3] = fz * scale;
  }
}
