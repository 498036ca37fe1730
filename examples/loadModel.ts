/**
 * `--model NAME|DIR` of the issue-13 examples: a pretrained model of `packages/pretrained/models/`
 * (its checkpoint and its manifest's recommended sampler) or any checkpoint directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUALITY_SAMPLER, loadDenoiser, type DenoiserLike, type SampleOptions } from '@mddm/model';

/** A loaded model and the sampler to use with it. */
export interface ExampleModel {
  denoiser: DenoiserLike;
  /** The manifest's recommended sampler, else 60 log-sigma steps with the default corrector of the main example. */
  sampler: Pick<SampleOptions, 'sampler' | 'steps' | 'spacing' | 'corrector'>;
  /**
   * The recommended sampler if it is the ancestral one, else `QUALITY_SAMPLER`: for inpainting, which
   * runs the ancestral predictor only (the setting its figures were measured with).
   */
  ancestralSampler: { steps?: number; spacing?: 'uniform' | 'log-sigma'; corrector?: SampleOptions['corrector'] };
}

const DEFAULT_SAMPLER: ExampleModel['sampler'] = { steps: 60, spacing: 'log-sigma', corrector: { steps: 30, r: 0.4, sigmaMaxLj: 0.3 } };

/** Loads `name` (pretrained name or checkpoint directory). */
export async function loadModel(name: string): Promise<ExampleModel> {
  const pretrained = fileURLToPath(new URL(`../packages/pretrained/models/${name}`, import.meta.url));
  const dir = existsSync(pretrained) ? pretrained : name;
  if (!existsSync(dir)) throw new Error(`model ${name}: neither a pretrained model (packages/pretrained/models/${name}) nor a directory`);
  const denoiser = await loadDenoiser(dir);
  const manifestFile = join(dir, 'model.json');
  const sampler: ExampleModel['sampler'] = existsSync(manifestFile) ? { ...DEFAULT_SAMPLER, ...JSON.parse(readFileSync(manifestFile, 'utf8')).sampler } : DEFAULT_SAMPLER;
  const { sampler: kind, ...rest } = sampler;
  const ancestralSampler = kind === undefined || kind === 'ancestral'
    ? rest as ExampleModel['ancestralSampler']
    : { steps: QUALITY_SAMPLER.steps, spacing: QUALITY_SAMPLER.spacing, corrector: { ...QUALITY_SAMPLER.corrector } };
  return { denoiser, sampler, ancestralSampler };
}
