/**
 * @packageDocumentation
 * The periodic EdgeConv layer (PBC-Conv) of MDDM for TensorFlow.js, with fused CPU kernels.
 */
export type { Activation } from './activation';
export { ACTIVATIONS, activate } from './activation';
export type { Aggregation } from './aggregation';
export { AGGREGATIONS } from './aggregation';
export { EdgeConvError } from './errors';
export type { EdgeGraph } from './graph';
export { validateGraph } from './graph';
export type { BuildGraphOptions, GraphFromKnnOptions } from './buildGraph';
export { buildGraph, graphFromKnn } from './buildGraph';
export type { EdgeConvKernel, PbcEdgeConvConfig } from './config';
export { PbcEdgeConv, pbcEdgeConv } from './layer';
export { registerTfjsGradients } from './gradients';
export { setKernelThreads, terminateKernelWorkers, waitForKernelWorker } from './threads';

import { ensureTfjsGradients } from './gradients';

// tfjs-core in Node registers no gradients; make tf.grad / optimizers work as soon as this package loads.
ensureTfjsGradients();
