/**
 * The `--denoiser mddm|transolver` choice of the examples: the same training and sampling code,
 * either network (both implement `DenoiserLike` of `@mddm/model`).
 */
import { createDenoiser, createTransolver, type DenoiserConfig, type DenoiserLike, type TransolverConfig } from '@mddm/model';

/** Denoisers the examples can train. */
export const DENOISER_KINDS = ['mddm', 'transolver'] as const;
/** One of {@link DENOISER_KINDS}. */
export type DenoiserKind = (typeof DENOISER_KINDS)[number];

/**
 * Validates a `--denoiser` value.
 * @throws Error naming the allowed values
 */
export function parseDenoiserKind(value: string | undefined, fallback: DenoiserKind = 'mddm'): DenoiserKind {
  const v = value ?? fallback;
  if (!(DENOISER_KINDS as readonly string[]).includes(v)) throw new Error(`--denoiser must be one of ${DENOISER_KINDS.join(', ')}, got '${v}'`);
  return v as DenoiserKind;
}

/**
 * Creates the chosen network. The Transolver gets the paper's baseline size (about 128k
 * parameters) and the MDDM config's time encoding and conditions, so only the architecture differs.
 */
export function createChosenDenoiser(kind: DenoiserKind, mddm: DenoiserConfig, transolver: TransolverConfig = {}): DenoiserLike {
  if (kind === 'mddm') return createDenoiser(mddm);
  return createTransolver({
    timeEncoding: mddm.timeEncoding, seed: mddm.seed, conditionEncoders: mddm.conditionEncoders, conditionRanges: mddm.conditionRanges,
    conditions: mddm.conditionEncoders ? undefined : mddm.conditions, nullCondition: mddm.nullCondition, ...transolver,
  });
}
