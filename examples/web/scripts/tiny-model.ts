/**
 * Writes a pretrained-model folder in the `@mddm/pretrained` format (`<dir>/<name>/model.json` +
 * the checkpoint of `saveDenoiser`) from a freshly created, untrained denoiser: what the page's
 * tests and the benchmark use until the trained weights are in `packages/pretrained/models/`.
 * Needs a TensorFlow.js backend selected (`selectBackend()` of @mddm/model).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDenoiser, OPP_CONDITION_ENCODERS, saveDenoiser, type DenoiserConfig, type SampleOptions } from '@mddm/model';
import type { PretrainedManifest, PretrainedName } from '@mddm/pretrained';

/** A very small network: fast enough for an end-to-end test on a busy machine. */
export const TINY_MODEL: DenoiserConfig = { k: 8, layers: 2, width: 8, hidden: [8], headHidden: [16], seed: 7 };

/** Options of {@link writeUntrainedModel}. */
export interface UntrainedModelOptions {
  /** Model folder name (default `'opp-unconditional'`; `'opp-conditional'` adds the k, phi, T conditions). */
  name?: PretrainedName;
  /** Denoiser configuration (default {@link TINY_MODEL}). */
  model?: DenoiserConfig;
  /** The manifest's recommended sampler (default 5 uniform steps, no corrector). */
  sampler?: Pick<SampleOptions, 'steps' | 'spacing' | 'corrector'>;
  /** The manifest's default start (`PretrainedManifest.init`; default none: uniform noise). */
  init?: PretrainedManifest['init'];
}

/** Creates `<dir>/<name>/` and returns its path. */
export async function writeUntrainedModel(dir: string, options: UntrainedModelOptions = {}): Promise<string> {
  const name = options.name ?? 'opp-unconditional';
  const conditional = name === 'opp-conditional';
  // the conditional one reads the potential too, like the shipped model, so the browser runs potentialFeaturesInto
  const config: DenoiserConfig = {
    ...(options.model ?? TINY_MODEL),
    ...(conditional ? { conditionEncoders: [...OPP_CONDITION_ENCODERS], potentialInput: { kind: 'opp', cutoffLj: 3 } } : {}) };
  const denoiser = createDenoiser(config);
  if (options.init) {
    // a nearest-md start noises an MD frame to init.sigmaLj on the model's schedule: record one (20 steps, sigma up to ~1.7 LJ at box 10)
    denoiser.training = {
      n: 1000, box: [10, 10, 10], density: 1, target: 'eps', ...(conditional ? { conditionKeys: ['k', 'phi', 'T'] } : {}),
      schedule: { name: 'tiny', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) },
    };
  }
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  try {
    await saveDenoiser(denoiser, out);
  } finally {
    denoiser.dispose();
  }
  const manifest: PretrainedManifest = {
    format: 'mddm-pretrained',
    version: 1,
    name,
    description: `Untrained ${conditional ? 'conditional' : 'unconditional'} test network (random weights)`,
    conditionKeys: conditional ? ['k', 'phi', 'T'] : [],
    ...(conditional ? {} : { statePoint: { k: 7, phi: 1, T: 0.03 } }),
    data: { sets: [], conformations: 0 },
    recipe: { model: config as Record<string, unknown>, training: {} },
    command: 'examples/web/scripts/tiny-model.ts (untrained)',
    steps: 0,
    trainingMinutes: 0,
    machine: 'none',
    sampler: options.sampler ?? { steps: 5, spacing: 'uniform' },
    ...(options.init ? { init: options.init } : {}),
    quality: {},
  };
  await writeFile(join(out, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return out;
}
