import { periodicRadiusNeighbors, validatePositions, type BoxLike, type Vec3Array } from '@mddm/pbc';
import { IoError } from '../errors';
import { oppEnergy, oppForce, type OppParameters } from './potential';

/** Options of {@link oppForces} and {@link oppTotalEnergy}. */
export interface OppForceOptions {
  /** Pair cutoff in LJ units (default 3, as the LAMMPS runs of `@mddm/io`); at most half the smallest box length. */
  cutoff?: number;
}

/** Per-atom OPP forces and the total energy of a periodic conformation (see {@link oppForces}). */
export interface OppForces {
  /** Forces `[N, 3]` flat, LJ units (energy / length), `F_i = -dU_total/dx_i`. */
  forces: Float64Array;
  /** Total pair energy `sum_{i<j, r_ij < rc} U(r_ij) - U(rc)` (LJ energy units; shifted to 0 at the cutoff as in the LAMMPS table). */
  energy: number;
}

function checkOptions(p: OppParameters, options: OppForceOptions, fn: string): number {
  if (!p || !Number.isFinite(p.k) || !Number.isFinite(p.phi)) {
    throw new IoError(`${fn}: parameters must be { k, phi } with finite numbers, got ${JSON.stringify(p)}`, 'IO_BAD_ARGUMENT');
  }
  const rc = options.cutoff ?? 3;
  if (typeof rc !== 'number' || !(rc > 0) || !Number.isFinite(rc)) {
    throw new IoError(`${fn}: cutoff must be a finite number > 0 (LJ units), got ${String(rc)}`, 'IO_BAD_ARGUMENT');
  }
  return rc;
}

/**
 * Per-atom forces of the oscillating pair potential (`oppForce`, MDDM paper §2.1) in a periodic box:
 * `F_i = sum_{j: r_ij < rc} F(r_ij) (x_i - x_j) / r_ij` with minimum-image vectors and the pair force
 * magnitude `F(r) = -dU/dr` (positive = repulsive), neighbours from `periodicRadiusNeighbors` of
 * `@mddm/pbc` (cell lists, O(N)). The force is the exact negative gradient of the total energy
 * (tested against central finite differences of {@link oppTotalEnergy}); it jumps at the cutoff
 * like the LAMMPS table (energy shifted, force not).
 *
 * @param positions - flat `[N, 3]`, LJ units (need not be wrapped)
 * @param box - cubic `L` or `[Lx, Ly, Lz]` (LJ units)
 * @param params - `{ k, phi }` of the potential
 * @param options - `cutoff` (default 3 LJ units)
 * @returns forces `[N, 3]` and the total energy
 * @throws IoError `IO_BAD_ARGUMENT` for bad parameters or cutoff; PbcError for bad positions, box, or a
 *   cutoff above half the box
 */
export function oppForces(positions: Vec3Array, box: BoxLike, params: OppParameters, options: OppForceOptions = {}): OppForces {
  const rc = checkOptions(params, options, 'oppForces');
  const n = validatePositions(positions);
  const nb = periodicRadiusNeighbors(positions, box, rc);
  const forces = new Float64Array(3 * n);
  const shift = oppEnergy(rc, params);
  let energy = 0;
  for (let i = 0; i < n; i++) {
    let fx = 0, fy = 0, fz = 0;
    for (let e = nb.offsets[i]; e < nb.offsets[i + 1]; e++) {
      const r = nb.distances[e];
      if (r >= rc) continue;
      const f = oppForce(r, params) / r; // vectors are x_j - x_i: repulsion pushes i along -(x_j - x_i)
      fx -= f * nb.vectors[3 * e];
      fy -= f * nb.vectors[3 * e + 1];
      fz -= f * nb.vectors[3 * e + 2];
      energy += 0.5 * (oppEnergy(r, params) - shift); // every pair appears twice
    }
    forces[3 * i] = fx;
    forces[3 * i + 1] = fy;
    forces[3 * i + 2] = fz;
  }
  return { forces, energy };
}

/**
 * Total OPP energy of a periodic conformation (pairs within the cutoff, each counted once, shifted
 * so that `U(rc) = 0`), LJ energy units. The energy whose negative gradient {@link oppForces} returns.
 *
 * @param positions - flat `[N, 3]`, LJ units
 * @param box - cubic `L` or `[Lx, Ly, Lz]`
 * @param params - `{ k, phi }`
 * @param options - `cutoff` (default 3)
 */
export function oppTotalEnergy(positions: Vec3Array, box: BoxLike, params: OppParameters, options: OppForceOptions = {}): number {
  const rc = checkOptions(params, options, 'oppTotalEnergy');
  const nb = periodicRadiusNeighbors(positions, box, rc);
  const shift = oppEnergy(rc, params);
  let energy = 0;
  for (let e = 0; e < nb.indices.length; e++) if (nb.distances[e] < rc) energy += 0.5 * (oppEnergy(nb.distances[e], params) - shift);
  return energy;
}
