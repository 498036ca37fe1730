/**
 * The oscillating pair potential (OPP) of the MDDM paper (§2.1):
 * `U(r) = r^-15 + r^-3 cos(k (r - 1.25) - phi)`, in LJ units.
 */

/** Parameters of the oscillating pair potential. */
export interface OppParameters {
  /** Frequency k of the oscillation (paper range 1..15), in 1/length. */
  readonly k: number;
  /** Phase shift phi (paper range 0..6), in radians. */
  readonly phi: number;
}

/** Pair energy `U(r) = r^-15 + r^-3 cos(k (r - 1.25) - phi)` at distance `r > 0` (LJ units). */
export function oppEnergy(r: number, p: OppParameters): number {
  return r ** -15 + r ** -3 * Math.cos(p.k * (r - 1.25) - p.phi);
}

/**
 * Pair force magnitude `F(r) = -dU/dr` at distance `r > 0`, written analytically:
 * `-dU/dr = 15 r^-16 + 3 r^-4 cos(k (r - 1.25) - phi) + k r^-3 sin(k (r - 1.25) - phi)`.
 * Positive values are repulsive (LAMMPS table convention).
 */
export function oppForce(r: number, p: OppParameters): number {
  const a = p.k * (r - 1.25) - p.phi;
  return 15 * r ** -16 + 3 * r ** -4 * Math.cos(a) + p.k * r ** -3 * Math.sin(a);
}
