/**
 * Writes a pretrained-model folder for `@mddm/pretrained` from a training checkpoint:
 * `DIR/checkpoint.json` + `weights-*.bin` (no optimizer state) and `DIR/model.json` (the manifest:
 * data, recipe, reproducing command, steps, recommended sampler; `quality` is kept from an existing
 * manifest, since the evaluation fills it in).
 *
 *   tsx examples/pretrained.ts --name opp-unconditional --from training/opp-unconditional/checkpoint
 *   tsx examples/pretrained.ts --name opp-conditional --from training/opp-conditional-potential/checkpoint
 *   tsx examples/pretrained.ts --name opp-unconditional-potential --from training/opp-unconditional-potential/checkpoint
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { QUALITY_SAMPLER, loadDenoiser, readCheckpoint, saveDenoiser, selectBackend } from '@mddm/model';
import { PRETRAINED_NAMES, type PretrainedManifest, type PretrainedName } from '@mddm/pretrained';
import { FAST_TRAINING } from './train-unconditional';

type Facts = Pick<PretrainedManifest, 'description' | 'conditionKeys' | 'data' | 'command'> & { statePoint?: Record<string, number>; sampler?: PretrainedManifest['sampler'] };

/** What each shipped model is and how it is reproduced (run from the repository root). */
export const PRETRAINED_FACTS: Record<PretrainedName, Facts> = {
  'opp-unconditional': {
    description: 'MDDM for the OPP system at one state point (k = 7, phi = 1, T = 0.03; N = 1000 in a 10^3 box, LJ units): the main example\'s network and recipe, trained longer on 21 independent MD frames of that state point (the thermal ensemble), with the small-noise levels drawn 3x as often; then extended below the thermal width (noise down to 0.001 LJ) on 651 frames (the 21 and 630 LAMMPS thermal continuations of them) so that its force -kT eps_hat / sigma matches the analytic one; sampling keeps to the generative range (training.sampleSigmaMinLj = 0.0101 LJ); weights: the 0.999 exponential moving average.',
    conditionKeys: [],
    statePoint: { k: 7, phi: 1, T: 0.03 },
    data: { sets: ['opp-unconditional', 'opp-state-frames', 'training/opp-state-thermal/frames.xyz.gz', 'training/opp-state-thermal/frames-2.xyz.gz'], conformations: 651 },
    command: 'tsx examples/train-unconditional.ts --data opp-unconditional,opp-state-frames --steps 17000 --minutes 90 --ema 0.999 --focus-lj 0.1 --focus-weight 3 --out training/opp-unconditional-focus (17,000 steps in 52.6 min on the quiet 2-core machine; the levels with noise std <= 0.1 LJ drawn 3 times as often as the log-sigma law gives); then the thermal frames: tsx examples/thermal-frames.ts --steps 5000 --every 500 --out training/opp-state-thermal/frames.xyz.gz and tsx examples/thermal-frames.ts --steps 10000 --every 500 --seed-base 71000 --out training/opp-state-thermal/frames-2.xyz.gz (LAMMPS NVT continuations of the 21 frames, 630 frames in 4.3 min); then the small-noise extension: tsx examples/train-forces.ts --from training/opp-unconditional-focus/checkpoint --data opp-unconditional,opp-state-frames,training/opp-state-thermal/frames.xyz.gz --sigma-min 0.001 --steps 3000 --boost 3 --sigma-max 0.01 --lr 0.001 --ema 0.999 --out training/opp-unconditional-thermal-forces (6.2 min), continued with --resume --steps 9000 --out training/opp-unconditional-thermal-forces-9000 (copy of the checkpoint; 10.5 min), then tsx examples/train-forces.ts --from training/opp-unconditional-thermal-forces-9000/checkpoint --data opp-unconditional,opp-state-frames,training/opp-state-thermal/frames.xyz.gz,training/opp-state-thermal/frames-2.xyz.gz --sigma-min 0.001 --steps 6000 --boost 3 --sigma-max 0.01 --lr 0.0005 --ema 0.999 --out training/opp-unconditional-thermal-forces-651 (11.7 min); then: tsx examples/pretrained.ts --name opp-unconditional --from training/opp-unconditional-thermal-forces-651/checkpoint --sample-sigma-min 0.010139113857366796 (the generative range\'s smallest level, which train-forces records itself from now on). opp-replicas (the evaluation frames) are not in the training data.',
  },
  'opp-unconditional-potential': {
    description: 'MDDM for the OPP system at one state point (k = 7, phi = 1, T = 0.03; N = 1000 in a 10^3 box, LJ units): the main example\'s network (8 PBC-Conv layers, k = 12) whose first layer also reads each particle\'s OPP energy and force over T on the noisy configuration (potentialInput with the state point as params, cutoff 3 LJ), trained on 651 MD frames of the state point (21 independent LAMMPS runs and 630 LAMMPS thermal continuations of them, with the 48 cube symmetries), 16,000 steps with the small-noise levels (<= 0.1 LJ) drawn 3x as often; weights: the 0.999 exponential moving average. Recommended sampler: QUALITY_SAMPLER (the Langevin corrector up to 0.8 LJ, where the potential makes the network accurate). Not for forces: it reads the analytic force, so its own force is not a learned one (use opp-unconditional).',
    conditionKeys: [],
    statePoint: { k: 7, phi: 1, T: 0.03 },
    data: { sets: ['opp-unconditional', 'opp-state-frames', 'training/opp-state-thermal/frames.xyz.gz', 'training/opp-state-thermal/frames-2.xyz.gz'], conformations: 651 },
    sampler: { ...QUALITY_SAMPLER, corrector: { ...QUALITY_SAMPLER.corrector } },
    command: 'tsx examples/train-unconditional.ts --data opp-unconditional,opp-state-frames,training/opp-state-thermal/frames.xyz.gz,training/opp-state-thermal/frames-2.xyz.gz --steps 16000 --minutes 65 --ema 0.999 --focus-lj 0.1 --focus-weight 3 --potential-input --out training/opp-unconditional-potential (the thermal frames: see opp-unconditional\'s command; the step count, not the time budget, ended the run, so the cosine learning rate is reproducible); then: tsx examples/pretrained.ts --name opp-unconditional-potential --from training/opp-unconditional-potential/checkpoint. opp-replicas (the evaluation frames) are not in the training data.',
  },
  'opp-conditional': {
    description: 'MDDM conditioned on the OPP potential (k, phi) and the temperature T over the paper\'s ranges (1 <= k <= 15, 0 <= phi <= 6, 0.01 <= T <= 0.05), trained on 252 LAMMPS conformations (the 200 of opp-train and the first 52 of opp-train-ext); FiLM conditioning, and the first layer also reads each particle\'s OPP energy and force over T on the noisy configuration (potentialInput, cutoff 3 LJ); 10% null conditions for classifier-free guidance; 20,000 steps with the small-noise levels (<= 0.1 LJ) drawn 3x as often; weights: the 0.999 exponential moving average.',
    conditionKeys: ['k', 'phi', 'T'],
    data: { sets: ['opp-train', 'opp-train-ext'], conformations: 252 },
    command: 'tsx examples/train-conditional.ts --steps 20000 --focus-lj 0.1 --clip-norm 1 --potential-input --ext-sets 52 --out training/opp-conditional-potential (one call, alone on the machine); then: tsx examples/pretrained.ts --name opp-conditional --from training/opp-conditional-potential/checkpoint. The cosine learning rate follows the step count, so the run is reproducible on any machine. The previous release (FiLM only, 116,000 steps on opp-train) is reproduced by the command in its quality.previousRelease entry and docs/conditional.md.',
  },
};

/**
 * Exports `from` (a training checkpoint) as the pretrained model `name` into `dir`.
 * @returns the manifest written
 */
export async function exportPretrained(name: PretrainedName, from: string, dir = join('packages', 'pretrained', 'models', name), sampleSigmaMinLj?: number): Promise<PretrainedManifest> {
  await selectBackend('wasm');
  const denoiser = await loadDenoiser(from);
  // A checkpoint written before train recorded `sampleSigmaMinLj` (a force extension's generative range) gets it here.
  if (sampleSigmaMinLj !== undefined && denoiser.training) denoiser.training = { ...denoiser.training, sampleSigmaMinLj };
  const checkpoint = await readCheckpoint(from);
  const state = checkpoint.manifest.state as { step?: number; fingerprint?: Record<string, unknown> } | undefined;
  const old = existsSync(join(dir, 'model.json')) ? (JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as PretrainedManifest) : undefined;
  await saveDenoiser(denoiser, dir); // weights only: no optimizer state in the shipped folder
  const spec = denoiser.toSpec();
  const manifest: PretrainedManifest = {
    format: 'mddm-pretrained', version: 1, name, ...PRETRAINED_FACTS[name],
    recipe: { model: { ...spec, training: undefined }, training: { ...(spec.training ?? {}), schedule: { name: spec.training?.schedule.name, T: spec.training?.schedule.T }, conditionRows: undefined, fingerprint: state?.fingerprint } },
    steps: state?.step ?? checkpoint.manifest.optimizer?.step ?? 0,
    trainingMinutes: old?.trainingMinutes ?? NaN,
    machine: '2-core x86-64 (shared with other jobs), Node 20, TensorFlow.js wasm backend',
    sampler: old?.sampler ?? PRETRAINED_FACTS[name].sampler ?? { steps: FAST_TRAINING.sampleSteps, spacing: 'log-sigma', corrector: FAST_TRAINING.corrector },
    ...(old?.init ? { init: old.init } : {}),
    ...(old?.forces ? { forces: old.forces } : {}),
    quality: old?.quality ?? {},
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(manifest, null, 1) + '\n');
  denoiser.dispose();
  return manifest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { name: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' }, 'sample-sigma-min': { type: 'string' } } });
  if (!(PRETRAINED_NAMES as readonly string[]).includes(values.name ?? '')) throw new Error(`--name must be one of ${PRETRAINED_NAMES.join(', ')}`);
  if (!values.from) throw new Error('--from CHECKPOINT_DIR is required');
  const sampleSigmaMin = values['sample-sigma-min'] === undefined ? undefined : Number(values['sample-sigma-min']);
  if (sampleSigmaMin !== undefined && !(sampleSigmaMin > 0)) throw new Error(`--sample-sigma-min must be a noise std > 0 (LJ), got ${values['sample-sigma-min']}`);
  const m = await exportPretrained(values.name as PretrainedName, values.from, values.out, sampleSigmaMin);
  console.log(`wrote ${values.out ?? join('packages', 'pretrained', 'models', m.name)} (${m.steps} steps)`);
}
