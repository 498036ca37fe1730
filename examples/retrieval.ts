/**
 * Retrieval-initialised sampling, measured: instead of starting from uniform noise, start each sample from
 * a LAMMPS training frame near the requested (k, phi, T), noised to `sigma` LJ, and denoise it at the
 * requested conditions (`variation`, SDEdit). The model keeps a crystal it is given up to ~0.2 LJ
 * (`examples/ordering.ts retention`), but does not make one from noise; a start from the nearest MD
 * structures hands it the polymorph choice MD made nearby (docs/conditional.md, "Retrieval-initialised sampling").
 *
 *   tsx examples/retrieval.ts --model opp-conditional --set opp-test [--sigma 0.25] [--samples 4] [--neighbours 3] [--scale 4,1,1] [--lookup] [--json FILE]
 *
 * `--lookup` scores the drawn start frames themselves (no model): the nearest-MD lookup baseline.
 *
 * The pool is every packed LAMMPS frame at training parameters (`opp-train`, `opp-train-ext`, `opp-train-twins`);
 * frames at the evaluated set's own parameters are left out (on `opp-test` there are none), so no sample
 * starts from one of its reference frames. Neighbours: nearest in the encoded (k, phi, T), each condition's distance
 * scaled (default: the shipped draw, `SHIPPED_DRAW` of retrievalDraw.ts), one drawn uniformly per sample. Metrics: SPEC §5, as
 * `mddm evaluate` (same reference frames and RDF options).
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { OPP_CONDITION_ENCODERS, nearestConditionRows, selectBackend, variation } from '@mddm/model';
import { createRng } from '@mddm/schedules';
import { ensembleMetrics, rdf, type RdfResult } from '@mddm/rdf';
import { loadModel } from './loadModel';
import { RDF_OPTIONS, SHIPPED_DRAW, conditionsOf, type PoolFrame } from './retrievalDraw';


/** One evaluated parameter set. */
export interface RetrievalRow { id: string; R: number; paperStyle: number; precision: number; coverage: number; mdFloor: number; paperFloor: number; starts: string[] }


/**
 * The `m` pool frames nearest to `given` (encoded (k, sin phi, cos phi, log T), each condition's features times
 * `scale`), skipping frames at exactly `given`'s parameters.
 */
export function nearestFrames(pool: PoolFrame[], given: number[], m: number, scale: number[]): number[] {
  const rows = pool.map(conditionsOf);
  const same = (i: number) => rows[i].every((v, c) => Math.abs(v - given[c]) < 1e-9);
  return nearestConditionRows(OPP_CONDITION_ENCODERS, rows, given, m, scale, same);
}

/** Evaluates retrieval-initialised sampling on `set` (see the header). */
export async function evaluateRetrieval(options: { model: string; set: 'opp-test' | 'opp-train'; sigmaLj: number; samples: number; neighbours: number; scale: number[]; limit?: number; lookup?: boolean; onRow?: (r: RetrievalRow) => void }): Promise<RetrievalRow[]> {
  await selectBackend('wasm');
  const { denoiser, sampler } = await loadModel(options.model);
  const pool: PoolFrame[] = [...(await loadDataset('opp-train')), ...(await loadDataset('opp-train-ext')), ...(await loadDataset('opp-train-twins'))];
  const frames = await loadDataset(options.set);
  const replicas = await loadDataset(`${options.set}-replicas` as 'opp-test-replicas');
  const rows: RetrievalRow[] = [];
  try {
    for (const [index, f] of frames.entries()) {
      const id = String(f.info.id);
      const refsFrames = [f, ...replicas.filter((r) => String(r.info.id).replace(/_s\d+$/, '') === id)];
      if (options.set === 'opp-train' && refsFrames.length < 2) continue;
      if (options.limit !== undefined && rows.length >= options.limit) break;
      const given = conditionsOf(f);
      const near = nearestFrames(pool, given, options.neighbours, options.scale);
      const rng = createRng(1000 * index);
      const gens: RdfResult[] = [];
      const starts: string[] = [];
      for (let m = 0; m < options.samples; m++) {
        const start = pool[near[rng.integer(0, near.length - 1)]];
        starts.push(String(start.info.id));
        // --lookup: the start frame itself (no model), the baseline the model has to beat
        const positions = options.lookup ? start.positions : (await variation(denoiser, start.positions, start.box, { ...sampler, sigmaLj: options.sigmaLj, count: 1, seed: 1000 * index + m, conditions: given })).positions[0];
        gens.push(rdf(positions, f.box, RDF_OPTIONS));
      }
      const refs = refsFrames.map((x) => rdf(x.positions, x.box, RDF_OPTIONS));
      const metrics = ensembleMetrics(gens, refs);
      const row = { id, R: refs.length, paperStyle: metrics.paperStyle, precision: metrics.precision, coverage: metrics.coverage, mdFloor: metrics.mdFloor, paperFloor: metrics.paperFloor, starts };
      rows.push(row);
      options.onRow?.(row);
    }
  } finally {
    denoiser.dispose();
  }
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({ args, options: { model: { type: 'string' }, set: { type: 'string' }, sigma: { type: 'string' }, samples: { type: 'string' }, neighbours: { type: 'string' }, scale: { type: 'string' }, limit: { type: 'string' }, json: { type: 'string' }, lookup: { type: 'boolean' } } });
  const set = values.set ?? 'opp-test';
  if (set !== 'opp-test' && set !== 'opp-train') throw new Error(`--set must be opp-test or opp-train, got ${set}`);
  const num = (v: string | undefined, d: number, name: string) => {
    const x = v === undefined ? d : Number(v);
    if (!(x > 0 && Number.isFinite(x))) throw new Error(`--${name} must be a positive number, got ${v}`);
    return x;
  };
  const scaleOf = (v: string | undefined) => {
    const x = v === undefined ? [...SHIPPED_DRAW.scale] : v.split(',').map(Number);
    if (x.length !== 3 || x.some((c) => !(c >= 0 && Number.isFinite(c)))) throw new Error(`--scale must be three numbers >= 0 (k, phi, T), got ${v}`);
    return x;
  };
  const options = {
    model: values.model ?? 'opp-conditional', set, sigmaLj: num(values.sigma, 0.25, 'sigma'), samples: num(values.samples, 4, 'samples'),
    neighbours: num(values.neighbours, SHIPPED_DRAW.neighbours, 'neighbours'), scale: scaleOf(values.scale),
    limit: values.limit === undefined ? undefined : num(values.limit, 1, 'limit'), lookup: values.lookup ?? false,
  } as const;
  const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '  n/a ');
  console.log(`${options.set}: ${options.lookup ? 'the start frames themselves (lookup, no model)' : 'retrieval-initialised samples'} from sigma ${options.sigmaLj} LJ, ${options.samples} per set, ${options.neighbours} neighbours (scale ${options.scale.join(',')}), model ${options.model}`);
  console.log(`${'set'.padEnd(34)}  R  paper  floor   prec  cover  mdfloor  starts`);
  const rows = await evaluateRetrieval({
    ...options,
    onRow: (r) => console.log(`${r.id.padEnd(34)} ${String(r.R).padStart(2)} ${f4(r.paperStyle)} ${f4(r.paperFloor)} ${f4(r.precision)} ${f4(r.coverage)} ${f4(r.mdFloor)}  ${r.starts.map((s) => s.slice(0, 4)).join(',')}`),
  });
  const mean = (k: 'paperStyle' | 'paperFloor' | 'precision' | 'coverage' | 'mdFloor') => rows.reduce((s, r) => s + (Number.isFinite(r[k]) ? r[k] : 0), 0) / rows.filter((r) => Number.isFinite(r[k])).length;
  console.log(`mean over ${rows.length} sets: paper-style ${f4(mean('paperStyle'))} (floor ${f4(mean('paperFloor'))}), precision ${f4(mean('precision'))}, coverage ${f4(mean('coverage'))} (MD floor ${f4(mean('mdFloor'))})`);
  if (values.json) await writeFile(values.json, JSON.stringify({ options, rows }, null, 1));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
