/**
 * @packageDocumentation
 * Radial distribution function g(r) under periodic boundaries (SPEC §3 convention), multi-frame
 * averaging, partial (A-B) RDFs, coordination numbers, RDF-MSE and standalone SVG plots.
 */
export { RdfError } from './errors';
export type { RdfResult } from './result';
export { binEdges, shellVolumes } from './result';
export { RdfWorkspace } from './pairCounts';
export type { PairMethod } from './pairCounts';
export { rdf } from './rdf';
export type { RdfOptions } from './rdf';
export { RdfAccumulator } from './accumulator';
export { rdfMse } from './mse';
export { coordinationNumber } from './coordination';
export { firstShell, type FirstShell } from './firstShell';
export { rdfSvg } from './svg';
export type { RdfCurve, RdfSvgOptions } from './svg';
export { ensembleMetrics, type EnsembleMetrics, type RdfValues } from './ensemble';
