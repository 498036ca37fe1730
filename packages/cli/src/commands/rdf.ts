import { readXyz } from '@mddm/io';
import { RdfAccumulator, firstShell, rdfMse, rdfSvg, type RdfResult } from '@mddm/rdf';
import { numberFlag, parseFlags, type FlagSpec } from '../args';
import { CliError } from '../errors';
import { checkWritable } from '../frames';
import { writeTextOutput } from '../output';
import type { CliIo } from '../io';

export const RDF_HELP = `mddm rdf: radial distribution functions of extended XYZ files, and their pairwise RDF-MSE

Usage:
  mddm rdf a.xyz [b.xyz ...] [--svg rdf.svg] [--bins 100] [--r-max 5]

Each file's g(r) is averaged over its frames (SPEC §3: minimum-image distances, 100 bins on [0, L/2]).
Prints per file: frames, particles, the main peak (position and height), the first minimum after it and
the coordination number up to it; then the RDF-MSE between every pair of files.

  --svg FILE     also plot all curves into an SVG
  --bins B       number of bins (default 100)
  --r-max R      upper end of the last bin in LJ units (default 5, half the 10^3 box)`;

const FLAGS: FlagSpec = { svg: { type: 'string' }, bins: { type: 'string' }, 'r-max': { type: 'string' } };

/** `mddm rdf`: see {@link RDF_HELP}. @returns the exit code */
export async function rdfCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: files } = parseFlags('rdf', args, FLAGS, true);
  if (values.help) return io.say(RDF_HELP), 0;
  if (files.length === 0) throw new CliError(`mddm rdf: give at least one extended XYZ file (see mddm rdf --help)`, 'CLI_USAGE');
  const bins = numberFlag('rdf', values, 'bins', { integer: true, min: 1 }) ?? 100;
  const rMax = numberFlag('rdf', values, 'r-max', { min: 0, exclusiveMin: true }) ?? 5;
  if (typeof values.svg === 'string') checkWritable('rdf', values.svg);
  const curves: RdfResult[] = [];
  for (const file of files) {
    const acc = new RdfAccumulator({ bins, rMax });
    let frames = 0;
    let n = 0;
    try {
      for await (const f of readXyz(file)) {
        acc.add(f.positions, f.box);
        frames++;
        n = f.positions.length / 3;
      }
    } catch (e) {
      throw new CliError(`mddm rdf: ${file}: ${(e as Error).message}`, (e as { code?: string }).code === 'IO_NOT_FOUND' ? 'CLI_NOT_FOUND' : 'CLI_USAGE', { cause: e });
    }
    if (frames === 0) throw new CliError(`mddm rdf: ${file} holds no frame`, 'CLI_USAGE');
    const g = acc.result();
    curves.push(g);
    const s = firstShell(g);
    const cn = s.coordination;
    io.say(`${file}: ${frames} frame${frames > 1 ? 's' : ''} x ${n} particles; main peak g = ${s.gPeak.toFixed(3)} at r = ${s.rPeak.toFixed(3)}; first minimum r = ${s.rMin.toFixed(3)}, coordination ${cn.toFixed(2)}`);
  }
  if (files.length > 1) {
    io.say('RDF-MSE (SPEC §3):');
    for (let i = 0; i < files.length; i++) for (let j = i + 1; j < files.length; j++) io.say(`  ${files[i]} vs ${files[j]}: ${rdfMse(curves[i], curves[j]).toFixed(5)}`);
  }
  if (typeof values.svg === 'string') {
    await writeTextOutput('rdf', values.svg, rdfSvg(files.map((f, i) => ({ label: f, r: curves[i].centers, g: curves[i].g })), { title: 'g(r)' }));
    io.say(`wrote ${values.svg}`);
  }
  return 0;
}
