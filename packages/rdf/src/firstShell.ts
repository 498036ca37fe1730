import { describeValue } from '@mddm/core';
import { coordinationNumber } from './coordination';
import { RdfError } from './errors';
import { isRdfResult, type RdfResult } from './result';

/** The first coordination shell of a g(r): see {@link firstShell}. */
export interface FirstShell {
  /** Bin of the main peak (the highest g). */
  peakBin: number;
  /** Centre of that bin (LJ length units). */
  rPeak: number;
  /** g at the main peak (dimensionless). */
  gPeak: number;
  /** Bin of the first minimum after the peak. */
  minBin: number;
  /** Lower edge of that bin (LJ length units): where the first shell ends. */
  rMin: number;
  /** Mean number of neighbours closer than `rMin` (the coordination number of the first shell). */
  coordination: number;
}

/**
 * The main peak of g(r) and the first minimum after it: the first coordination shell.
 *
 * The main peak is the highest g (for the self-assembled OPP structures, liquids and crystals alike, the
 * first shell). The first minimum is the lowest g after it before g climbs `rise` above that lowest value
 * again: a minimum must be followed by a real rise, so the noise of a histogram does not end the shell
 * early. The coordination number is {@link coordinationNumber} at the minimum's lower edge. For OPP it
 * tells the structures apart: ~8 for a body-centred-cubic crystal (its first minimum lies at ~1.15 LJ,
 * before the 6 second neighbours), ~12 for close-packed crystals and for the dense liquid.
 *
 * @param result - an {@link RdfResult} (the coordination number needs its densities)
 * @param rise - how far (in g) past a minimum g must climb to close the shell (default 0.5)
 * @throws {@link RdfError} `RDF_BAD_VALUE` for something that is not an RdfResult or a bad `rise`
 */
export function firstShell(result: RdfResult, rise = 0.5): FirstShell {
  if (!isRdfResult(result)) throw new RdfError(`firstShell: expected an RdfResult, got ${describeValue(result)}`, 'RDF_BAD_VALUE');
  if (!(Number.isFinite(rise) && rise > 0)) throw new RdfError(`firstShell: rise must be a finite number > 0, got ${describeValue(rise)}`, 'RDF_BAD_VALUE');
  const g = result.g;
  let peak = 0;
  for (let i = 1; i < result.bins; i++) if (g[i] > g[peak]) peak = i;
  let min = peak;
  for (let i = peak; i < result.bins; i++) {
    if (g[i] < g[min]) min = i;
    else if (g[i] > g[min] + rise) break;
  }
  return {
    peakBin: peak, rPeak: result.centers[peak], gPeak: g[peak],
    minBin: min, rMin: result.edges[min], coordination: coordinationNumber(result)[min],
  };
}
