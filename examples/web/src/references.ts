/**
 * The shipped LAMMPS (MD) reference g(r)s, precomputed at build time by `scripts/md-references.ts`
 * from the `@mddm/io` data sets into `md-references.json`, and the choice of the nearest one.
 */

/** One MD state point: the mean g(r) of the shipped conformations at (k, phi, T). */
export interface MdReferencePoint {
  k: number;
  phi: number;
  T: number;
  /** Conformations averaged. */
  count: number;
  /** Data sets they come from (e.g. `['opp-unconditional', 'opp-replicas']`). */
  sets: string[];
  /** g(r) at {@link MdReferences.r}. */
  g: number[];
}

/** `md-references.json`. */
export interface MdReferences {
  format: 'mddm-web-md-references';
  version: 1;
  /** Particles and cubic box of every conformation (LJ sigma). */
  n: number;
  box: number;
  /** Bins on [0, rMax) (SPEC §3 g(r), `rdf` of @mddm/rdf with its defaults). */
  bins: number;
  rMax: number;
  /** Bin centers (sigma). */
  r: number[];
  points: MdReferencePoint[];
}

/** Training ranges of the conditional model (the paper's, `PAPER_RANGES` of @mddm/io). */
export const RANGES = { k: [1, 15], phi: [0, 6], T: [0.01, 0.05] } as const;

/**
 * Distance between two state points in units of the training ranges: k and T scaled by their
 * range, phi as an angle (U depends on it through cos(... - phi), period 2 pi) scaled by its range.
 */
export function stateDistance(a: { k: number; phi: number; T: number }, b: { k: number; phi: number; T: number }): number {
  const dk = (a.k - b.k) / (RANGES.k[1] - RANGES.k[0]);
  let dphi = Math.abs(a.phi - b.phi) % (2 * Math.PI);
  dphi = Math.min(dphi, 2 * Math.PI - dphi) / (RANGES.phi[1] - RANGES.phi[0]);
  const dT = (a.T - b.T) / (RANGES.T[1] - RANGES.T[0]);
  return Math.hypot(dk, dphi, dT);
}

/** The reference state point nearest to `p` (null if there are none) and its distance. */
export function nearestReference(refs: MdReferences, p: { k: number; phi: number; T: number }): { point: MdReferencePoint; distance: number } | null {
  let best: { point: MdReferencePoint; distance: number } | null = null;
  for (const point of refs.points) {
    const distance = stateDistance(point, p);
    if (!best || distance < best.distance) best = { point, distance };
  }
  return best;
}
