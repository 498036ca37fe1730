/**
 * @packageDocumentation
 * Radial distribution function g(r) under periodic boundaries, multi-frame averaging, RDF-MSE and SVG plots.
 */
export const PACKAGE_NAME = '@mddm/rdf';
