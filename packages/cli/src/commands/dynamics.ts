import { langevin, oppForces, writeXyz, type ForceFunction, type Frame } from '@mddm/io';
import { denoiserForceField, trainedNoiseRange } from '@mddm/model';
import { rdf, rdfMse } from '@mddm/rdf';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec } from '../args';
import { CONDITION_FLAGS, completeConditions, resolveConditions } from '../conditions';
import { CliError } from '../errors';
import { checkWritable, pickFrame, readFrames } from '../frames';
import { resolveModel, type CliModel } from '../models';
import type { CliIo } from '../io';
import { OPP_CUTOFF, parseOpp } from '../opp';

export const DYNAMICS_HELP = `mddm dynamics: Langevin dynamics (BAOAB) in the periodic box, driven by a denoiser's force
(SPEC §8: F = -kT eps_hat(x, sigma) / sigma) or by the analytic OPP force

Usage:
  mddm dynamics --in frame.xyz (--model NAME|DIR [--sigma S] | --opp K,PHI) --steps N --out traj.xyz [options]

  --in FILE          extended XYZ start conformation; --frame I picks the frame (default 0)
  --model NAME|DIR   learned force from this model (opp-unconditional, a checkpoint directory, ...)
  --sigma S          noise level (LJ units) the denoiser is read at (default: a pretrained model's best
                     measured one for dynamics, manifest.forces.dynamicsSigma, else its smallest trained level)
  --symmetry-average average the learned force over the box's 48 symmetries (more accurate, 48 network
                     evaluations per step; default off)
  --k, --phi, --T    conditions of a conditional model (default: the frame's k, phi, T)
  --gPeak, --coordination  structure conditions of a model trained with them (g(r) main peak,
                     first-shell coordination; default: drawn from the training frames nearest in k, phi, T)
  --opp K,PHI        or the analytic OPP force (cutoff ${OPP_CUTOFF} LJ)
  --kT T             temperature k_B T, LJ units (default: the model's state point, else the frame's T)
  --steps N          time steps
  --dt DT            time step, LJ time units (default 0.005, the LAMMPS protocol's)
  --gamma G          friction, 1 / LJ time (default 1)
  --every E          write a frame every E steps (default 100; the start is frame 0)
  --seed S           seed of the thermostat and the initial velocities (default 0)
  --out FILE         extended XYZ trajectory (Lattice, pbc; step, time, kinetic T in each frame's info)

Prints, per written frame, the kinetic temperature and the RDF-MSE against the start frame (drift or
collapse shows up there), then the force evaluations and the time.`;

const FLAGS: FlagSpec = {
  in: { type: 'string' }, frame: { type: 'string' }, model: { type: 'string' }, sigma: { type: 'string' }, 'symmetry-average': { type: 'boolean' }, opp: { type: 'string' }, kT: { type: 'string' },
  steps: { type: 'string' }, dt: { type: 'string' }, gamma: { type: 'string' }, every: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
  ...CONDITION_FLAGS,
};

/** `mddm dynamics`: see {@link DYNAMICS_HELP}. @returns the exit code */
export async function dynamicsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('dynamics', args, FLAGS);
  if (values.help) return io.say(DYNAMICS_HELP), 0;
  const input = requiredFlag('dynamics', values, 'in', 'the extended XYZ start conformation');
  const out = requiredFlag('dynamics', values, 'out', 'the extended XYZ trajectory to write');
  const steps = numberFlag('dynamics', values, 'steps', { integer: true, min: 1 });
  if (steps === undefined) requiredFlag('dynamics', values, 'steps', 'the number of time steps');
  const dt = numberFlag('dynamics', values, 'dt', { min: 0, exclusiveMin: true }) ?? 0.005;
  const gamma = numberFlag('dynamics', values, 'gamma', { min: 0, exclusiveMin: true }) ?? 1;
  const every = numberFlag('dynamics', values, 'every', { integer: true, min: 1 }) ?? 100;
  const seed = numberFlag('dynamics', values, 'seed', { integer: true, min: 0 }) ?? 0;
  const frameIndex = numberFlag('dynamics', values, 'frame', { integer: true, min: 0 }) ?? 0;
  const sigmaFlag = numberFlag('dynamics', values, 'sigma', { min: 0, exclusiveMin: true });
  const kTFlag = numberFlag('dynamics', values, 'kT', { min: 0, exclusiveMin: true });
  const opp = parseOpp('dynamics', values.opp as string | undefined);
  const modelName = values.model as string | undefined;
  if ((modelName === undefined) === (opp === undefined)) throw new CliError('mddm dynamics: give exactly one force: --model NAME|DIR (learned) or --opp K,PHI (analytic)', 'CLI_USAGE');
  if (opp && sigmaFlag !== undefined) throw new CliError('mddm dynamics: --sigma reads a denoiser; it has no meaning with --opp', 'CLI_USAGE');
  if (opp && values['symmetry-average']) throw new CliError('mddm dynamics: --symmetry-average averages a denoiser\'s force; it has no meaning with --opp', 'CLI_USAGE');
  checkWritable('dynamics', out);
  const start = pickFrame('dynamics', await readFrames('dynamics', input), frameIndex, input);
  const model: CliModel | undefined = modelName ? await resolveModel('dynamics', modelName) : undefined;
  try {
    const frameT = typeof start.info?.T === 'number' ? start.info.T : undefined;
    const kT = kTFlag ?? model?.manifest?.statePoint?.T ?? frameT;
    if (kT === undefined) throw new CliError('mddm dynamics: give --kT (temperature, LJ units)', 'CLI_USAGE');
    let force: ForceFunction;
    let label: string;
    if (model) {
      const conditions = completeConditions('dynamics', model, resolveConditions('dynamics', model, values, io, start.info), 0, io);
      const forces = model.manifest?.forces;
      const sigma = sigmaFlag ?? forces?.dynamicsSigma ?? forces?.sigma ?? trainedNoiseRange(model.denoiser).sigmaMinLj;
      force = denoiserForceField(model.denoiser, start.box, { sigma, kT, conditions, symmetryAverage: values['symmetry-average'] === true });
      label = `denoiser ${modelName} at sigma = ${sigma} LJ`;
    } else {
      force = (x, f) => void f.set(oppForces(x, start.box, opp!, { cutoff: OPP_CUTOFF }).forces);
      label = `OPP(k = ${opp!.k}, phi = ${opp!.phi})`;
    }
    io.say(`Langevin (BAOAB): ${start.positions.length / 3} particles, force ${label}, kT = ${kT}, dt = ${dt}, gamma = ${gamma}, ${steps} steps`);
    const reference = rdf(start.positions, start.box);
    const frames: Frame[] = [];
    const bar = io.progress(steps!, 'dynamics');
    const r = await langevin(start.positions, start.box, force, {
      steps: steps!, dt, kT, gamma, seed, every,
      onFrame: ({ step, positions, kineticT }) => {
        const mse = rdfMse(rdf(positions, start.box), reference);
        frames.push({ positions: Float64Array.from(positions), box: start.box, info: { step, time: step * dt, kineticT, kT, force: label } });
        if (step > 0) bar.tick(every, `T ${kineticT.toFixed(4)}`);
        io.say(`step ${step}: kinetic T ${kineticT.toFixed(4)}, RDF-MSE vs start ${mse.toFixed(4)}`);
      },
    });
    bar.done();
    await writeXyz(out, frames);
    io.say(`force evaluations: ${r.forceEvaluations}`);
    io.say(`time: ${(r.elapsedMs / 1000).toFixed(2)} s`);
    io.say(`wrote ${out} (${frames.length} frames)`);
    return 0;
  } finally {
    model?.denoiser.dispose();
  }
}
