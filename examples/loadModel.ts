/**
 * `--model NAME|DIR` of the issue-13 examples: a pretrained model of `packages/pretrained/models/`
 * (its checkpoint and its manifest's recommended sampler) or any checkpoint directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BALANCED_SAMPLER, FAST_SAMPLER, QUALITY_SAMPLER, loadDenoiser, type DenoiserLike, type SampleOptions } from '@mddm/model';

/** A loaded model and the sampler to use with it. */
export interface ExampleModel {
  denoiser: DenoiserLike;
  /** The manifest's recommended sampler, else `BALANCED_SAMPLER` (as `mddm sample` for a checkpoint without a manifest). */
  sampler: Pick<SampleOptions, 'sampler' | 'steps' | 'spacing' | 'corrector'>;
}

/** The measured presets by their `--sampler` names (as in `mddm sample`). */
export const SAMPLER_PRESETS = { fast: FAST_SAMPLER, balanced: BALANCED_SAMPLER, quality: QUALITY_SAMPLER } as const;

/**
 * Loads `name` (pretrained name or checkpoint directory).
 * @param preset - a preset name of {@link SAMPLER_PRESETS} instead of the recommended sampler
 */
export async function loadModel(name: string, preset?: string): Promise<ExampleModel> {
  const pretrained = fileURLToPath(new URL(`../packages/pretrained/models/${name}`, import.meta.url));
  const dir = existsSync(pretrained) ? pretrained : name;
  if (!existsSync(dir)) throw new Error(`model ${name}: neither a pretrained model (packages/pretrained/models/${name}) nor a directory`);
  if (preset !== undefined && !(preset in SAMPLER_PRESETS)) throw new Error(`--sampler must be one of ${Object.keys(SAMPLER_PRESETS).join(', ')}, got '${preset}'`);
  const denoiser = await loadDenoiser(dir);
  const manifestFile = join(dir, 'model.json');
  const recommended: ExampleModel['sampler'] = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')).sampler ?? BALANCED_SAMPLER : BALANCED_SAMPLER;
  const sampler = preset === undefined ? recommended : SAMPLER_PRESETS[preset as keyof typeof SAMPLER_PRESETS];
  return { denoiser, sampler: structuredClone(sampler) as ExampleModel['sampler'] };
}
