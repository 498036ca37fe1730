/**
 * The sampling worker: TensorFlow.js on its WebAssembly backend, the pretrained denoiser and
 * `sample` (from noise) or `retrievalSample` (from the MD frames nearest to the conditions, the
 * conditional model's default) of @mddm/model run here, so the page stays responsive while a structure
 * is generated.
 * (The @mddm/edgeconv WebAssembly kernel compiles synchronously on first use, which browsers allow
 * in workers; on the main thread Chrome would refuse a module above 4 KB.)
 */
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { loadConditionIndex, loadConditionPool, type ConditionFrame, type ConditionIndexEntry } from '@mddm/data';
import { retrievalNeighbours, retrievalSample, sample, selectBackend, type DenoiserLike, type SampleOptions } from '@mddm/model';
import { loadPretrained, type PretrainedManifest, type PretrainedName } from '@mddm/pretrained';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let denoiser: DenoiserLike | null = null;
let manifest: PretrainedManifest | null = null;
let dataUrl = '';
/**
 * The `nearest-md` pool's index (its frames' conditions, from the data manifest), fetched on the first such sample;
 * each sample then fetches only the frames it starts from (HTTP ranges of the framed data files) and keeps them.
 */
let index: Promise<ConditionIndexEntry[]> | null = null;
const frames = new Map<string, ConditionFrame>();

function errorMessage(phase: 'load' | 'generate', e: unknown): FromWorker {
  const err = e as { message?: string; code?: unknown };
  return { type: 'error', phase, message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : null };
}

async function load(baseUrl: string, name: string, data: string): Promise<void> {
  const t0 = performance.now();
  // the wasm binaries are bundled assets: no CDN, works offline
  setWasmPaths({
    'tfjs-backend-wasm.wasm': new URL(wasmPlain, self.location.href).href,
    'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, self.location.href).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, self.location.href).href,
  });
  const backend = await selectBackend('wasm');
  const m = await loadPretrained(name as PretrainedName, { baseUrl });
  denoiser?.dispose();
  denoiser = m.denoiser;
  manifest = m.manifest;
  dataUrl = data;
  index = null;
  frames.clear();
  const t = denoiser.training;
  post({
    type: 'loaded',
    info: {
      name,
      manifest,
      conditions: denoiser.conditions,
      density: t?.density ?? null,
      trainingN: t?.n ?? null,
      trainingBox: t?.box ?? null,
      backend,
      threads: backend === 'wasm' ? getThreadsCount() : 1,
      loadMs: performance.now() - t0,
    },
  });
}

async function generate(msg: Extract<ToWorker, { type: 'generate' }>): Promise<void> {
  if (!denoiser || !manifest) throw new Error('no model loaded');
  const t0 = performance.now();
  let evaluations = 0;
  const options: Omit<SampleOptions, 'n' | 'box'> = {
    ...manifest.sampler,
    steps: msg.steps,
    corrector: msg.corrector ? manifest.sampler.corrector : undefined,
    seed: msg.seed,
    onProgress: (p) => {
      evaluations = p.evaluations;
      post({ type: 'progress', step: p.step, steps: p.steps, evaluations: p.evaluations, elapsedMs: performance.now() - t0 });
    },
    onWarning: (message) => post({ type: 'warning', message }),
  };
  let start: string | undefined;
  let res;
  if (msg.init === 'nearest-md') {
    const init = manifest.init;
    if (!init || !msg.conditions) throw new Error(`model ${manifest.name} has no nearest-md start (manifest.init) or no conditions`);
    index ??= loadConditionIndex(init, { baseUrl: dataUrl });
    const entries = await index.catch((e: unknown) => {
      index = null; // a failed fetch is retried on the next sample
      throw e;
    });
    // only the frames this sample can start from, in the pool's order (so the draw is the whole pool's)
    const near = retrievalNeighbours(denoiser, entries.map((e) => e.conditions), msg.conditions, init).sort((a, b) => a - b).map((i) => entries[i]!.id);
    const missing = near.filter((id) => !frames.has(id));
    if (missing.length > 0) {
      for (const f of await loadConditionPool(init, { baseUrl: dataUrl, ids: missing })) frames.set(f.id, f);
      post({ type: 'pool', frames: missing.length, elapsedMs: performance.now() - t0 });
    }
    const pool = near.map((id) => frames.get(id)!);
    const r = await retrievalSample(denoiser, { ...options, pool, conditions: msg.conditions, sigmaLj: init.sigmaLj, neighbours: init.neighbours, scale: init.scale, draw: init.draw });
    start = pool[r.starts[0]!]!.id;
    res = r;
  } else {
    res = await sample(denoiser, { ...options, n: msg.n, box: msg.box, ...(msg.conditions ? { conditions: msg.conditions } : {}) });
  }
  const positions = res.positions[0]!;
  post({ type: 'result', positions, box: res.box, elapsedMs: performance.now() - t0, evaluations, steps: msg.steps, ...(start ? { start } : {}) }, [positions.buffer]);
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'load') load(msg.baseUrl, msg.name, msg.dataUrl).catch((e) => post(errorMessage('load', e)));
  else if (msg.type === 'generate') generate(msg).catch((e) => post(errorMessage('generate', e)));
};
