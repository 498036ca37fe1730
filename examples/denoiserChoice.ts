/**
 * The `--denoiser mddm|transolver|energy` choice of the examples: the same training and sampling code,
 * any of the networks (all implement `DenoiserLike` of `@mddm/model`).
 */
import { createDenoiser, createEnergyDenoiser, createTransolver, type DenoiserConfig, type DenoiserLike, type EnergyOutput, type TransolverConfig } from '@mddm/model';
import type { NoiseSchedule } from '@mddm/schedules';

/** Denoisers the examples can train. */
export const DENOISER_KINDS = ['mddm', 'transolver', 'energy'] as const;
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
 * The energy denoiser (`eps = sigma grad_x E`, issue 13) gets the MDDM config's graph (k, layers,
 * width, edge-MLP and head widths) with its own smooth activation and mean aggregation; it needs the
 * training schedule and box length (`energy`), which fix sigma from its log-sigma time input.
 */
export function createChosenDenoiser(
  kind: DenoiserKind, mddm: DenoiserConfig, transolver: TransolverConfig = {}, energy?: { schedule: NoiseSchedule; boxLength: number; output?: EnergyOutput },
): DenoiserLike {
  if (kind === 'mddm') return createDenoiser(mddm);
  if (mddm.potentialInput) throw new Error(`--potential-input is a feature of the MDDM denoiser, not of --denoiser ${kind}`);
  if (mddm.globalContext) throw new Error(`--global-context is a feature of the MDDM denoiser, not of --denoiser ${kind}`);
  if (kind === 'energy') {
    if (!energy) throw new Error('--denoiser energy needs the training schedule and box length');
    if (mddm.conditions || mddm.conditionEncoders) throw new Error('--denoiser energy is unconditional here');
    return createEnergyDenoiser({
      k: mddm.k, layers: mddm.layers, width: mddm.width, hidden: mddm.hidden, headHidden: mddm.headHidden, seed: mddm.seed, ...energy,
    });
  }
  return createTransolver({
    timeEncoding: mddm.timeEncoding, seed: mddm.seed, conditionEncoders: mddm.conditionEncoders, conditionRanges: mddm.conditionRanges,
    conditions: mddm.conditionEncoders ? undefined : mddm.conditions, nullCondition: mddm.nullCondition, ...transolver,
  });
}
