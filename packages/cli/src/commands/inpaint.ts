import { writeXyz, type Frame } from '@mddm/io';
import { INPAINT_SAMPLER, inpaintSample } from '@mddm/model';
import { rdf, rdfMse } from '@mddm/rdf';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CONDITION_FLAGS, completeConditions, conditionInfo, resolveConditions } from '../conditions';
import { CliError } from '../errors';
import { checkWritable, pickFrame, readFrames } from '../frames';
import { resolveModel } from '../models';
import type { CliIo } from '../io';
import { recommendedSampler, samplerFromFlags } from '../sampler';

export const INPAINT_HELP = `mddm inpaint: keep some particles of a conformation, regenerate the rest consistently with them
(DynamicsDiffusion Alg. 1 on the wrapped VE process; RePaint resampling as an option)

Usage:
  mddm inpaint --model NAME|DIR --in frame.xyz (--keep AXIS<F | AXIS>F | --indices LIST) --out FILE.xyz [options]

  --model NAME|DIR   pretrained model (opp-unconditional, opp-conditional) or a checkpoint directory
  --in FILE          extended XYZ input; --frame I picks the frame (default 0)
  --keep x<0.5       keep the particles whose x (or y, z) is below (<) or above (>) a fraction of the box
  --indices LIST     or keep these particles: 0-based indices and ranges, e.g. 0-99,120,130-139
  --count C          conformations generated around the same kept particles (default 1)
  --seed S           seed of the noise (default 0)
  --sampler NAME     as for mddm sample, but pc (default) is the model's recommended sampler only if it is
                     ancestral, else the inpainting preset (quality's 60 levels with 60 Langevin steps per
                     level below 0.8 LJ, 3,180 NFE: inpainting needs many levels and steps; with
                     balanced's 12 levels the regenerated half scored 9x worse than unconditional
                     samples, with quality 2.4x, with the preset 1.85x)
  --steps N          predictor steps (default: the chosen sampler's)
  --corrector C      Langevin corrector steps per level in the sampler's band (default: its own); 0 = none
  --resample R       RePaint: repeat every predictor step R times, re-noising between repeats (default 1 =
                     DynamicsDiffusion Algorithm 1; 5 helps a weaker model, docs/seed-paper-tools.md; costs
                     (R - 1) x the predictor steps more NFE, the corrector is not repeated); R > 1 needs an
                     ancestral sampler (--sampler quality or ancestral)
  --k, --phi, --T    conditions of a conditional model (default: the frame's k, phi, T)
  --gPeak, --coordination  structure conditions of a model trained with them (g(r) main peak,
                     first-shell coordination; default: drawn from the training frames nearest in k, phi, T)
  --out FILE         extended XYZ output with the per-atom property fixed:L:1 (T = kept particle)

The kept particles come back bit-exact. Prints the RDF-MSE of the whole box and of the regenerated
particles (their partial g(r) against all) against the input frame, then 'NFE: <n>' and the time.`;

/**
 * RePaint repeats per predictor step when `--resample` is not given: 1, DynamicsDiffusion's Algorithm 1.
 * On the single-frame opp-unconditional of 2026-11 (x < L/2 kept, 2 seeds) 5 repeats lowered the
 * regenerated half's RDF-MSE from 0.0289 to 0.0247 (10: 0.0251); on the shipped ensemble-trained model
 * 1 and 5 score the same (0.0165 / 0.0168, 1.4x the unconditional sampler), and on the force-extended
 * model with the fixed particles re-drawn in the corrector nearly so (0.0176 / 0.0181, 4 samples), so the
 * default stays the cheaper published algorithm (docs/seed-paper-tools.md).
 */
const DEFAULT_RESAMPLE = 1;

const FLAGS: FlagSpec = {
  model: { type: 'string' }, in: { type: 'string' }, frame: { type: 'string' }, keep: { type: 'string' }, indices: { type: 'string' },
  count: { type: 'string' }, seed: { type: 'string' }, resample: { type: 'string' }, sampler: { type: 'string' }, steps: { type: 'string' }, corrector: { type: 'string' },
  out: { type: 'string' }, ...CONDITION_FLAGS,
};

/**
 * The kept particles of `--keep AXIS<F|AXIS>F` (F a fraction of the box side in (0, 1)) or
 * `--indices LIST` (indices and ranges `a-b`, 0-based), exactly one of them.
 * @throws CliError `CLI_USAGE` for a malformed region or list, an index out of range, or keeping none or all
 */
export function keptParticles(keep: string | undefined, indices: string | undefined, frame: Frame): Uint8Array {
  if ((keep === undefined) === (indices === undefined)) throw new CliError(`mddm inpaint: give exactly one of --keep (e.g. x<0.5) and --indices (e.g. 0-99)`, 'CLI_USAGE');
  const n = frame.positions.length / 3;
  const mask = new Uint8Array(n);
  if (keep !== undefined) {
    const m = /^\s*([xyz])\s*([<>])\s*([0-9.eE+-]+)\s*$/.exec(keep);
    const f = m ? Number(m[3]) : NaN;
    if (!m || !(f > 0 && f < 1)) throw new CliError(`mddm inpaint: --keep must be AXIS<F or AXIS>F with AXIS x, y or z and F a fraction of the box in (0, 1), got '${keep}'`, 'CLI_USAGE');
    const axis = 'xyz'.indexOf(m[1]);
    const cut = f * frame.box[axis];
    for (let i = 0; i < n; i++) {
      const v = frame.positions[3 * i + axis];
      mask[i] = (m[2] === '<' ? v < cut : v > cut) ? 1 : 0;
    }
  } else {
    for (const part of indices!.split(',')) {
      const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
      const a = m ? Number(m[1]) : NaN;
      const b = m?.[2] !== undefined ? Number(m[2]) : a;
      if (!m || b < a) throw new CliError(`mddm inpaint: --indices must be 0-based indices and ranges like 0-99,120, got '${part.trim()}'`, 'CLI_USAGE');
      if (b >= n) throw new CliError(`mddm inpaint: --indices names particle ${b}, but the frame has ${n} (0..${n - 1})`, 'CLI_USAGE');
      for (let i = a; i <= b; i++) mask[i] = 1;
    }
  }
  const kept = mask.reduce((s, v) => s + v, 0);
  if (kept === 0 || kept === n) throw new CliError(`mddm inpaint: the selection keeps ${kept} of ${n} particles; keep some and regenerate some`, 'CLI_USAGE');
  return mask;
}

/** `mddm inpaint`: see {@link INPAINT_HELP}. @returns the exit code */
export async function inpaintCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('inpaint', args, FLAGS);
  if (values.help) return io.say(INPAINT_HELP), 0;
  const modelName = requiredFlag('inpaint', values, 'model', 'a pretrained name or a checkpoint directory');
  const input = requiredFlag('inpaint', values, 'in', 'the extended XYZ conformation');
  const out = requiredFlag('inpaint', values, 'out', 'the extended XYZ file to write');
  const frameIndex = numberFlag('inpaint', values, 'frame', { integer: true, min: 0 }) ?? 0;
  const count = numberFlag('inpaint', values, 'count', { integer: true, min: 1 }) ?? 1;
  const seed = numberFlag('inpaint', values, 'seed', { integer: true, min: 0 }) ?? 0;
  const resample = numberFlag('inpaint', values, 'resample', { integer: true, min: 1, max: 1000 }) ?? DEFAULT_RESAMPLE;
  checkWritable('inpaint', out);
  const frame = pickFrame('inpaint', await readFrames('inpaint', input), frameIndex, input);
  const mask = keptParticles(values.keep as string | undefined, values.indices as string | undefined, frame);
  const model = await resolveModel('inpaint', modelName);
  try {
    const conditions = completeConditions('inpaint', model, resolveConditions('inpaint', model, values, io, frame.info), seed, io);
    // The same samplers as `mddm sample` (inpaintSample runs any of them; the fixed particles are
    // re-imposed at each level), but `pc` means an ancestral sampler: the recommended one if it is
    // ancestral, else INPAINT_SAMPLER. Measured on opp-unconditional (x < L/2 kept): with
    // BALANCED_SAMPLER's 12 levels the regenerated half scored 0.103, 9x the unconditional samples of
    // the same sampler; with QUALITY_SAMPLER's 60 levels 2.4x, with INPAINT_SAMPLER (twice the
    // Langevin steps) 1.85x, 8 samples (docs/seed-paper-tools.md).
    // RePaint re-noises and repeats a step, which only the ancestral predictor can do.
    const recommended = recommendedSampler(model);
    const base = recommended.sampler === undefined || recommended.sampler === 'ancestral' ? recommended : { ...INPAINT_SAMPLER, corrector: { ...INPAINT_SAMPLER.corrector } };
    const sampler = samplerFromFlags('inpaint', values, base, model);
    const options = sampler.options; // no --guidance flag here, so no guidance weight in it
    if (resample > 1 && (options.sampler ?? 'ancestral') !== 'ancestral') {
      throw new CliError(`mddm inpaint: --resample ${resample} (RePaint) repeats the ancestral step; use --sampler quality or ancestral (the chosen sampler is ${sampler.name}: ${options.sampler})`, 'CLI_USAGE');
    }
    const bar = io.progress(1, 'inpaint');
    const started = performance.now();
    const r = await inpaintSample(model.denoiser, {
      ...options, known: Float64Array.from(frame.positions), mask, box: frame.box, count, seed, resample, conditions,
    });
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const original = rdf(frame.positions, frame.box);
    const regenerated = [...mask.keys()].filter((i) => !mask[i]);
    r.positions.forEach((x, i) => {
      const whole = rdfMse(rdf(x, frame.box), original);
      const part = rdfMse(rdf(x, frame.box, { indicesA: regenerated }), original);
      io.say(`conformation ${i}: RDF-MSE vs input: whole box ${whole.toFixed(4)}, regenerated particles ${part.toFixed(4)}`);
    });
    const fixed = { type: 'L' as const, columns: 1, values: Array.from(mask, (v) => v === 1) };
    await writeXyz(out, r.positions.map((positions, i) => ({
      positions, box: frame.box, properties: { fixed },
      info: { ...conditionInfo(model, conditions), generator: 'mddm inpaint', model: modelName, source: `${input}#${frameIndex}`, kept: mask.length - regenerated.length, sampler: sampler.name, resample, seed, index: i, NFE: r.evaluations },
    })));
    io.say(`kept ${mask.length - regenerated.length} of ${mask.length} particles (bit-exact), regenerated ${regenerated.length}`);
    io.say(`NFE: ${r.evaluations}`);
    io.say(`time: ${seconds.toFixed(2)} s`);
    io.say(`wrote ${out} (${count} conformation${count > 1 ? 's' : ''}, per-atom fixed:L:1)`);
    return 0;
  } finally {
    model.denoiser.dispose();
  }
}
