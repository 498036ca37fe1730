import { describeValue } from '@mddm/core';
import { Denoiser, mddmDenoiserFromSpec, type DenoiserSpec } from './denoiser';
import type { DenoiserLike, DenoiserSpecBase } from './denoiserLike';
import { ModelError } from './errors';
import { transolverFromSpec, type TransolverSpec } from './transolver/transolver';
import { energyDenoiserFromSpec } from './energyDenoiser';
import { noiseBandDenoiserFromSpec, type NoiseBandSpec } from './noiseBandDenoiser';

/** Rebuilds a denoiser of one architecture from its spec (fresh weights). */
export type DenoiserFactory = (spec: DenoiserSpecBase) => DenoiserLike;

const factories = new Map<string, DenoiserFactory>([
  ['mddm', (spec) => mddmDenoiserFromSpec(spec as DenoiserSpec)],
  ['transolver', (spec) => transolverFromSpec(spec as TransolverSpec)],
  ['energy', (spec) => energyDenoiserFromSpec(spec as DenoiserSpec)],
  ['noise-band', (spec) => noiseBandDenoiserFromSpec(spec as NoiseBandSpec, denoiserFromSpec)],
]);
const BUILT_IN = new Set(factories.keys());

/**
 * Registers an architecture so that {@link denoiserFromSpec}, `loadDenoiser` and the `mddm` CLI can
 * rebuild it from a checkpoint. Call it once, before loading, with the `kind` your `toSpec()` writes.
 *
 * @param kind - the architecture name (`spec.kind`); `'mddm'`, `'transolver'`, `'energy'` and `'noise-band'` are built in
 * @param factory - rebuilds a denoiser (fresh weights) from its spec; throw `ModelError` for a bad spec
 * @throws ModelError `MODEL_BAD_CONFIG` for an empty kind or a built-in kind
 */
export function registerDenoiserKind(kind: string, factory: DenoiserFactory): void {
  if (typeof kind !== 'string' || kind.length === 0) throw new ModelError(`kind must be a non-empty string, got ${describeValue(kind)}`, 'MODEL_BAD_CONFIG');
  if (BUILT_IN.has(kind)) throw new ModelError(`kind '${kind}' is built in and cannot be replaced`, 'MODEL_BAD_CONFIG');
  if (typeof factory !== 'function') throw new ModelError(`factory must be a function (spec) => denoiser, got ${describeValue(factory)}`, 'MODEL_BAD_CONFIG');
  factories.set(kind, factory);
}

/** @returns the registered architecture names */
export function denoiserKinds(): string[] {
  return [...factories.keys()];
}

/**
 * Rebuilds a denoiser from its spec (`toSpec()`, or `checkpoint.json`'s `spec`) with fresh
 * weights; load them with `setWeights` (or use `loadDenoiser`). Dispatches on `spec.kind`
 * (absent: `'mddm'`) through the registry ({@link registerDenoiserKind}).
 *
 * @throws ModelError `MODEL_CHECKPOINT_CORRUPT` if this is not a denoiser spec, `MODEL_BAD_CONFIG`
 *   for an unknown kind, and the architecture's own errors for bad fields
 */
export function denoiserFromSpec(spec: DenoiserSpec): Denoiser;
export function denoiserFromSpec(spec: DenoiserSpecBase): DenoiserLike;
export function denoiserFromSpec(spec: DenoiserSpecBase): DenoiserLike {
  if (!spec || typeof spec !== 'object' || spec.format !== 'mddm-denoiser' || spec.version !== 1) {
    throw new ModelError(`not an mddm-denoiser spec (version 1): ${describeValue(spec)}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  const kind = spec.kind ?? 'mddm';
  const factory = factories.get(kind);
  if (!factory) {
    throw new ModelError(`unknown denoiser kind ${describeValue(kind)} (registered: ${denoiserKinds().join(', ')}); call registerDenoiserKind first`, 'MODEL_BAD_CONFIG');
  }
  return factory(spec);
}
