import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_MANIFEST, loadDenoiser, type DenoiserLike } from '@mddm/model';
import { PRETRAINED_NAMES, loadPretrained, type PretrainedManifest } from '@mddm/pretrained';
import { CliError } from './errors';

/** A model the CLI can sample from: a pretrained one (with its manifest) or a checkpoint directory. */
export interface CliModel {
  /** The denoiser (caller disposes). */
  denoiser: DenoiserLike;
  /** What `--model` named. */
  name: string;
  /** Manifest of a pretrained model (recommended sampler, condition names, measured quality). */
  manifest?: PretrainedManifest;
}

/**
 * Resolves `--model`: a pretrained name (see `PRETRAINED_NAMES`) or a directory holding a checkpoint
 * written by `train` / `saveDenoiser`.
 * @throws CliError `CLI_NOT_FOUND` naming the pretrained models when it is neither
 */
export async function resolveModel(command: string, name: string): Promise<CliModel> {
  if ((PRETRAINED_NAMES as readonly string[]).includes(name)) {
    const { denoiser, manifest } = await loadPretrained(name as (typeof PRETRAINED_NAMES)[number]);
    return { denoiser, name, manifest };
  }
  if (existsSync(name) && statSync(name).isDirectory()) {
    if (!existsSync(join(name, CHECKPOINT_MANIFEST))) {
      throw new CliError(`mddm ${command}: --model ${name} is a directory without a ${CHECKPOINT_MANIFEST} (not a checkpoint)`, 'CLI_NOT_FOUND');
    }
    return { denoiser: await loadDenoiser(name), name };
  }
  throw new CliError(`mddm ${command}: unknown model '${name}'; expected a pretrained model (${PRETRAINED_NAMES.join(', ')}) or a checkpoint directory`, 'CLI_NOT_FOUND');
}

/** The names of a model's conditions: from its manifest, its training record, or c0, c1, ... */
export function conditionNames(model: CliModel): string[] {
  const d = model.denoiser;
  const keys = model.manifest?.conditionKeys ?? d.training?.conditionKeys;
  if (keys && keys.length === d.conditions) return [...keys];
  return Array.from({ length: d.conditions }, (_, i) => `c${i}`);
}
