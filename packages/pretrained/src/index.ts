/**
 * @packageDocumentation
 * `@mddm/pretrained`: trained MDDM denoisers, loadable in one call ({@link loadPretrained}) in Node
 * and in the browser. Each model's folder (`models/<name>/`) holds its checkpoint and a manifest
 * ({@link PretrainedManifest}) with its training data, recipe, the command that reproduces it and
 * its measured quality.
 */
export { PRETRAINED_NAMES, PRETRAINED_MANIFEST, type PretrainedName, type PretrainedManifest } from './manifest';
export { loadPretrained, type LoadPretrainedOptions, type PretrainedModel } from './load';
