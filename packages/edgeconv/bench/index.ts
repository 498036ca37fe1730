/**
 * Benchmark of @mddm/edgeconv on the MDDM paper stack (N = 1000, k = 32, 8 PBC-Conv layers of 32,
 * DGCNN concat of all layer outputs + g -> output MLP 257 -> 128 -> 128 -> 3, MSE loss), side by side
 * with the PyTorch reference (../shared/reference/mddm_torch.py, factorized=True) in the same run.
 *
 *   pnpm --filter @mddm/edgeconv bench [--json] [--backend=wasm|cpu] [--kernel=fused|composed]
 *     [--repeats=7] [--no-torch] [--quick]
 *
 * trainStep = noise (Alg. 1) + periodic kNN graph + forward + backward + Adam;
 * sampleStep = graph + forward + Alg. 2 update. Medians over `repeats` after 2 warm-up runs.
 * With --json the last stdout line is one JSON object with trainStepMs and sampleStepMs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnnWorkspace } from '@mddm/pbc';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { buildGraph, pbcEdgeConv, setKernelThreads, waitForKernelWorker } from '../src/index';
import type { EdgeConvKernel, EdgeGraph, PbcEdgeConv } from '../src/index';

const args = new Map(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k!, v ?? 'true'] as const;
}));
const JSON_OUT = args.has('json');
const BACKEND = args.get('backend') ?? 'wasm';
const KERNEL = (args.get('kernel') ?? 'auto') as EdgeConvKernel;
const QUICK = args.has('quick');
const REPEATS = Number(args.get('repeats') ?? (QUICK ? 3 : 7));
const THREADS = Number(args.get('threads') ?? 2);
const N = 1000, K = 32, L = 10, LAYERS = 8, WIDTH = 32, OUT_WIDTH = 128, G = 1, T = 500;

const log = (...a: unknown[]) => { if (!JSON_OUT) console.log(...a); else console.error(...a); };

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}
const rand = lcg(1234);
function normal(): number {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** a_t = 1 - cos^2(pi/2 (t/(T+1) + s)/(1+s)): noise variance in box-fraction units (SPEC §1). */
const schedule = Float64Array.from({ length: T + 1 }, (_, t) => 1 - Math.cos(Math.PI / 2 * (t / (T + 1) + 0.008) / 1.008) ** 2);

class PaperModel {
  readonly convs: PbcEdgeConv[] = [];
  readonly head: tf.Variable[] = [];
  constructor(kernel: EdgeConvKernel) {
    for (let i = 0; i < LAYERS; i++) {
      this.convs.push(pbcEdgeConv({ inFeatures: i === 0 ? 0 : WIDTH, globalFeatures: G, hidden: [WIDTH, WIDTH],
        outFeatures: WIDTH, kernel, seed: i + 1 }));
    }
    const sizes = [LAYERS * WIDTH + G, OUT_WIDTH, OUT_WIDTH, 3];
    for (let l = 0; l < 3; l++) {
      const lim = Math.sqrt(6 / sizes[l]!);
      this.head.push(tf.variable(tf.randomUniform([sizes[l]!, sizes[l + 1]!], -lim, lim, 'float32', 7 + l)));
      this.head.push(tf.variable(tf.zeros([sizes[l + 1]!])));
    }
  }
  /** eps prediction [N, 3]. */
  apply(graph: EdgeGraph, tau: number): tf.Tensor2D {
    return tf.tidy(() => {
      const g = tf.tensor1d([tau]);
      const feats: tf.Tensor2D[] = [];
      let f: tf.Tensor2D | null = null;
      for (const conv of this.convs) { f = conv.apply(graph, f, g); feats.push(f); }
      feats.push(tf.tile(tf.reshape(g, [1, G]), [graph.n, 1]) as tf.Tensor2D);
      let h: tf.Tensor = tf.concat(feats, 1);
      for (let l = 0; l < 3; l++) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, this.head[2 * l] as tf.Tensor2D), this.head[2 * l + 1]!);
        if (l < 2) h = tf.relu(h);
      }
      return h as tf.Tensor2D;
    });
  }
  get variables(): tf.Variable[] { return [...this.convs.flatMap((c) => c.trainableWeights), ...this.head]; }
}

/** Matmul FLOPs of one forward pass (factorized first Linear), as mddm_torch.forward_flops. */
function forwardFlops(): number {
  const E = N * K;
  const lin = (m: number, i: number, o: number) => 2 * m * i * o;
  let f = LAYERS * (lin(E, 3, WIDTH) + 2 * lin(E, WIDTH, WIDTH) + lin(1, G, WIDTH));
  f += (LAYERS - 1) * 2 * lin(N, WIDTH, WIDTH);
  f += lin(N, LAYERS * WIDTH + G, OUT_WIDTH) + lin(N, OUT_WIDTH, OUT_WIDTH) + lin(N, OUT_WIDTH, 3);
  return f;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Wall-clock and process CPU time (all threads) per call. */
function time(fn: () => void, repeats: number, warmup = 2): { medianMs: number; minMs: number; cpuMs: number; runs: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const runs: number[] = [], cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { medianMs: median(runs), minMs: Math.min(...runs), cpuMs: median(cpu), runs: runs.map((r) => Math.round(r * 10) / 10) };
}

function runTorch(): Record<string, unknown> | string {
  if (args.has('no-torch')) return 'skipped (--no-torch)';
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = resolve(here, '..', '..', '..');
  const refDir = resolve(repoRoot, '..', 'shared', 'reference');
  if (!existsSync('/usr/bin/python3') || !existsSync(join(refDir, 'mddm_torch.py'))) {
    return `skipped (no /usr/bin/python3 or ${refDir}/mddm_torch.py)`;
  }
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(refDir)})
import bench_anchors as B
B.set_threads(2)
r = B.bench_model(${REPEATS}, factorized=True)
print(json.dumps({k: r[k] for k in ("train_step", "sample_step", "graph_build", "forward_nograd_given_graph", "forward_backward_given_graph")}))
`;
  const res = spawnSync('/usr/bin/python3', ['-c', script], {
    encoding: 'utf8', timeout: 600_000,
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' },
  });
  if (res.status !== 0) return `skipped (python failed: ${(res.stderr || String(res.error)).trim().split('\n').slice(-1)[0]})`;
  try {
    return JSON.parse(res.stdout.trim().split('\n').slice(-1)[0]!) as Record<string, unknown>;
  } catch {
    return 'skipped (unparsable python output)';
  }
}

function othersLoad(): number {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  };
  const a = read(), u0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + 500;
  while (performance.now() < until) { /* idle wait */ Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); }
  const b = read(), u1 = process.cpuUsage(u0);
  const secs = (performance.now() - t0) / 1000;
  return Math.round((((b - a) / 100) - (u1.user + u1.system) / 1e6) / secs * 100) / 100;
}

async function main(): Promise<void> {
  const ok = await tf.setBackend(BACKEND);
  if (!ok) throw new Error(`backend ${BACKEND} unavailable`);
  await tf.ready();
  setKernelThreads(THREADS);
  const workerUp = THREADS > 1 ? await waitForKernelWorker(10_000) : false;
  const loadBefore = othersLoad();
  const model = new PaperModel(KERNEL);
  const opt = tf.train.adam(0.005);
  const x0 = Float64Array.from({ length: 3 * N }, () => rand() * L);
  const xt = new Float64Array(3 * N);
  const epsArr = new Float32Array(3 * N);

  const workspace = new KnnWorkspace();
  let graphMs = 0;
  const trainStep = () => {
    const t = 1 + Math.floor(rand() * T);
    const s = L * Math.sqrt(schedule[t]!);
    for (let i = 0; i < 3 * N; i++) {
      epsArr[i] = normal();
      const v = x0[i]! + s * epsArr[i]!;
      xt[i] = v - L * Math.floor(v / L);
    }
    const t0 = performance.now();
    const graph = buildGraph(xt, L, K, { workspace });
    graphMs = performance.now() - t0;
    const eps = tf.tensor2d(epsArr, [N, 3]);
    const loss = opt.minimize(() => tf.mean(tf.squaredDifference(model.apply(graph, t / T), eps)) as tf.Scalar, true,
      model.variables);
    loss!.dataSync();
    tf.dispose([loss!, eps]);
  };
  const xs = Float64Array.from({ length: 3 * N }, () => rand() * L);
  const sampleStep = () => {
    const t = 250;
    const graph = buildGraph(xs, L, K, { workspace });
    const out = model.apply(graph, t / T);
    const e = out.dataSync();
    out.dispose();
    const at = schedule[t]!, am = schedule[t - 1]!;
    const c = L * (am / at - 1) * Math.sqrt(at), sigma = L * Math.sqrt(am * (at - am) / at);
    for (let i = 0; i < 3 * N; i++) {
      const v = xs[i]! + c * e[i]! + sigma * normal();
      xs[i] = v - L * Math.floor(v / L);
    }
  };

  log(`backend ${tf.getBackend()}, kernel ${KERNEL}, threads ${THREADS} (worker ${workerUp ? 'up' : 'off'}), N=${N} k=${K}, ${REPEATS} repeats (others' load ${loadBefore} cores)`);
  trainStep(); // creates Adam's slot variables (2 per weight), which are not a leak
  const tensorsBefore = tf.memory().numTensors;
  const train = time(trainStep, REPEATS);
  log(`train step  median ${train.medianMs.toFixed(1)} ms  (min ${train.minMs.toFixed(1)}; cpu ${train.cpuMs.toFixed(1)} ms; runs ${train.runs.join(' ')})`);
  const sample = time(sampleStep, REPEATS);
  log(`sample step median ${sample.medianMs.toFixed(1)} ms  (min ${sample.minMs.toFixed(1)}; cpu ${sample.cpuMs.toFixed(1)} ms; runs ${sample.runs.join(' ')})`);
  const graphT = time(() => buildGraph(xs, L, K, { workspace }), REPEATS);
  const g = buildGraph(xs, L, K, { workspace });
  const fwd = time(() => { const o = model.apply(g, 0.5); o.dataSync(); o.dispose(); }, REPEATS);
  log(`  graph ${graphT.medianMs.toFixed(1)} ms, forward ${fwd.medianMs.toFixed(1)} ms (last train graph ${graphMs.toFixed(1)} ms)`);
  const leaked = tf.memory().numTensors - tensorsBefore;
  const flops = forwardFlops();
  const trainFlops = 3 * flops;
  const result: Record<string, unknown> = {
    backend: tf.getBackend(), kernel: KERNEL, threads: THREADS, workerUp, N, k: K, layers: LAYERS, repeats: REPEATS,
    trainStepMs: round(train.medianMs), sampleStepMs: round(sample.medianMs),
    trainStepMinMs: round(train.minMs), sampleStepMinMs: round(sample.minMs),
    trainStepCpuMs: round(train.cpuMs), sampleStepCpuMs: round(sample.cpuMs),
    graphMs: round(graphT.medianMs), forwardMs: round(fwd.medianMs),
    forwardGflop: round(flops / 1e9, 3), trainGflopApprox3xForward: round(trainFlops / 1e9, 3),
    trainGflops: round(trainFlops / (train.medianMs / 1e3) / 1e9), forwardGflops: round(flops / (fwd.medianMs / 1e3) / 1e9),
    params: model.variables.reduce((s, v) => s + v.size, 0), tensorsLeaked: leaked, othersLoadBefore: loadBefore,
  };
  const torch = runTorch();
  result.torch = torch;
  if (typeof torch === 'object') {
    const med = (k: string) => (torch[k] as { median_ms: number }).median_ms;
    result.ratioTrain = round(train.medianMs / med('train_step'), 2);
    result.ratioSample = round(sample.medianMs / med('sample_step'), 2);
    log(`PyTorch (factorized, 2 threads): train ${med('train_step')} ms, sample ${med('sample_step')} ms, graph ${med('graph_build')} ms, forward ${med('forward_nograd_given_graph')} ms`);
    log(`ratio (ours / torch): train ${result.ratioTrain}x, sample ${result.ratioSample}x`);
  } else {
    log(`PyTorch: ${torch}`);
  }
  log(`forward ${result.forwardGflop} GFLOP -> ${result.forwardGflops} GFLOP/s; train step ~${result.trainGflopApprox3xForward} GFLOP -> ${result.trainGflops} GFLOP/s`);
  if (JSON_OUT) console.log(JSON.stringify(result));
  opt.dispose();
}

function round(x: number, d = 1): number { const p = 10 ** d; return Math.round(x * p) / p; }

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
