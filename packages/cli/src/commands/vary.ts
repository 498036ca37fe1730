import { writeXyz } from '@mddm/io';
import { variation } from '@mddm/model';
import { meanDisplacement } from '@mddm/pbc';
import { rdf, rdfMse } from '@mddm/rdf';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CONDITION_FLAGS, conditionInfo, resolveConditions } from '../conditions';
import { checkWritable, pickFrame, readFrames } from '../frames';
import { resolveModel } from '../models';
import type { CliIo } from '../io';
import { recommendedSampler, samplerFromFlags, SAMPLER_FLAGS, SAMPLER_HELP } from '../sampler';

export const VARY_HELP = `mddm vary: variations of a conformation (DynamicsDiffusion Alg. 2, SDEdit): noise it to a level, denoise

Usage:
  mddm vary --model NAME|DIR --in frame.xyz --sigma S --out variations.xyz [options]

  --model NAME|DIR   pretrained model (opp-unconditional, opp-conditional) or a checkpoint directory
  --in FILE          extended XYZ input; --frame I picks the frame (default 0)
  --sigma S          noise std in LJ units to noise the conformation to (0.05-0.1 keeps its
                     arrangement, >= 0.3 gives new structures; at most the largest trained level)
  --count C          variations (default 1)
  --seed S           seed of the noise (default 0)
  --k, --phi, --T    conditions of a conditional model (default: the frame's k, phi, T)
  --gPeak, --coordination  structure conditions of a model trained with them (g(r) main peak,
                     first-shell coordination; default: drawn from the training frames nearest in k, phi, T)
  --out FILE         extended XYZ output (Lattice, pbc, the conditions, sigma and the source frame)
${SAMPLER_HELP}

Prints per variation its RDF-MSE against the original and the mean minimum-image displacement of
the particles from the original (LJ units), then 'NFE: <n>' and the time.`;

const FLAGS: FlagSpec = {
  model: { type: 'string' }, in: { type: 'string' }, frame: { type: 'string' }, sigma: { type: 'string' }, count: { type: 'string' },
  seed: { type: 'string' }, out: { type: 'string' }, ...CONDITION_FLAGS, ...SAMPLER_FLAGS,
};

/** `mddm vary`: see {@link VARY_HELP}. @returns the exit code */
export async function varyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('vary', args, FLAGS);
  if (values.help) return io.say(VARY_HELP), 0;
  const modelName = requiredFlag('vary', values, 'model', 'a pretrained name or a checkpoint directory');
  const input = requiredFlag('vary', values, 'in', 'the extended XYZ conformation to vary');
  const out = requiredFlag('vary', values, 'out', 'the extended XYZ file to write');
  const sigmaLj = numberFlag('vary', values, 'sigma', { min: 0, exclusiveMin: true });
  if (sigmaLj === undefined) requiredFlag('vary', values, 'sigma', 'noise std in LJ units');
  const frameIndex = numberFlag('vary', values, 'frame', { integer: true, min: 0 }) ?? 0;
  const count = numberFlag('vary', values, 'count', { integer: true, min: 1 }) ?? 1;
  const seed = numberFlag('vary', values, 'seed', { integer: true, min: 0 }) ?? 0;
  checkWritable('vary', out);
  const frame = pickFrame('vary', await readFrames('vary', input), frameIndex, input);
  const model = await resolveModel('vary', modelName);
  try {
    const conditions = resolveConditions('vary', model, values, io, frame.info);
    const sampler = samplerFromFlags('vary', values, recommendedSampler(model), model, conditions);
    const bar = io.progress(count, 'vary');
    const started = performance.now();
    const v = await variation(model.denoiser, frame.positions, frame.box, {
      ...sampler.options, sigmaLj, count, batchSize: 1, seed, conditions,
      onProgress: (p) => { if (p.step === p.steps) bar.tick(1); },
      onWarning: (m) => io.warn(`warning: ${m}`),
    });
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const original = rdf(frame.positions, frame.box);
    v.positions.forEach((x, i) => {
      const mse = rdfMse(rdf(x, frame.box), original);
      io.say(`variation ${i}: RDF-MSE vs original ${mse.toFixed(4)}, mean displacement ${meanDisplacement(frame.positions, x, frame.box).toFixed(3)} LJ`);
    });
    await writeXyz(out, v.positions.map((positions, i) => ({
      positions, box: frame.box,
      info: { ...conditionInfo(model, v.conditions?.[i] ?? conditions), generator: 'mddm vary', model: modelName, source: `${input}#${frameIndex}`, sigma: v.sigmaLj, t: v.t, seed, index: i, sampler: sampler.name, NFE: v.evaluations },
    })));
    io.say(`sigma: ${v.sigmaLj.toPrecision(4)} LJ (timestep ${v.t})`);
    io.say(`NFE: ${v.evaluations}`);
    io.say(`time: ${seconds.toFixed(2)} s`);
    io.say(`wrote ${out} (${count} variation${count > 1 ? 's' : ''})`);
    return 0;
  } finally {
    model.denoiser.dispose();
  }
}
