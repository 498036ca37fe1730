import { MddmError } from '@mddm/core';
import { runDataCli } from '@mddm/io/cli';
import { cliIo, type CliIo, type CliStreams } from './io';
import { CliError } from './errors';
import { EVALUATE_HELP, evaluateCommand } from './commands/evaluate';
import { RDF_HELP, rdfCommand } from './commands/rdf';
import { SAMPLE_HELP, sampleCommand } from './commands/sample';
import { FORCES_HELP, forcesCommand } from './commands/forces';
import { VARY_HELP, varyCommand } from './commands/vary';
import { INPAINT_HELP, inpaintCommand } from './commands/inpaint';
import { DYNAMICS_HELP, dynamicsCommand } from './commands/dynamics';

/** The `mddm` overview (`mddm --help`). */
export const MDDM_HELP = `mddm: generate particle conformations with MDDM (Molecular Dynamics Diffusion Model)

Usage:
  mddm sample   --model NAME|DIR [--k K --phi PHI --T T] --out FILE.xyz   generate conformations
  mddm rdf      a.xyz [b.xyz ...] [--svg FILE]                          g(r) summaries and RDF-MSE
  mddm evaluate --model NAME|DIR --set opp-test|opp-train                 Table 1 against LAMMPS (SPEC §5)
  mddm forces   --model NAME|DIR --in frame.xyz --out forces.xyz          per-atom forces from a denoiser (SPEC §8)
  mddm vary     --model NAME|DIR --in frame.xyz --sigma S --out FILE.xyz  variations of a conformation
  mddm inpaint  --model NAME|DIR --in frame.xyz --keep x<0.5 --out FILE   keep some particles, regenerate the rest
  mddm dynamics --in frame.xyz --model NAME|DIR --steps N --out traj.xyz  Langevin dynamics with a learned (or OPP) force
  mddm data     generate|pack ...                                       LAMMPS data sets (mddm data --help)

Pretrained models: opp-conditional (OPP potential, conditions k, phi, T), opp-unconditional (k = 7,
phi = 1, T = 0.03), opp-unconditional-potential (the same state point; also reads the OPP energy and
force: the closest structure to MD's). 'mddm <command> --help' describes each command.`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  sample: { run: sampleCommand, help: SAMPLE_HELP },
  rdf: { run: rdfCommand, help: RDF_HELP },
  evaluate: { run: evaluateCommand, help: EVALUATE_HELP },
  forces: { run: forcesCommand, help: FORCES_HELP },
  vary: { run: varyCommand, help: VARY_HELP },
  inpaint: { run: inpaintCommand, help: INPAINT_HELP },
  dynamics: { run: dynamicsCommand, help: DYNAMICS_HELP },
  data: { run: (args, io) => runDataCli(args, { stdout: { write: (s: string) => io.say(s.replace(/\n$/, '')) }, stderr: process.stderr }), help: '' },
};

/**
 * Runs the `mddm` command line.
 * @param argv - arguments after the program name, e.g. `['sample', '--model', 'opp-conditional', ...]`
 * @param streams - stdout for results, stderr for warnings and progress (default the process's)
 * @returns the exit code: 0 success, 1 a runtime failure (unknown model, unreadable file), 2 bad usage
 */
export async function runMddm(argv: readonly string[], streams: CliStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const io = cliIo(streams);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.say(MDDM_HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new CliError(`mddm: unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(', ')} (see mddm --help)`, 'CLI_USAGE');
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof MddmError) {
      io.warn(e instanceof CliError ? e.message : `mddm ${name}: ${e.message}`);
      return e.code === 'CLI_USAGE' ? 2 : 1;
    }
    throw e;
  }
}
