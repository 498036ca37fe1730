import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ModelError } from './errors';

/**
 * TensorFlow.js backends the model runs on.
 * - `'wasm'`: WebAssembly + SIMD (XNNPACK); works out of the box in Node and browsers. Default.
 * - `'cpu'`: plain JavaScript; always available, several times slower than `'wasm'`.
 * - `'tensorflow'`: native libtensorflow through `@tensorflow/tfjs-node` (or `-node-gpu`). NOT a
 *   dependency: install it yourself (`pnpm add @tensorflow/tfjs-node@4.22.0`); its install script
 *   downloads the libtensorflow shared library and therefore needs network access beyond the npm
 *   registry. Its version must match `@tensorflow/tfjs-core` (4.22) so both share one engine.
 * - `'auto'`: `'wasm'`, falling back to `'cpu'` if WebAssembly cannot be initialised.
 */
export type BackendName = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** For `'tensorflow'`: load `@tensorflow/tfjs-node-gpu` instead of `@tensorflow/tfjs-node`. */
  gpu?: boolean;
}

async function tryImport(name: string): Promise<boolean> {
  try {
    // A computed specifier keeps bundlers from resolving (and requiring) the optional package.
    const spec = name;
    await import(/* @vite-ignore */ spec);
    return true;
  } catch {
    return false;
  }
}

/**
 * Selects and initialises a TensorFlow.js backend for the model (global: affects all tensors).
 *
 * @param name - backend to use (default `'auto'`, see {@link BackendName})
 * @param options - see {@link SelectBackendOptions}
 * @returns the name of the active backend (`'wasm'`, `'cpu'` or `'tensorflow'`)
 * @throws ModelError `MODEL_BACKEND_UNAVAILABLE` if the requested backend cannot be loaded (e.g.
 *   `'tensorflow'` without `@tensorflow/tfjs-node` installed), `MODEL_BAD_CONFIG` for an unknown name
 */
export async function selectBackend(name: BackendName = 'auto', options: SelectBackendOptions = {}): Promise<string> {
  if (name !== 'auto' && name !== 'wasm' && name !== 'cpu' && name !== 'tensorflow') {
    throw new ModelError(`backend must be 'auto' | 'wasm' | 'cpu' | 'tensorflow', got ${describeValue(name)}`, 'MODEL_BAD_CONFIG');
  }
  if (name === 'tensorflow') {
    const pkg = options.gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    if (!(await tryImport(pkg)) || tf.findBackend('tensorflow') === null) {
      throw new ModelError(
        `backend 'tensorflow' needs ${pkg} (same version as @tensorflow/tfjs-core ${tf.version_core}); ` +
          `install it with \`pnpm add ${pkg}@${tf.version_core}\` (its install downloads libtensorflow)`,
        'MODEL_BACKEND_UNAVAILABLE',
      );
    }
    if (!(await tf.setBackend('tensorflow'))) {
      throw new ModelError(`backend 'tensorflow' failed to initialise`, 'MODEL_BACKEND_UNAVAILABLE');
    }
    await tf.ready();
    return tf.getBackend();
  }
  if (name === 'wasm' || name === 'auto') {
    let ok = false;
    try {
      ok = await tf.setBackend('wasm');
    } catch {
      ok = false;
    }
    if (ok) {
      await tf.ready();
      return tf.getBackend();
    }
    if (name === 'wasm') throw new ModelError(`backend 'wasm' failed to initialise`, 'MODEL_BACKEND_UNAVAILABLE');
  }
  if (!(await tf.setBackend('cpu'))) throw new ModelError(`backend 'cpu' failed to initialise`, 'MODEL_BACKEND_UNAVAILABLE');
  await tf.ready();
  silenceCpuBanner();
  return tf.getBackend();
}

/**
 * @internal The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ... install
 * our node backend" on its first tensor. Choosing `'cpu'` here is deliberate (and `'tensorflow'` is
 * documented on {@link BackendName}), so mark the banner as shown on this backend instance only,
 * instead of setting tfjs's global `PROD` flag (which would also turn off its debug checks).
 */
function silenceCpuBanner(): void {
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && typeof backend.firstUse === 'boolean') backend.firstUse = false;
}

/**
 * Throws unless a backend has been selected. Without one, tfjs would pick the registered backend of
 * highest priority (`'wasm'`), whose initialisation is asynchronous, and fail inside the first op
 * with "backend 'wasm' has not yet been initialized".
 * @param what - the entry point, for the message (e.g. `'createDenoiser'`)
 * @throws ModelError `MODEL_NO_BACKEND` naming what to call first
 */
export function requireBackend(what: string): void {
  const engine = tf.engine() as unknown as { backendName: string | null };
  if (engine.backendName) return;
  throw new ModelError(
    `${what} needs a TensorFlow.js backend: call \`await selectBackend()\` (or \`await ensureBackend()\`) from @mddm/model first`,
    'MODEL_NO_BACKEND',
  );
}

/**
 * Name of the active TensorFlow.js backend, initialising the default (`'auto'`) one if none is
 * active yet.
 * @returns `'wasm'`, `'cpu'` or `'tensorflow'`
 */
export async function ensureBackend(): Promise<string> {
  // tf.getBackend() would lazily pick the highest-priority registered backend; we prefer our order.
  const engine = tf.engine() as unknown as { backendName: string | null };
  if (engine.backendName) return engine.backendName;
  return selectBackend('auto');
}
