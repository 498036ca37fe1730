import { RdfError } from './errors';
import { rdfMse } from './mse';
import type { RdfResult } from './result';

/** A curve as {@link rdfMse} takes it: g values `[bins]` or an {@link RdfResult}. */
export type RdfValues = ArrayLike<number> | RdfResult;

/**
 * How well a set of generated RDFs matches a set of MD RDFs at one parameter set (SPEC §5). MD can be
 * multimodal at fixed parameters (two polymorphs, or glass vs crystal), so one sample against one MD
 * frame measures MD's own scatter as much as the model; these metrics compare sets. All values are
 * RDF-MSE (SPEC §3), lower is better; each metric comes with the score a perfect generator (MD
 * itself) gets.
 */
export interface EnsembleMetrics {
  /** Paper-style: `mean_m RDF-MSE(x_m, y_1)` (every sample against the first MD frame, as in the paper's Table 1). */
  paperStyle: number;
  /** Its floor: `mean_{r > 1} RDF-MSE(y_r, y_1)` (what independent MD replicas score). */
  paperFloor: number;
  /**
   * Standard error of {@link paperStyle} as a mean over the M samples (sample standard deviation / sqrt(M);
   * NaN for M = 1). On a multimodal set one sample is either near the first frame or a whole polymorph away,
   * so 4 samples leave an error of the order of the score itself: report it beside the mean.
   */
  paperStyleSe: number;
  /** Standard error of {@link paperFloor} as a mean over the R - 1 replicas (NaN for R = 2). */
  paperFloorSe: number;
  /** Precision (is every sample some MD outcome?): `mean_m min_r RDF-MSE(x_m, y_r)`. */
  precision: number;
  /** Coverage (is every MD outcome generated?): `mean_r min_m RDF-MSE(y_r, x_m)`. */
  coverage: number;
  /** MD floor of precision and coverage: `mean_r min_{r' != r} RDF-MSE(y_r, y_r')`. */
  mdFloor: number;
  /** Number of generated samples M. */
  samples: number;
  /** Number of MD frames R. */
  references: number;
}

/**
 * The SPEC §5 metrics of `samples` (M generated RDFs) against `references` (R >= 2 MD RDFs of the same
 * parameter set; `references[0]` is the frame the paper-style score uses). O(M R + R^2) RDF-MSEs.
 *
 * @param samples - generated RDFs, M >= 1, all with the same binning as the references
 * @param references - MD RDFs, R >= 2 (first = the paper's test frame)
 * @returns {@link EnsembleMetrics}
 * @throws {@link RdfError} `RDF_BAD_VALUE` for M < 1 or R < 2; `RDF_MISMATCH` (from {@link rdfMse}) for different binnings
 */
export function ensembleMetrics(samples: readonly RdfValues[], references: readonly RdfValues[]): EnsembleMetrics {
  if (!Array.isArray(samples) || samples.length < 1) throw new RdfError(`ensembleMetrics: samples must hold at least one RDF, got ${samples?.length ?? samples}`, 'RDF_BAD_VALUE');
  if (!Array.isArray(references) || references.length < 2) {
    throw new RdfError(`ensembleMetrics: references must hold at least 2 MD RDFs (the floors compare MD with MD), got ${references?.length ?? references}`, 'RDF_BAD_VALUE');
  }
  const M = samples.length, R = references.length;
  const xy = samples.map((x) => references.map((y) => rdfMse(x, y))); // [M][R]
  const yy = references.map((a, r) => references.map((b, s) => (r === s ? Infinity : s < r ? NaN : rdfMse(a, b))));
  for (let r = 0; r < R; r++) for (let s = 0; s < r; s++) yy[r][s] = yy[s][r];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  // sample standard deviation / sqrt(n): the error of a mean of n independent draws
  const se = (v: number[]) => (v.length < 2 ? NaN : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1) / v.length));
  return {
    paperStyle: mean(xy.map((row) => row[0])),
    paperFloor: mean(yy.slice(1).map((row) => row[0])),
    paperStyleSe: se(xy.map((row) => row[0])),
    paperFloorSe: se(yy.slice(1).map((row) => row[0])),
    precision: mean(xy.map((row) => Math.min(...row))),
    coverage: mean(references.map((_, r) => Math.min(...xy.map((row) => row[r])))),
    mdFloor: mean(yy.map((row) => Math.min(...row))),
    samples: M,
    references: R,
  };
}
