import { oppForces, writeXyz, type Frame } from '@mddm/io';
import { forceAgreement, forces, trainedNoiseRange } from '@mddm/model';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CliError } from '../errors';
import { resolveModel } from '../models';
import { CONDITION_FLAGS, completeConditions, resolveConditions } from '../conditions';
import { checkWritable, readFrames } from '../frames';
import { OPP_CUTOFF, parseOpp } from '../opp';
import type { CliIo } from '../io';

export const FORCES_HELP = `mddm forces: per-atom forces from a denoiser (SPEC §8: F = -kT eps_hat(x, sigma) / sigma)

Usage:
  mddm forces --model NAME|DIR --in frame.xyz --out forces.xyz [--sigma S] [--kT T] [--symmetry-average | --no-symmetry-average] [--opp K,PHI]

  --model NAME|DIR   pretrained model (opp-unconditional, ...) or a checkpoint directory
  --in FILE          extended XYZ input (every frame is processed)
  --out FILE         extended XYZ output: the frames with the per-atom property forces:R:3 (ASE reads it
                     as atoms.arrays['forces'])
  --sigma S          noise std in LJ units at which the denoiser is read (default: the best measured one
                     of a pretrained model, its manifest's forces.sigma, see docs/seed-paper-tools.md;
                     else the smallest trained noise level); must lie in the trained band, which errors name
  --kT T             temperature k_B T of the training data, LJ units (default: the model's state point,
                     else the frame's T)
  --k, --phi, --T    conditions of a conditional model (default: the frame's k, phi, T)
  --gPeak, --coordination  structure conditions of a model trained with them (g(r) main peak,
                     first-shell coordination; default: drawn from the training frames nearest in k, phi, T)
  --symmetry-average average the force over the box's symmetries (48 for a cube): exactly equivariant,
                     one network evaluation per symmetry (default: the pretrained model's manifest,
                     forces.symmetryAverage; else off); --no-symmetry-average turns it off
  --opp K,PHI        also compare with the analytic OPP force (cutoff 3) and print cosine / magnitude ratio`;

const FLAGS: FlagSpec = {
  model: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, sigma: { type: 'string' }, kT: { type: 'string' },
  ...CONDITION_FLAGS, opp: { type: 'string' }, 'symmetry-average': { type: 'boolean' }, 'no-symmetry-average': { type: 'boolean' },
};

/** `mddm forces`: see {@link FORCES_HELP}. @returns the exit code */
export async function forcesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('forces', args, FLAGS);
  if (values.help) return io.say(FORCES_HELP), 0;
  const modelName = requiredFlag('forces', values, 'model', 'a pretrained name or a checkpoint directory');
  const input = requiredFlag('forces', values, 'in', 'the extended XYZ frames');
  const out = requiredFlag('forces', values, 'out', 'the extended XYZ file to write');
  const sigmaFlag = numberFlag('forces', values, 'sigma', { min: 0, exclusiveMin: true });
  const kTFlag = numberFlag('forces', values, 'kT', { min: 0, exclusiveMin: true });
  const opp = parseOpp('forces', values.opp as string | undefined);
  if (values['symmetry-average'] && values['no-symmetry-average']) throw new CliError('mddm forces: give --symmetry-average or --no-symmetry-average, not both', 'CLI_USAGE');
  checkWritable('forces', out);
  const model = await resolveModel('forces', modelName);
  try {
    const d = model.denoiser;
    const sigma = sigmaFlag ?? model.manifest?.forces?.sigma ?? trainedNoiseRange(d).sigmaMinLj;
    const symmetryAverage = values['symmetry-average'] === true || (values['no-symmetry-average'] !== true && model.manifest?.forces?.symmetryAverage === true);
    const frames = await readFrames('forces', input);
    const written: Frame[] = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const conditions = completeConditions('forces', model, resolveConditions('forces', model, values, io, f.info), 0, io);
      const frameT = typeof f.info?.T === 'number' ? f.info.T : undefined;
      const kT = kTFlag ?? model.manifest?.statePoint?.T ?? frameT;
      if (kT === undefined) throw new CliError('mddm forces: give --kT (the temperature of the training data, LJ units)', 'CLI_USAGE');
      const F = forces(d, f.positions, f.box, { sigma, kT, conditions, symmetryAverage });
      written.push({ ...f, properties: { ...(f.properties ?? {}), forces: { type: 'R', columns: 3, values: F } }, info: { ...(f.info ?? {}), force_sigma: sigma, force_kT: kT, force_symmetry_average: symmetryAverage } });
      let line = `frame ${i}: ${f.positions.length / 3} particles, sigma = ${sigma} LJ, kT = ${kT}${symmetryAverage ? ', averaged over the box symmetries' : ''}`;
      if (opp) {
        const a = forceAgreement(F, oppForces(f.positions, f.box, opp, { cutoff: OPP_CUTOFF }).forces);
        line += `; vs OPP(k=${opp.k}, phi=${opp.phi}): mean cosine ${a.meanCosine.toFixed(3)}, median |F|/|F_opp| ${a.medianRatio.toFixed(3)}`;
      }
      io.say(line);
    }
    await writeXyz(out, written);
    io.say(`wrote ${out} (${written.length} frame${written.length > 1 ? 's' : ''}, per-atom forces:R:3)`);
    return 0;
  } finally {
    model.denoiser.dispose();
  }
}
