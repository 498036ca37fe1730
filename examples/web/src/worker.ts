/**
 * The sampling worker: TensorFlow.js on its WebAssembly backend, the pretrained denoiser and
 * `sample` of @mddm/model run here, so the page stays responsive while a structure is generated.
 * (The @mddm/edgeconv WebAssembly kernel compiles synchronously on first use, which browsers allow
 * in workers; on the main thread Chrome would refuse a module above 4 KB.)
 */
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { sample, selectBackend, type DenoiserLike } from '@mddm/model';
import { loadPretrained, type PretrainedManifest, type PretrainedName } from '@mddm/pretrained';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(m, transfer);

let denoiser: DenoiserLike | null = null;
let manifest: PretrainedManifest | null = null;

function errorMessage(phase: 'load' | 'generate', e: unknown): FromWorker {
  const err = e as { message?: string; code?: unknown };
  return { type: 'error', phase, message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : null };
}

async function load(baseUrl: string, name: string): Promise<void> {
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
  const res = await sample(denoiser, {
    ...manifest.sampler,
    n: msg.n,
    box: msg.box,
    steps: msg.steps,
    corrector: msg.corrector ? manifest.sampler.corrector : undefined,
    seed: msg.seed,
    ...(msg.conditions ? { conditions: msg.conditions } : {}),
    onProgress: (p) => {
      evaluations = p.evaluations;
      post({ type: 'progress', step: p.step, steps: p.steps, evaluations: p.evaluations, elapsedMs: performance.now() - t0 });
    },
    onWarning: (message) => post({ type: 'warning', message }),
  });
  const positions = res.positions[0]!;
  post({ type: 'result', positions, box: res.box, elapsedMs: performance.now() - t0, evaluations, steps: msg.steps }, [positions.buffer]);
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'load') load(msg.baseUrl, msg.name).catch((e) => post(errorMessage('load', e)));
  else if (msg.type === 'generate') generate(msg).catch((e) => post(errorMessage('generate', e)));
};
