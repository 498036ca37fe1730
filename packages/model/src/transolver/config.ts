import { describeValue } from '@mddm/core';
import type { TimeEncoding } from '@mddm/schedules';
import { checkEncoders, encodedWidth, type ConditionEncoder } from '../conditions';
import { ModelError, checkInt } from '../errors';

/**
 * Configuration of {@link createTransolver}. Every field is optional; the defaults give 128,483
 * parameters unconditionally (the paper's baseline had 128,867, architecture not stated; SPEC §7).
 */
export interface TransolverConfig {
  /** Width of the token (per-point) features (default 64). */
  hidden?: number;
  /** Number of Transolver blocks (default 4). */
  layers?: number;
  /** Attention heads; `hidden` must be a multiple (default 8: 8 features per head). */
  heads?: number;
  /** Physics-Attention slices M per head (default 32). */
  slices?: number;
  /** Hidden width of every block's MLP as a multiple of `hidden` (default 2). */
  mlpRatio?: number;
  /** Number of raw conditions (default 0). Use `conditionEncoders` for non-linear encodings. */
  conditions?: number;
  /** Range `[lo, hi]` of every condition, fed as `(c - lo)/(hi - lo)` (default `[0, 1]`). */
  conditionRanges?: [number, number][];
  /** Encoding of every condition (overrides `conditionRanges`; its length sets `conditions`). */
  conditionEncoders?: ConditionEncoder[];
  /** Reserve a null condition for classifier-free guidance (default false). */
  nullCondition?: boolean;
  /** Time input encoding (default `'t/T'`). */
  timeEncoding?: TimeEncoding;
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
}

/** {@link TransolverConfig} with every default filled in and checked (what specs store). */
export interface ResolvedTransolverConfig {
  hidden: number;
  layers: number;
  heads: number;
  slices: number;
  mlpRatio: number;
  conditions: number;
  conditionEncoders: ConditionEncoder[];
  nullCondition: boolean;
  timeEncoding: TimeEncoding;
  seed: number;
}

/**
 * Fills in and checks a {@link TransolverConfig}.
 * @throws ModelError `MODEL_BAD_CONFIG` naming the bad field
 */
export function resolveTransolverConfig(config: TransolverConfig = {}): ResolvedTransolverConfig {
  if (!config || typeof config !== 'object') throw new ModelError(`Transolver config must be an object, got ${describeValue(config)}`, 'MODEL_BAD_CONFIG');
  const hidden = checkInt(config.hidden ?? 64, 'hidden', 1, 4096);
  const layers = checkInt(config.layers ?? 4, 'layers', 1, 64);
  const heads = checkInt(config.heads ?? 8, 'heads', 1, hidden);
  if (hidden % heads !== 0) throw new ModelError(`hidden (${hidden}) must be a multiple of heads (${heads})`, 'MODEL_BAD_CONFIG');
  const slices = checkInt(config.slices ?? 32, 'slices', 1, 4096);
  const mlpRatio = checkInt(config.mlpRatio ?? 2, 'mlpRatio', 1, 64);
  const ranges = config.conditionRanges;
  let encoders: ConditionEncoder[];
  if (config.conditionEncoders) {
    encoders = checkEncoders(config.conditionEncoders);
    if (config.conditions !== undefined && config.conditions !== encoders.length) {
      throw new ModelError(`conditions (${config.conditions}) must equal conditionEncoders.length (${encoders.length})`, 'MODEL_BAD_CONFIG');
    }
  } else {
    const n = checkInt(config.conditions ?? ranges?.length ?? 0, 'conditions', 0, 1000);
    if (ranges && ranges.length !== n) throw new ModelError(`conditionRanges must have one [lo, hi] per condition (${n}), got ${describeValue(ranges)}`, 'MODEL_BAD_CONFIG');
    encoders = checkEncoders(Array.from({ length: n }, (_, i) => ({ kind: 'linear', range: ranges ? ranges[i] : [0, 1] }) as ConditionEncoder), 'conditionRanges');
  }
  const nullCondition = config.nullCondition ?? false;
  if (nullCondition && encoders.length === 0) throw new ModelError(`nullCondition needs a conditional denoiser (conditions > 0)`, 'MODEL_BAD_CONFIG');
  const timeEncoding = config.timeEncoding ?? 't/T';
  if (timeEncoding !== 't/T' && timeEncoding !== 'log-sigma') throw new ModelError(`timeEncoding must be 't/T' | 'log-sigma', got ${describeValue(timeEncoding)}`, 'MODEL_BAD_CONFIG');
  const seed = checkInt(config.seed ?? 0, 'seed', 0, 2 ** 31 - 1);
  return { hidden, layers, heads, slices, mlpRatio, conditions: encoders.length, conditionEncoders: encoders, nullCondition, timeEncoding, seed };
}

/** Width G of the global input `[time, encoded conditions..., (flag)]` of a resolved config. */
export function transolverGlobalFeatures(c: ResolvedTransolverConfig): number {
  return 1 + c.conditionEncoders.reduce((s, e) => s + encodedWidth(e), 0) + (c.nullCondition ? 1 : 0);
}
