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
import { mulberry32 } from '../test/helpers';

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

interface Timing { min_ms: number; median_ms: number; cpu_min_ms: number; cpu_median_ms: number; n: number; others_load?: number }

const median = (a: number[]) => {
  const t = a.slice().sort((x, y) => x - y);
  return t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
};

/** Wall time and process CPU time (user + system) per call, after `warmup` untimed calls. */
function timeit(fn: () => unknown, repeats: number, warmup: number): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [], cpu: number[] = [];
  const c0 = cpuTicks(), t00 = performance.now();
  for (let i = 0; i < repeats; i++) {
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const u = process.cpuUsage(u0);
    cpu.push((u.user + u.system) / 1e3);
  }
  const elapsed = (performance.now() - t00) / 1e3;
  const c1 = cpuTicks();
  const r3 = (v: number) => +v.toFixed(3);
  const out: Timing = {
    min_ms: r3(Math.min(...wall)), median_ms: r3(median(wall)), cpu_min_ms: r3(Math.min(...cpu)), cpu_median_ms: r3(median(cpu)), n: repeats,
  };
  if (c0 && c1) out.others_load = +(((c1[0] - c0[0]) - (c1[1] - c0[1])) / 100 / Math.max(elapsed, 1e-9)).toFixed(2);
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
import time
def tm(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    t00, c0 = time.perf_counter(), B.cpu_ticks()
    for _ in range(repeats):
        p0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - p0) * 1e3)
    return {"min_ms": round(min(wall), 3), "median_ms": round(float(np.median(wall)), 3),
            "cpu_min_ms": round(min(cpu), 3), "cpu_median_ms": round(float(np.median(cpu)), 3),
            "n": repeats, "others_load": B.others_load(t00, c0)}
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
            g = fn(arg, L, cfg["rmax"], cfg["bins"])  # first call = warm-up (imports, caches)
            t = tm(lambda: fn(arg, L, cfg["rmax"], cfg["bins"]), c["repeats"], c["warmup"])
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

type RefTiming = Timing & { g?: number[]; error?: string };

/** Run the reference functions on one case in a fresh Python (returns per-function timings or a note). */
function runReference(c: Case, dir: string): { refs?: Record<string, RefTiming>; note?: string } {
  const path = join(dir, `pos_${c.N}.f64`);
  writeFileSync(path, Buffer.from(c.x.buffer, c.x.byteOffset, c.x.byteLength));
  const cfg = {
    ref: refDir, rmax: RMAX, bins: BINS,
    // N = 1e5: one timed call after the warm-up call (one InterRDF call takes minutes)
    cases: [{ path, L: c.L, repeats: c.N <= 10_000 ? R : 1, warmup: c.N <= 10_000 ? 1 : 0 }],
  };
  const p = spawnSync(PYTHON, ['-c', PY_SCRIPT, JSON.stringify(cfg)], {
    encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (p.error) return { note: `skipped: cannot run ${PYTHON}: ${p.error.message}` };
  if (p.status !== 0) return { note: `skipped: python exited with ${p.status}: ${p.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  const out = JSON.parse(p.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  if (typeof out.error === 'string') return { note: `skipped: ${out.error}` };
  return { refs: out[String(c.N)] as Record<string, RefTiming> };
}

const results: Record<string, Record<string, unknown>> = {};
const rows: string[] = [];
rows.push('| N | L | reference | wall ms: ours / ref (median) | wall ratio | CPU ms: ours / ref (median) | CPU ratio | max abs diff g |');
rows.push('|---|---|---|---|---|---|---|---|');
let pyNote = noPython ? 'skipped (--no-python)' : '';
const ws = new RdfWorkspace();
const dir = mkdtempSync(join(tmpdir(), 'mddm-rdf-bench-'));
try {
  // Per case: time ours, then the reference right after (similar machine load for both).
  for (const c of cases) {
    const run = () => rdf(c.x, c.L, { rMax: RMAX, bins: BINS, workspace: ws });
    const g = run().g;
    const reps = c.N <= 1000 ? 5 * R : c.N <= 10_000 ? R : Math.max(2, R >> 1); // cheap cases: more repeats against noise
    const o = timeit(run, reps, c.N <= 10_000 ? 2 : 1);
    console.log(`@mddm/rdf N=${c.N} L=${c.L.toFixed(4)}: wall median ${o.median_ms} ms (min ${o.min_ms}), CPU median ${o.cpu_median_ms} ms (others_load ${o.others_load ?? 'n/a'})`);
    const entry: Record<string, unknown> = { L: +c.L.toFixed(4), mddm_rdf: o };
    results[String(c.N)] = entry;
    if (noPython || pyNote.startsWith('skipped')) {
      rows.push(`| ${c.N} | ${c.L.toFixed(3)} | - | ${o.median_ms} / - | - | ${o.cpu_median_ms} / - | - | - |`);
      continue;
    }
    console.log(`  reference (${PYTHON}, ${refDir}) ...`);
    const { refs, note } = runReference(c, dir);
    if (note) {
      pyNote = note;
      console.log(`  reference: ${note}`);
      rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${note} | ${o.median_ms} / - | - | ${o.cpu_median_ms} / - | - | - |`);
      continue;
    }
    for (const name of ['rdf_scipy', 'rdf_mda_capped', 'rdf_mda_interrdf']) {
      const t = refs?.[name];
      if (!t || t.error) {
        entry[name] = { error: t?.error ?? 'missing' };
        rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${name}: unavailable (${(t?.error ?? 'missing').slice(0, 60)}) | - | - | - | - | - |`);
        continue;
      }
      // rdf_scipy / rdf_mda_capped normalize by N^2 / V; ours and InterRDF (exclusion_block) by N (N - 1) / V
      const scale = name === 'rdf_mda_interrdf' ? 1 : c.N / (c.N - 1);
      let diff = 0;
      t.g!.forEach((v, b) => (diff = Math.max(diff, Math.abs(v * scale - g[b]))));
      const wall = o.median_ms / t.median_ms, cpu = o.cpu_median_ms / t.cpu_median_ms;
      const { g: _g, ...timing } = t;
      entry[name] = { ...timing, ratio_wall_median: +wall.toFixed(4), ratio_cpu_median: +cpu.toFixed(4), max_abs_diff_g: +diff.toExponential(2) };
      console.log(`  ${name}: wall median ${t.median_ms} ms, CPU median ${t.cpu_median_ms} ms (others_load ${t.others_load}) -> ratio wall ${wall.toFixed(3)}, CPU ${cpu.toFixed(3)}`);
      rows.push(`| ${c.N} | ${c.L.toFixed(3)} | ${name} | ${o.median_ms} / ${t.median_ms} | ${wall.toFixed(3)} | ${o.cpu_median_ms} / ${t.cpu_median_ms} | ${cpu.toFixed(3)} | ${diff.toExponential(1)} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('\n' + rows.join('\n') + '\n');
console.log('goal: ratio <= 1.0 (ours / reference). CPU = process user + system time (less sensitive to other jobs on this shared box).');
console.log('max abs diff g: rdf_scipy uses the same float64 coordinates (agreement to rounding); MDAnalysis works in float32, which moves a few pairs across bin edges.');
console.log(JSON.stringify({ rdf_bench: results, rMax: RMAX, bins: BINS, node: process.version, reference: pyNote || 'ok' }));
