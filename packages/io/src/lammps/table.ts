import { oppEnergy, oppForce, type OppParameters } from '../opp/potential';

/** Options of {@link lammpsPairTable}. */
export interface PairTableOptions {
  /** Number of table points (LAMMPS `N`), default 4000. */
  readonly points?: number;
  /** Inner distance of the table (LJ units), default 0.5. */
  readonly rMin?: number;
  /** Outer distance = pair cutoff (LJ units), default 3.0; the energy is shifted to 0 there. */
  readonly rCut?: number;
  /** Keyword naming the table section, default `OPP`. */
  readonly keyword?: string;
}

/**
 * Text of a LAMMPS `pair_style table` file for the OPP: `points` equally spaced distances on
 * `[rMin, rCut]`, energy shifted so that `U(rCut) = 0`, force `-dU/dr` written analytically.
 * Use as `pair_style table linear <points>` + `pair_coeff 1 1 <file> <keyword> <rCut>`.
 */
export function lammpsPairTable(p: OppParameters, options: PairTableOptions = {}): string {
  const points = options.points ?? 4000;
  const rMin = options.rMin ?? 0.5;
  const rCut = options.rCut ?? 3.0;
  const keyword = options.keyword ?? 'OPP';
  const shift = oppEnergy(rCut, p);
  const lines: string[] = [
    `# OPP U(r) = r^-15 + r^-3 cos(k (r - 1.25) - phi), k = ${p.k}, phi = ${p.phi}; U shifted to 0 at r = ${rCut}`,
    '',
    keyword,
    `N ${points} R ${rMin} ${rCut}`,
    '',
  ];
  for (let i = 0; i < points; i++) {
    const r = rMin + ((rCut - rMin) * i) / (points - 1);
    lines.push(`${i + 1} ${r.toPrecision(10)} ${(oppEnergy(r, p) - shift).toPrecision(12)} ${oppForce(r, p).toPrecision(12)}`);
  }
  return lines.join('\n') + '\n';
}
