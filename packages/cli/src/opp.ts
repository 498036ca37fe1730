import { CliError } from './errors';

/**
 * Reads `--opp K,PHI`: the parameters of the oscillating pair potential (SPEC §2).
 * @returns `undefined` when the flag is absent
 * @throws CliError `CLI_USAGE` unless it is two finite numbers
 */
export function parseOpp(command: string, text: string | undefined): { k: number; phi: number } | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',');
  const [k, phi] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 2 || !Number.isFinite(k) || !Number.isFinite(phi)) throw new CliError(`mddm ${command}: --opp must be K,PHI (two numbers), got '${text}'`, 'CLI_USAGE');
  return { k, phi };
}

/** Cutoff of the analytic OPP force in the CLI, LJ units: the LAMMPS protocol's table cutoff (SPEC §2). */
export const OPP_CUTOFF = 3;
