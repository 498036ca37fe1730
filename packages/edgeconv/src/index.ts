/**
 * @packageDocumentation
 * The periodic EdgeConv layer (PBC-Conv) of MDDM for TensorFlow.js, with fused CPU kernels.
 */
export { EdgeConvError } from './errors';
export type { EdgeGraph } from './graph';
export { buildGraph, graphFromKnn, validateGraph } from './graph';
export type { EdgeConvActivation, EdgeConvAggregation, EdgeConvKernel, PbcEdgeConvConfig } from './layer';
export { PbcEdgeConv, pbcEdgeConv } from './layer';
export { registerTfjsGradients } from './gradients';
export { setKernelThreads, terminateKernelWorkers, waitForKernelWorker } from './wasm';

import { ensureTfjsGradients } from './gradients';

// tfjs-core in Node registers no gradients; make tf.grad / optimizers work as soon as this package loads.
ensureTfjsGradients();
