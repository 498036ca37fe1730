/**
 * Benchmark: rdf() at N = 1000 (10^3 box), 1e4 and 1e5 (density 1), rMax = 5.0, 100 bins, side by side
 * with the reference's scipy / MDAnalysis functions (`../shared/reference/bench_anchors.py`:
 * rdf_scipy, rdf_mda_capped, rdf_mda_interrdf) on the SAME coordinates, in the same run.
 *
 * Usage (from the repo root): `pnpm --filter @mddm/rdf bench [-- --quick] [-- --no-python] [-- --repeats 7]`
 *   --quick      skip N = 1e5
 *   --no-python  only time @mddm/rdf
 *   --repeats R  timed repeats for N <= 1e4 (default 7; ours uses 5R at N = 1000 and max(2, R / 2) at
 *                N = 1e5; Python uses R, and 1 at N = 1e5 where one InterRDF call takes minutes)
 *
 * Prints a table (min / median wall ms; ratio = ours / reference, goal <= 1.0) and one JSON line.
 * `others_load` = CPU cores used by other processes during our timing (2-core box: > 0.2 means skewed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RdfWorkspace, rdf } from '../src/index';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const noPython = args.includes('--no-python');
const rIdx = args.indexOf('--repeats');
const R = rIdx >= 0 ? Math.max(1, Number(args[rIdx + 1]) | 0) : 7;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const refDir = resolve(repoRoot, '../shared/reference');
const PYTHON = '/usr/bin/python3';
const RMAX = 5.0;
const BINS = 100;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** (busy ticks of the machine, ticks of this process) from /proc, as in bench_anchors.py. */
function cpuTicks(): [number, number] | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((s, i) => s + f[i], 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const rest = self.slice(self.lastIndexOf(')') + 2).split(' ');
    return [busy, Number(rest[11]) + Number(rest[12])];
  } catch {
    return null;
  }
}

interface Timing { min_ms: number; median_ms: number; n: number; others_load?: number }

function timeit(fn: () => unknown, repeats: number, warmup: number): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  const c0 = cpuTicks(), t00 = performance.now();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  const wall = (performance.now() - t00) / 1e3;
  const c1 = cpuTicks();
  ts.sort((a, b) => a - b);
  const med = ts.length % 2 ? ts[(ts.length - 1) / 2] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2;
  const out: Timing = { min_ms: +ts[0].toFixed(3), median_ms: +med.toFixed(3), n: repeats };
  if (c0 && c1) out.others_load = +(((c1[0] - c0[0]) - (c1[1] - c0[1])) / 100 / Math.max(wall, 1e-9)).toFixed(2);
  return out;
}

const PY_SCRIPT = String.raw`
import json, sys, warnings
warnings.filterwarnings("ignore")
cfg = json.loads(sys.argv[1])
sys.path.insert(0, cfg["ref"])
import numpy as np
try:
    import bench_anchors as B
except Exception as e:
    print(json.dumps({"error": "cannot import bench_anchors: " + repr(e)})); sys.exit(0)
out = {}
for c in cfg["cases"]:
    pos = np.fromfile(c["path"], dtype="<f8").reshape(-1, 3)
    L = c["L"]; p32 = pos.astype(np.float32)
    res = {}
    for name, arg in (("rdf_scipy", pos), ("rdf_mda_capped", p32), ("rdf_mda_interrdf", p32)):
        fn = getattr(B, name, None)
        if fn is None:
            res[name] = {"error": "not in bench_anchors"}; continue
        try:
            g = fn(arg, L, cfg["rmax"], cfg["bins"])  # first call = warm-up (imports, JIT caches)
            t = B.timeit(lambda: fn(arg, L, cfg["rmax"], cfg["bins"]), c["repeats"], c["warmup"])
            t["g"] = [float(v) for v in g]
            res[name] = t
        except Exception as e:
            res[name] = {"error": repr(e)}
    out[str(len(pos))] = res
print(json.dumps(out))
`;

interface Case { N: number; L: number; x: Float64Array; path?: string }

const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
const cases: Case[] = sizes.map((N) => {
  const L = N === 1000 ? 10 : Math.cbrt(N);
  const rnd = mulberry32(N);
  const x = new Float64Array(3 * N);
  for (let i = 0; i < 3 * N; i++) x[i] = rnd() * L;
  return { N, L, x };
});

const results: Record<string, Record<string, unknown>> = {};
const ours: Record<number, { timing: Timing; g: Float64Array }> = {};
const ws = new RdfWorkspace();
for (const c of cases) {
  const run = () => rdf(c.x, c.L, { rMax: RMAX, bins: BINS, workspace: ws });
  const g = run().g;
  const reps = c.N <= 1000 ? 5 * R : c.N <= 10_000 ? R : Math.max(2, R >> 1); // cheap cases: more repeats against noise
  const timing = timeit(run, reps, c.N <= 10_000 ? 2 : 1);
  ours[c.N] = { timing, g };
  console.log(`@mddm/rdf N=${c.N} L=${c.L.toFixed(4)}: min ${timing.min_ms} ms, median ${timing.median_ms} ms (others_load ${timing.others_load ?? 'n/a'})`);
}

let py: Record<string, Record<string, (Timing & { g?: number[]; error?: string })>> | { error: string } | null = null;
let pyNote = '';
if (noPython) {
  pyNote = 'skipped (--no-python)';
} else {
  const dir = mkdtempSync(join(tmpdir(), 'mddm-rdf-bench-'));
  try {
    for (const c of cases) {
      c.path = join(dir, `pos_${c.N}.f64`);
      writeFileSync(c.path, Buffer.from(c.x.buffer, c.x.byteOffset, c.x.byteLength));
    }
    const cfg = {
      ref: refDir, rmax: RMAX, bins: BINS,
      cases: cases.map((c) => ({ path: c.path, L: c.L, repeats: c.N <= 10_000 ? R : 1, warmup: c.N <= 10_000 ? 1 : 0 })),
    };
    console.log(`running the reference (${PYTHON}, ${refDir}) ...`);
    const p = spawnSync(PYTHON, ['-c', PY_SCRIPT, JSON.stringify(cfg)], {
      encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' },
    });
    if (p.error) pyNote = `skipped: cannot run ${PYTHON}: ${p.error.message}`;
    else if (p.status !== 0) pyNote = `skipped: python exited with ${p.status}: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    else {
      py = JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}');
      if (py && 'error' in py && typeof py.error === 'string') pyNote = `skipped: ${py.error}`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (pyNote) console.log(`reference: ${pyNote}`);

const rows: string[] = [];
rows.push('| N | L | @mddm/rdf median (min) ms | reference | ref median (min) ms | ratio median (min) | max abs diff g |');
rows.push('|---|---|---|---|---|---|---|');
for (const c of cases) {
  const o = ours[c.N];
  const entry: Record<string, unknown> = { L: +c.L.toFixed(4), mddm_rdf: o.timing };
  const refs = py && !('error' in py && typeof py.error === 'string') ? (py as Record<string, Record<string, Timing & { g?: number[]; error?: string }>>)[String(c.N)] : undefined;
  if (!refs) rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${o.timing.median_ms} (${o.timing.min_ms}) | - | - | - | - |`);
  for (const name of ['rdf_scipy', 'rdf_mda_capped', 'rdf_mda_interrdf']) {
    const t = refs?.[name];
    if (!t) continue;
    if (t.error) {
      entry[name] = { error: t.error };
      rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${o.timing.median_ms} (${o.timing.min_ms}) | ${name} | unavailable: ${t.error.slice(0, 60)} | - | - |`);
      continue;
    }
    // reference normalization: rdf_scipy / rdf_mda_capped use N^2 / V (ours and InterRDF with exclusion_block use N (N - 1) / V)
    const scale = name === 'rdf_mda_interrdf' ? 1 : c.N / (c.N - 1);
    let diff = 0;
    t.g!.forEach((v, b) => (diff = Math.max(diff, Math.abs(v * scale - o.g[b]))));
    const ratioMed = o.timing.median_ms / t.median_ms, ratioMin = o.timing.min_ms / t.min_ms;
    entry[name] = { min_ms: t.min_ms, median_ms: t.median_ms, n: t.n, others_load: t.others_load, ratio_median: +ratioMed.toFixed(4), ratio_min: +ratioMin.toFixed(4), max_abs_diff_g: +diff.toExponential(2) };
    rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${o.timing.median_ms} (${o.timing.min_ms}) | ${name} | ${t.median_ms} (${t.min_ms}) | ${ratioMed.toFixed(3)} (${ratioMin.toFixed(3)}) | ${diff.toExponential(1)} |`);
  }
  results[String(c.N)] = entry;
}
console.log('\n' + rows.join('\n') + '\n');
console.log('goal: ratio <= 1.0 (ours / reference wall time). max abs diff g: float32 (MDAnalysis) vs float64 coordinates can move a few pairs across bin edges.');
console.log(JSON.stringify({ rdf_bench: results, rMax: RMAX, bins: BINS, node: process.version, reference: pyNote || 'ok' }));
