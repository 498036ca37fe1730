/**
 * Forces from a denoiser vs the analytic OPP force (issue 13, SPEC §8): on the MD replicas at the
 * model's state point (k = 7, phi = 1, T = 0.03; frames the unconditional model never saw), the mean
 * per-atom cosine similarity, the median magnitude ratio |F_hat| / |F_OPP| and the relative RMS error
 * at several noise levels sigma, and the log-log slope of the relative squared error above the best
 * sigma (the seed paper's Taylor argument predicts an error term growing like sigma^4).
 *
 *   nice -n 15 pnpm exec tsx examples/forces.ts [--model opp-unconditional] [--frames 4] [--json out/forces.json] [--sigmas 0.005,0.01] [--symmetry-average]
 *
 * `--symmetry-average` reads the force averaged over the 48 symmetries of the cube (`forces(..., {
 * symmetryAverage: true })`, 48 network evaluations per frame and sigma).
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { oppForces } from '@mddm/io';
import { forceAgreement, forces, selectBackend, trainedNoiseRange, type DenoiserLike } from '@mddm/model';
import { loadModel } from './loadModel';
import { mdFrames } from './mdData';

/** One noise level of {@link measureForces}. */
export interface ForceRow {
  sigma: number;
  meanCosine: number;
  medianRatio: number;
  /** Relative RMS error `|F_hat - F| / |F|` over all atoms and frames. */
  relativeRmse: number;
}

/** Result of {@link measureForces}. */
export interface ForceMeasurement {
  rows: ForceRow[];
  /** The sigma with the highest mean cosine. */
  best: ForceRow;
  /** Log-log slope of relativeRmse^2 vs sigma over the levels from the best one up (sigma^4 predicts 4). */
  slopeAboveBest: number;
}

/** Least-squares slope of log y against log x. */
function logSlope(x: number[], y: number[]): number {
  const lx = x.map(Math.log), ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0, den = 0;
  lx.forEach((v, i) => { num += (v - mx) * (ly[i] - my); den += (v - mx) ** 2; });
  return num / den;
}

/**
 * Measures force agreement at every sigma of `sigmas` inside the trained band.
 * @param denoiser - a trained unconditional denoiser at k = 7, phi = 1, T = 0.03
 * @param frames - MD frames `{ positions, box }`
 * @param sigmas - noise levels (LJ units); those outside the trained band are skipped
 * @param kT - temperature of the training data (LJ units)
 * @param symmetryAverage - average each force over the box's symmetries (`ForceOptions.symmetryAverage`)
 */
export function measureForces(denoiser: DenoiserLike, frames: { positions: Float64Array; box: [number, number, number] }[], sigmas: number[], kT = 0.03, symmetryAverage = false): ForceMeasurement {
  const range = trainedNoiseRange(denoiser);
  const ref = frames.map((f) => oppForces(f.positions, f.box, { k: 7, phi: 1 }, { cutoff: 3 }).forces);
  const rows: ForceRow[] = [];
  for (const sigma of sigmas.filter((s) => s >= range.sigmaMinLj && s <= range.sigmaMaxLj)) {
    let cos = 0, ratio = 0, err = 0;
    frames.forEach((f, i) => {
      const a = forceAgreement(forces(denoiser, f.positions, f.box, { sigma, kT, symmetryAverage }), ref[i]);
      cos += a.meanCosine / frames.length;
      ratio += a.medianRatio / frames.length;
      err += a.relativeRmse ** 2 / frames.length;
    });
    rows.push({ sigma, meanCosine: cos, medianRatio: ratio, relativeRmse: Math.sqrt(err) });
  }
  const best = rows.reduce((b, r) => (r.meanCosine > b.meanCosine ? r : b), rows[0]);
  const above = rows.filter((r) => r.sigma >= best.sigma);
  const slopeAboveBest = above.length >= 2 ? logSlope(above.map((r) => r.sigma), above.map((r) => r.relativeRmse ** 2)) : NaN;
  return { rows, best, slopeAboveBest };
}

export const DEFAULT_SIGMAS = [0.001, 0.0015, 0.002, 0.003, 0.005, 0.007, 0.0102, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, frames: { type: 'string' }, json: { type: 'string' }, sigmas: { type: 'string' }, 'symmetry-average': { type: 'boolean' } } });
  await selectBackend();
  const { denoiser } = await loadModel(values.model ?? 'opp-unconditional');
  const frames = (await mdFrames('opp-replicas')).slice(0, Number(values.frames ?? 4));
  const sigmas = values.sigmas === undefined ? DEFAULT_SIGMAS : values.sigmas.split(',').map(Number);
  if (sigmas.some((x) => !(x > 0))) throw new Error(`--sigmas must be positive numbers, comma-separated, got ${values.sigmas}`);
  const r = measureForces(denoiser, frames, sigmas, 0.03, values['symmetry-average'] === true);
  console.log(`trained noise band: ${JSON.stringify(trainedNoiseRange(denoiser))}`);
  console.log('sigma (LJ) | mean cosine | median |F|/|F_opp| | relative RMSE');
  for (const row of r.rows) console.log(`${row.sigma.toFixed(4)} | ${row.meanCosine.toFixed(3)} | ${row.medianRatio.toFixed(3)} | ${row.relativeRmse.toFixed(3)}`);
  console.log(`best sigma ${r.best.sigma} (cosine ${r.best.meanCosine.toFixed(3)}, ratio ${r.best.medianRatio.toFixed(3)}); slope of log(rel. MSE) vs log(sigma) above it: ${r.slopeAboveBest.toFixed(2)} (sigma^4 -> 4)`);
  if (values.json) await writeFile(values.json, JSON.stringify(r, null, 2));
  denoiser.dispose();
}
