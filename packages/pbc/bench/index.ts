/**
 * Benchmark: periodicKnn (k = 32, density 1, uniform random points) vs scipy's
 * `cKDTree(x, boxsize=L).query(x, k=33)` with workers = 1 and 2, in the same run.
 *
 * Usage: `pnpm --filter @mddm/pbc bench [-- --max-n 100000] [--repeats 7]`
 * The scipy anchor runs `/usr/bin/python3` with `../shared/reference/bench_anchors.py` (relative to the
 * repo root); if python3 or scipy is missing, a note is printed and the anchor is skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnnWorkspace, periodicKnn } from '../src/index';

const args = process.argv.slice(2);
function arg(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const MAX_N = arg('--max-n', 1_000_000);
const REPEATS = Math.max(3, arg('--repeats', 7));
const K = 32;
const NS = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= MAX_N);

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const refDir = resolve(repoRoot, '../shared/reference');

interface Timing { min: number; median: number; n: number }

function cpuBusy(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
  } catch {
    return NaN;
  }
}

/** Deterministic uniform points in [0, L)^3 (xorshift-based, independent of Math.random). */
function uniformPoints(n: number, L: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const x = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    x[i] = (s / 4294967296) * L;
  }
  return x;
}

function time(fn: () => void, repeats: number, warmup: number): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { min: ts[0], median: ts[Math.floor(ts.length / 2)], n: repeats };
}

function runOurs(): Record<number, { ws: Timing; fresh: Timing; othersLoad: number }> {
  const out: Record<number, { ws: Timing; fresh: Timing; othersLoad: number }> = {};
  for (const N of NS) {
    const L = Math.cbrt(N);
    const x = uniformPoints(N, L, 12345);
    const ws = new KnnWorkspace();
    const reps = N <= 10_000 ? REPEATS : N <= 100_000 ? Math.max(3, REPEATS >> 1) : 2;
    const b0 = cpuBusy(), c0 = process.cpuUsage(), t0 = performance.now();
    const withWs = time(() => periodicKnn(x, L, K, { workspace: ws }), reps, N <= 100_000 ? 2 : 1);
    const c1 = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
    const mine = (c1.user + c1.system) / 1e6;
    const ticks = 100; // USER_HZ
    const othersLoad = Math.round(((cpuBusy() - b0) / ticks - mine) / wall * 100) / 100;
    const fresh = N <= 100_000 ? time(() => periodicKnn(x, L, K), Math.max(3, reps >> 1), 1) : { min: NaN, median: NaN, n: 0 };
    out[N] = { ws: withWs, fresh, othersLoad };
    process.stderr.write(`ours N=${N}: ${withWs.min.toFixed(1)} ms (min of ${reps})\n`);
  }
  return out;
}

interface Anchor { w1?: Timing; w2?: Timing; build?: Timing; othersLoad?: number }

function runScipy(): Record<number, Anchor> | string {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return `skipped: ${py} not found`;
  if (!existsSync(resolve(refDir, 'bench_anchors.py'))) return `skipped: ${refDir}/bench_anchors.py not found`;
  const script = [
    'import sys, json',
    `sys.path.insert(0, ${JSON.stringify(refDir)})`,
    'import bench_anchors as B',
    `res = B.bench_knn(${REPEATS}, ${JSON.stringify(NS)}, brute_max=0, k=${K})`,
    'print(json.dumps(res))',
  ].join('\n');
  const r = spawnSync(py, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 30 * 60_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-1)[0];
    return `skipped: python anchor failed (${why}); needs Debian python3-scipy and python3-torch`;
  }
  const json = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as Record<string, Record<string, { min_ms: number; median_ms: number; n: number; others_load: number }>>;
  const out: Record<number, Anchor> = {};
  const conv = (t?: { min_ms: number; median_ms: number; n: number }): Timing | undefined =>
    t && typeof t === 'object' ? { min: t.min_ms, median: t.median_ms, n: t.n } : undefined;
  for (const N of NS) {
    const e = json[String(N)];
    if (!e) continue;
    const w1 = e[`ckdtree_build_query_k${K + 1}_workers1`], w2 = e[`ckdtree_build_query_k${K + 1}_workers2`];
    out[N] = { w1: conv(w1), w2: conv(w2), build: conv(e.ckdtree_build_only), othersLoad: w1?.others_load };
  }
  return out;
}

function fmt(v: number | undefined, d = 1): string {
  return v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d);
}

const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`periodicKnn benchmark: k = ${K}, density 1 (L = N^(1/3)), uniform points, Node ${process.version}, loadavg ${load0}`);
const ours = runOurs();
const anchor = runScipy();
console.log('');
console.log('| N | ours min ms (workspace) | ours median | ours no-workspace min | us/point | cKDTree w=1 min ms | cKDTree w=2 min ms | ratio vs w=1 | ratio vs w=2 | others load (ours / scipy) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const N of NS) {
  const o = ours[N];
  const a = typeof anchor === 'string' ? undefined : anchor[N];
  const r1 = a?.w1 ? o.ws.min / a.w1.min : undefined;
  const r2 = a?.w2 ? o.ws.min / a.w2.min : undefined;
  console.log(
    `| ${N.toExponential(0)} | ${fmt(o.ws.min)} | ${fmt(o.ws.median)} | ${fmt(o.fresh.min)} | ${fmt((o.ws.min * 1000) / N, 2)} | ${fmt(a?.w1?.min)} | ${fmt(a?.w2?.min)} | ${fmt(r1, 2)} | ${fmt(r2, 2)} | ${fmt(o.othersLoad, 2)} / ${fmt(a?.othersLoad, 2)} |`,
  );
}
if (typeof anchor === 'string') console.log(`\nscipy anchor ${anchor}`);
console.log('\nratio = ours / cKDTree (min over repeats; <= 1.0 means faster). us/point constant across N = linear scaling.');
console.log(`others load = CPU cores used by other processes during the measurement (2-core box; > ~0.2 means skewed).`);
