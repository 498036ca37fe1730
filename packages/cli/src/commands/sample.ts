import { writeXyz, type Frame } from '@mddm/io';
import type { SampleOptions } from '@mddm/model';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CliError } from '../errors';
import { resolveModel } from '../models';
import { CONDITION_FLAGS, conditionInfo, resolveConditions } from '../conditions';
import { checkWritable } from '../frames';
import type { CliIo } from '../io';
import { recommendedSampler, samplerFromFlags, SAMPLER_FLAGS, SAMPLER_HELP } from '../sampler';
import { INIT_FLAGS, INIT_HELP, initLabel, loadPool, resolveInit, runInit } from '../init';
import { maybeSlurmSample, SLURM_SAMPLE_FLAGS, SLURM_SAMPLE_HELP } from '../slurmSample';

export const SAMPLE_HELP = `mddm sample: generate conformations and write them as extended XYZ

Usage:
  mddm sample --model NAME|DIR [--k K --phi PHI --T T] [options] --out FILE.xyz

  --model NAME|DIR   pretrained model (opp-conditional, opp-unconditional, opp-unconditional-potential)
                     or a checkpoint directory
  --k, --phi, --T    conditions of a conditional model (OPP: frequency k, phase phi, temperature T)
  --gPeak, --coordination  structure conditions of a model trained with them (g(r) main peak,
                     first-shell coordination; default: drawn from the training frames nearest in k, phi, T)
  --n N              particles per conformation (default 1000)
  --box L            cubic box side in LJ units (default: the training box, 10)
  --count C          conformations (default 1)
  --seed S           seed of the noise (default 0)
  --out FILE         extended XYZ output (Lattice, pbc and the conditions in each frame's info)
${INIT_HELP}
${SAMPLER_HELP}
${SLURM_SAMPLE_HELP}
Prints 'NFE: <n>' (network evaluations per conformation) and the time; progress goes to stderr.`;

const FLAGS: FlagSpec = {
  model: { type: 'string' }, ...CONDITION_FLAGS, n: { type: 'string' }, box: { type: 'string' },
  count: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, ...SAMPLER_FLAGS, ...SLURM_SAMPLE_FLAGS, ...INIT_FLAGS,
};

/** `mddm sample`: see {@link SAMPLE_HELP}. @returns the exit code */
export async function sampleCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('sample', args, FLAGS);
  if (values.help) return io.say(SAMPLE_HELP), 0;
  const modelName = requiredFlag('sample', values, 'model', 'a pretrained name or a checkpoint directory');
  const out = requiredFlag('sample', values, 'out', 'the extended XYZ file to write');
  const n = numberFlag('sample', values, 'n', { integer: true, min: 2 }) ?? 1000;
  const boxSide = numberFlag('sample', values, 'box', { min: 0, exclusiveMin: true });
  const count = numberFlag('sample', values, 'count', { integer: true, min: 1 }) ?? 1;
  const seed = numberFlag('sample', values, 'seed', { integer: true, min: 0 }) ?? 0;
  checkWritable('sample', out);
  // --executor slurm (slurmSample.ts): array tasks run this command for shares of --count, then one gather.
  const onSlurm = await maybeSlurmSample(values, { out, count, seed, n, model: modelName }, io);
  if (onSlurm !== undefined) return onSlurm;
  const model = await resolveModel('sample', modelName);
  try {
    const d = model.denoiser;
    const conditions = resolveConditions('sample', model, values, io);
    const trainedBox = d.training?.box?.[0] ?? 10;
    const L = boxSide ?? trainedBox;
    const sampler = samplerFromFlags('sample', values, recommendedSampler(model), model, conditions);
    const init = d.conditions > 0 ? resolveInit('sample', model, values, n, L) : resolveInit('sample', model, { ...values, init: values.init ?? 'noise' }, n, L);
    // one set of conditions for the whole run: only the frames it can start from are loaded
    const near = conditions !== undefined && conditions.length > 0 ? { denoiser: d, conditions } : undefined;
    const pool = init.kind === 'nearest-md' ? await loadPool(init, near) : undefined;
    const bar = io.progress(count, 'sample');
    const started = performance.now();
    const options: SampleOptions = {
      ...sampler.options, n, box: L, count, batchSize: 1, seed, conditions,
      onProgress: (p) => { if (p.step === p.steps) bar.tick(1); },
      onWarning: (m) => io.warn(`warning: ${m}`),
    };
    const result = await runInit(init, pool?.pool, d, options);
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const info = (i: number): Frame['info'] => ({
      ...conditionInfo(model, result.conditions?.[i] ?? conditions),
      generator: 'mddm', model: modelName, seed, index: i, sampler: sampler.name, NFE: result.evaluations,
      ...(result.starts ? { init: initLabel(init)!, start: pool!.ids[result.starts[i]] } : {}),
    });
    await writeXyz(out, result.positions.map((positions, i) => ({ positions, box: [L, L, L], info: info(i) })));
    io.say(`NFE: ${result.evaluations}`);
    io.say(`time: ${seconds.toFixed(2)} s (${(seconds / count).toFixed(2)} s per conformation of ${n} particles)`);
    io.say(`wrote ${out} (${count} conformation${count > 1 ? 's' : ''})`);
    return 0;
  } finally {
    model.denoiser.dispose();
  }
}
