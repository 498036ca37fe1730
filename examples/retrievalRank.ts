/**
 * Can a score pick the right start frame among the pool's nearest better than the distance in (k, phi, T)?
 * A negative result, kept so it can be re-run (docs/conditional.md, "Ranking the nearest frames"):
 *
 *   tsx examples/retrievalRank.ts [--model opp-conditional] [--candidates 8] [--sigma 0.05] [--limit N] [--json FILE]
 *
 * Retrieval-initialised sampling (`retrievalSample`) starts from one of the nearest MD frames; where MD's structure
 * changes between nearby parameters, the nearest frames hold the wrong one. Two scores that could tell, computed for
 * each of the `candidates` nearest frames (shipped distance) at the requested (k, phi, T):
 * - `energy`: the frame's OPP energy per particle under the requested (k, phi) (`oppTotalEnergy`): does MD make the
 *   lowest-energy structure?
 * - `classifier`: the model's noise-prediction error at the requested conditions minus at the null condition, the frame
 *   noised to `sigma` LJ with one noise draw shared by all candidates (the diffusion-classifier score of Li et al.
 *   2023, "Your diffusion model is secretly a zero-shot classifier"): lower = the model finds the structure more
 *   typical of these conditions than of conditions in general.
 *
 * Targets: the `opp-train-ext` frames the model never saw in training (after the first `--ext-sets` of its
 * manifest's command), one frame each, and the 25 `opp-test` sets (their frame and replicas). The lookup picks the
 * `m` best candidates by a score (or the `m` nearest) and is scored by RDF-MSE (SPEC §3) against the target's frame
 * (paper-style) and, on `opp-test`, the nearest of its MD frames (precision).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { oppTotalEnergy } from '@mddm/io';
import { selectBackend, timeInputAtSigma, type DenoiserLike } from '@mddm/model';
import { createRng } from '@mddm/schedules';
import { rdf, rdfMse } from '@mddm/rdf';
import type { Vec3Array } from '@mddm/pbc';
import { loadModel } from './loadModel';
import { nearestFrames } from './retrieval';
import { RDF_OPTIONS, SHIPPED_DRAW, conditionsOf, type PoolFrame } from './retrievalDraw';

/** One candidate start frame of a target, nearest first: its scores and its RDF-MSE to the target's MD frames. */
export interface RankCandidate { energy: number; classifier: number; rdfMse: number[] }

/** The rankings compared: by distance (the shipped draw), by energy, by classifier score. */
export type RankBy = 'distance' | 'energy' | 'classifier';

/**
 * The diffusion-classifier score of one frame (see the header): mean over the `[N, 3]` components of
 * `(eps_c - eps)^2 - (eps_null - eps)^2`, the frame noised by `sigmaLj * eps` (wrapped into the box).
 * @param eps - the standard-normal noise `[N, 3]` (share it between the frames compared)
 */
export function classifierScore(denoiser: DenoiserLike, positions: Vec3Array, box: [number, number, number], conditions: number[], sigmaLj: number, eps: Float64Array): number {
  const noisy = new Float64Array(positions.length);
  for (let i = 0; i < noisy.length; i++) {
    const L = box[i % 3];
    const v = positions[i] + sigmaLj * eps[i];
    noisy[i] = v - L * Math.floor(v / L);
  }
  const tau = timeInputAtSigma(denoiser, sigmaLj);
  const withC = denoiser.predict(noisy, box, tau, { conditions });
  const withNull = denoiser.predict(noisy, box, tau, { conditions: null });
  let s = 0;
  for (let i = 0; i < noisy.length; i++) s += (withC[i] - eps[i]) ** 2 - (withNull[i] - eps[i]) ** 2;
  return s / noisy.length;
}

/**
 * The lookup of a ranking: per target, the `m` best of its first `candidates` candidates by `by` (lowest score;
 * `distance`: the first `m`), scored by their mean RDF-MSE to the target's first frame (paper-style) and to its
 * nearest frame (precision); means over targets.
 */
export function rankedLookup(targets: readonly RankCandidate[][], by: RankBy, candidates: number, m: number): { paperStyle: number; precision: number } {
  let ps = 0, pr = 0;
  for (const cands of targets) {
    const first = cands.slice(0, candidates);
    const order = first.map((c, i) => i);
    if (by !== 'distance') order.sort((a, b) => first[a][by] - first[b][by] || a - b);
    const chosen = order.slice(0, m).map((i) => first[i]);
    ps += chosen.reduce((s, c) => s + c.rdfMse[0], 0) / chosen.length;
    pr += chosen.reduce((s, c) => s + Math.min(...c.rdfMse), 0) / chosen.length;
  }
  return { paperStyle: ps / targets.length, precision: pr / targets.length };
}

/** Scores the `candidates` nearest pool frames of one target (frames: the target's MD frames, first = its own). */
function scoreTarget(denoiser: DenoiserLike, pool: PoolFrame[], frames: PoolFrame[], candidates: number, sigmaLj: number, seed: number): RankCandidate[] {
  const given = conditionsOf(frames[0]);
  const refs = frames.map((f) => rdf(f.positions, f.box, RDF_OPTIONS));
  const rng = createRng(seed);
  const eps = Float64Array.from({ length: frames[0].positions.length }, () => rng.normal());
  return nearestFrames(pool, given, candidates, [...SHIPPED_DRAW.scale]).map((j) => {
    const f = pool[j];
    const g = rdf(f.positions, f.box, RDF_OPTIONS);
    return {
      energy: oppTotalEnergy(f.positions, f.box, { k: given[0], phi: given[1] }) / (f.positions.length / 3),
      classifier: classifierScore(denoiser, f.positions, f.box, given, sigmaLj, eps),
      rdfMse: refs.map((r) => rdfMse(g, r)),
    };
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({ args, options: { model: { type: 'string' }, candidates: { type: 'string' }, sigma: { type: 'string' }, limit: { type: 'string' }, json: { type: 'string' } } });
  const model = values.model ?? 'opp-conditional';
  const candidates = Number(values.candidates ?? 8), sigmaLj = Number(values.sigma ?? 0.05), limit = Number(values.limit ?? Infinity);
  await selectBackend('wasm');
  const { denoiser } = await loadModel(model);
  // ext frames the model trained on: from a pretrained manifest's command; a checkpoint directory: pass none seen
  const manifestUrl = new URL(`../packages/pretrained/models/${model}/model.json`, import.meta.url);
  const command = existsSync(manifestUrl) ? String(JSON.parse(readFileSync(manifestUrl, 'utf8')).command) : '';
  const seen = Number(/--ext-sets (\d+)/.exec(command)?.[1] ?? 0);
  const ext = (await loadDataset('opp-train-ext')) as PoolFrame[];
  const pool = [...(await loadDataset('opp-train')), ...ext, ...(await loadDataset('opp-train-twins'))] as PoolFrame[];
  const test = (await loadDataset('opp-test')) as PoolFrame[];
  const replicas = (await loadDataset('opp-test-replicas')) as PoolFrame[];
  const groups: Record<string, PoolFrame[][]> = {
    'opp-train-ext (unseen)': ext.slice(seen).slice(0, limit).map((f) => [f]),
    'opp-test': test.slice(0, limit).map((f) => [f, ...replicas.filter((r) => String(r.info.id).replace(/_s\d+$/, '') === String(f.info.id))]),
  };
  const report: Record<string, unknown> = { model, candidates, sigmaLj, unseenFrom: seen };
  for (const [name, targets] of Object.entries(groups)) {
    const scored = targets.map((frames, i) => scoreTarget(denoiser, pool, frames, candidates, sigmaLj, i + 1));
    const rows = (['distance', 'energy', 'classifier'] as const).flatMap((by) => [1, 3].map((m) => ({ by, m, ...rankedLookup(scored, by, candidates, m) })));
    console.log(`${name}: ${targets.length} targets, the best m of the ${candidates} nearest (distance: the m nearest)`);
    for (const r of rows) console.log(`  ${r.by.padEnd(10)} m=${r.m}  paper-style ${r.paperStyle.toFixed(4)}  precision ${r.precision.toFixed(4)}`);
    report[name] = { targets: targets.length, rows };
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 1)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
