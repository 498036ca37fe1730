/**
 * @packageDocumentation
 * The periodic EdgeConv layer (PBC-Conv) for TensorFlow.js with fused CPU kernels.
 */
export const PACKAGE_NAME = '@mddm/edgeconv';
