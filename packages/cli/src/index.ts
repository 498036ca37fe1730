/**
 * @packageDocumentation
 * `@mddm/cli`: the `mddm` command (`npx mddm --help`; in this repository `pnpm mddm ...`). Subcommands:
 * `sample` (conformations from a pretrained model or a checkpoint, as extended XYZ), `rdf` (g(r) and
 * RDF-MSE of XYZ files), `evaluate` (the paper's Table 1 with the SPEC §5 metrics), `forces` (per-atom
 * forces from a denoiser), `vary` (variations of a frame), `inpaint` (keep some particles, regenerate
 * the rest), `dynamics` (Langevin dynamics with a learned or the OPP force), `data` (LAMMPS data
 * generation). {@link runMddm} runs it in-process.
 */
export { runMddm, MDDM_HELP } from './run';
export { CliError } from './errors';
export type { CliStreams } from './io';
