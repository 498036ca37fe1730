/**
 * @packageDocumentation
 * `@mddm/metrics`: distances between generated and reference point clouds that need no periodic
 * box, starting with the debiased Sinkhorn divergence of the paper's shape task (Appendix B, SPEC
 * §6). Framework-free and browser-safe (depends on `@mddm/core` only). The periodic structure
 * metrics (g(r), RDF-MSE, coordination) stay in `@mddm/rdf`.
 */
export { MetricsError } from './errors';
export { entropicTransport, type EntropicTransport, type SinkhornOptions } from './entropicTransport';
export { sinkhornDivergence } from './sinkhornDivergence';
