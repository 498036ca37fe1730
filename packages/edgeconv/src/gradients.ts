import * as tf from '@tensorflow/tfjs-core';
import { tfjsGradConfigs } from './generated/tfjs-gradients';

let registered = false;

/**
 * Registers the gradients of every tfjs-core kernel (matMul, relu, gather, max, concat, ...) with the
 * running tfjs engine, skipping kernels that already have one. Importing `@mddm/edgeconv` calls it
 * once; it is exported so applications can call it explicitly (it is idempotent).
 *
 * Why it exists: in Node, `@tensorflow/tfjs-core` resolves to `dist/tf-core.node.js`, which registers
 * NO gradients (so `tf.grad` / optimizers fail with "gradient function not found"), and the official
 * side-effect import `@tensorflow/tfjs-core/dist/register_all_gradients` only loads through a bundler
 * (vite/vitest, webpack): plain Node and tsx reject its extensionless ESM imports. This package ships
 * those configs pre-bundled (`src/generated/tfjs-gradients.ts`, generated from tfjs-core 4.22.0), so
 * gradients work from the ESM and CJS builds alike. The full `@tensorflow/tfjs` package registers
 * them itself; then this is a no-op.
 *
 * @returns the number of gradients newly registered (0 when all were present)
 */
export function registerTfjsGradients(): number {
  let count = 0;
  for (const config of tfjsGradConfigs as readonly tf.GradConfig[]) {
    if (tf.getGradient(config.kernelName) == null) {
      tf.registerGradient(config);
      count++;
    }
  }
  registered = true;
  return count;
}

/** @internal Registers the gradients once per process. */
export function ensureTfjsGradients(): void {
  if (!registered) registerTfjsGradients();
}
