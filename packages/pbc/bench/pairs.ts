/**
 * Benchmark: the half pair list {@link periodicPairs} (cells rMax/2 wide, pruned stencil, reused
 * buffers) against the full CSR list {@link periodicRadiusNeighbors} (cells rMax wide, 27-cell
 * stencil) and scipy's `cKDTree(x, boxsize=L).query_pairs(r, output_type='ndarray')` (each pair once,
 * like ours; no distances or vectors), in the same run. Density 1 (L = N^(1/3)), rMax = 3: the
 * potential input of `@mddm/model` (OPP cutoff, 1000 particles in a 10^3 box) is the first row.
 *
 * Usage: `pnpm --filter @mddm/pbc bench` (runs this after the kNN benchmark) or `tsx bench/pairs.ts [--repeats 9]`
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PairList, periodicPairs, periodicRadiusNeighbors } from '../src/index';
import { uniformPoints } from './points';

const args = process.argv.slice(2);
const REPEATS = Math.max(3, Number(args[args.indexOf('--repeats') + 1]) || 9);
const R = 3;
const NS = [1_000, 8_000, 64_000];

/** Minimum wall time in ms over `REPEATS` calls after 2 warm-up calls. */
function best(fn: () => void): number {
  fn(); fn();
  let m = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    m = Math.min(m, performance.now() - t);
  }
  return m;
}

function scipy(N: number, L: number): number | string {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return `skipped: ${py} not found`;
  const script = `
import time, numpy as np
from scipy.spatial import cKDTree
N, L, r, reps = ${N}, ${L}, ${R}, ${REPEATS}
s = 12345
x = np.random.default_rng(0).random((N, 3)) * L
fn = lambda: cKDTree(x, boxsize=L).query_pairs(r, output_type='ndarray')
fn(); fn()
print(min((lambda t: (fn(), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(reps)) * 1e3)
`;
  const p = spawnSync(py, ['-c', script], { encoding: 'utf8', timeout: 10 * 60_000 });
  if (p.error || p.status !== 0) return `skipped: ${(p.stderr || String(p.error)).trim().split('\n').slice(-1)[0]} (needs Debian python3-scipy)`;
  return Number(p.stdout.trim());
}

console.log(`pair-list benchmark: rMax = ${R}, density 1, uniform points, Node ${process.version}; min of ${REPEATS} (ms)\n`);
console.log('| N | periodicPairs (half, reused) | periodicRadiusNeighbors (full CSR) | cKDTree.query_pairs | pairs / radius | pairs / scipy |');
console.log('|---|---|---|---|---|---|');
let note = '';
for (const N of NS) {
  const L = Math.cbrt(N);
  const x = uniformPoints(N, L, 12345);
  const list = new PairList();
  const a = best(() => periodicPairs(x, L, R, list));
  const b = best(() => periodicRadiusNeighbors(x, L, R));
  const c = scipy(N, L);
  if (typeof c === 'string') note = c;
  const s = typeof c === 'number' ? c : NaN;
  console.log(`| ${N} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${Number.isNaN(s) ? '-' : s.toFixed(2)} | **${(a / b).toFixed(2)}** | **${Number.isNaN(s) ? '-' : (a / s).toFixed(2)}** |`);
}
if (note) console.log(`\nscipy anchor ${note}`);
console.log('\nratio < 1: periodicPairs is faster. It also returns distances and vectors, which query_pairs does not.');
