import { oppForces, readXyz, writeXyz, type Frame } from '@mddm/io';
import { forceAgreement, forces, trainedNoiseRange } from '@mddm/model';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CliError } from '../errors';
import { resolveModel, type CliModel } from '../models';
import type { CliIo } from '../io';

export const FORCES_HELP = `mddm forces: per-atom forces from a denoiser (SPEC §8: F = -kT eps_hat(x, sigma) / sigma)

Usage:
  mddm forces --model NAME|DIR --in frame.xyz --out forces.xyz [--sigma S] [--kT T] [--opp K,PHI]

  --model NAME|DIR   pretrained model (opp-unconditional, ...) or a checkpoint directory
  --in FILE          extended XYZ input (every frame is processed)
  --out FILE         extended XYZ output: the frames with the per-atom property forces:R:3 (ASE reads it
                     as atoms.arrays['forces'])
  --sigma S          noise std in LJ units at which the denoiser is read (default: the smallest trained
                     noise level, the best measured one for opp-unconditional, see
                     docs/seed-paper-tools.md); must lie in the trained band, which errors name
  --kT T             temperature k_B T of the training data, LJ units (default: the model's state point,
                     else the frame's T)
  --k, --phi, --T    conditions of a conditional model
  --opp K,PHI        also compare with the analytic OPP force (cutoff 3) and print cosine / magnitude ratio`;

const FLAGS: FlagSpec = {
  model: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, sigma: { type: 'string' }, kT: { type: 'string' },
  k: { type: 'string' }, phi: { type: 'string' }, T: { type: 'string' }, opp: { type: 'string' },
};

function parseOpp(text: string | undefined): { k: number; phi: number } | undefined {
  if (text === undefined) return undefined;
  const [k, phi] = text.split(',').map(Number);
  if (!Number.isFinite(k) || !Number.isFinite(phi) || text.split(',').length !== 2) throw new CliError(`mddm forces: --opp must be K,PHI (two numbers), got '${text}'`, 'CLI_USAGE');
  return { k, phi };
}

function modelConditions(model: CliModel, values: Record<string, unknown>): number[] | undefined {
  const d = model.denoiser;
  if (d.conditions === 0) return undefined;
  const keys = model.manifest?.conditionKeys ?? d.training?.conditionKeys ?? [];
  const c = keys.map((k) => numberFlag('forces', values as never, k));
  if (c.length !== d.conditions || c.some((v) => v === undefined)) {
    throw new CliError(`mddm forces: this model is conditional; give ${keys.map((k) => `--${k}`).join(' ') || `${d.conditions} conditions`}`, 'CLI_USAGE');
  }
  return c as number[];
}

/** `mddm forces`: see {@link FORCES_HELP}. @returns the exit code */
export async function forcesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('forces', args, FLAGS);
  if (values.help) return io.say(FORCES_HELP), 0;
  const modelName = requiredFlag('forces', values, 'model', 'a pretrained name or a checkpoint directory');
  const input = requiredFlag('forces', values, 'in', 'the extended XYZ frames');
  const out = requiredFlag('forces', values, 'out', 'the extended XYZ file to write');
  const sigmaFlag = numberFlag('forces', values, 'sigma', { min: 0, exclusiveMin: true });
  const kTFlag = numberFlag('forces', values, 'kT', { min: 0, exclusiveMin: true });
  const opp = parseOpp(values.opp as string | undefined);
  const model = await resolveModel('forces', modelName);
  try {
    const d = model.denoiser;
    const conditions = modelConditions(model, values);
    const sigma = sigmaFlag ?? trainedNoiseRange(d).sigmaMinLj;
    const frames: Frame[] = [];
    try {
      for await (const f of readXyz(input)) frames.push(f);
    } catch (e) {
      throw new CliError(`mddm forces: ${input}: ${(e as Error).message}`, (e as { code?: string }).code === 'IO_NOT_FOUND' ? 'CLI_NOT_FOUND' : 'CLI_USAGE', { cause: e });
    }
    if (frames.length === 0) throw new CliError(`mddm forces: ${input} holds no frame`, 'CLI_USAGE');
    const written: Frame[] = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const frameT = typeof f.info?.T === 'number' ? f.info.T : undefined;
      const kT = kTFlag ?? model.manifest?.statePoint?.T ?? frameT;
      if (kT === undefined) throw new CliError('mddm forces: give --kT (the temperature of the training data, LJ units)', 'CLI_USAGE');
      const F = forces(d, f.positions, f.box, { sigma, kT, conditions });
      written.push({ ...f, properties: { ...(f.properties ?? {}), forces: { type: 'R', columns: 3, values: F } }, info: { ...(f.info ?? {}), force_sigma: sigma, force_kT: kT } });
      let line = `frame ${i}: ${f.positions.length / 3} particles, sigma = ${sigma} LJ, kT = ${kT}`;
      if (opp) {
        const a = forceAgreement(F, oppForces(f.positions, f.box, opp, { cutoff: 3 }).forces);
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
