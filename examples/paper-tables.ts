/**
 * Reproduces the paper's two tables from our runs and prints our rows beside the paper's.
 *
 * - Table 1 (RDF-MSE; the paper's bins are unknown, ours are 100 bins to 5 LJ): unconditional from
 *   the `sample.xyz` of `pnpm example -- --out DIR [--denoiser transolver]` against the training MD
 *   conformation; conditional (train / test) by sampling the checkpoints of
 *   `examples/train-conditional.ts [--denoiser transolver]` at the conditions of the first
 *   `--conditional-limit` conformations of opp-train and opp-test and comparing with each one's MD.
 * - Table A1 (Sinkhorn divergence, N = 1024, blur 0.05): from the `result.json` of
 *   `examples/shapes.ts --shape S --denoiser D --out DIR`, with the floor (two ideal samples).
 *
 *   pnpm tsx examples/paper-tables.ts --uncond-mddm out/uncond-mddm --uncond-transolver out/uncond-transolver \
 *     --cond-mddm out/cond-mddm/checkpoint --cond-transolver out/cond-transolver/checkpoint --shapes out/shapes
 *
 * Every flag is optional; missing runs print as "-". `--shapes P` reads P-<shape>-<denoiser>/result.json
 * (and P-<shape>-mddm-centroid/result.json for the MDDM + centroid row, `shapes.ts --centroid`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { readXyz } from '@mddm/io';
import { BALANCED_SAMPLER, loadDenoiser, sample, selectBackend } from '@mddm/model';
import { rdf, rdfMse } from '@mddm/rdf';

const RDF_OPTIONS = { bins: 100, rMax: 5 };

/** The paper's numbers (Table 1 and Table A1). */
export const PAPER = {
  table1: { transolver: [0.482, 0.523, 0.527], mddm: [0.023, 0.098, 0.126] },
  tableA1: { transolver: { sphere: 0.0746, torus: 0.0155 }, mddm: { sphere: 0.0796, torus: 0.0165 } },
} as const;

/** RDF-MSE of the first frame of `DIR/sample.xyz` against the shipped unconditional MD conformation. */
export async function unconditionalMse(dir: string): Promise<number | null> {
  const file = join(dir, 'sample.xyz');
  if (!existsSync(file)) return null;
  const [md] = await loadDataset('opp-unconditional');
  for await (const frame of readXyz(file)) {
    return rdfMse(rdf(frame.positions, frame.box, RDF_OPTIONS), rdf(md.positions, md.box, RDF_OPTIONS));
  }
  return null;
}

/**
 * Conditional RDF-MSE of a checkpoint on `set`: the mean paper-style RDF-MSE of
 * `DIR/eval-<set>.json` next to the checkpoint folder (written by `mddm evaluate --model DIR/checkpoint
 * --set <set> --json DIR/eval-<set>.json`: every set, M samples, SPEC §5) when it exists; else one
 * sample per conformation (its conditions, `BALANCED_SAMPLER`) of the first `limit` against that
 * conformation's MD.
 */
export async function conditionalMse(checkpoint: string, set: 'opp-train' | 'opp-test', limit: number, seed = 0): Promise<number | null> {
  const evaluated = join(checkpoint, '..', `eval-${set}.json`);
  if (existsSync(evaluated)) {
    const rows = (JSON.parse(await readFile(evaluated, 'utf8')) as { rows: { paperStyle: number }[] }).rows;
    return rows.reduce((a, r) => a + r.paperStyle, 0) / rows.length;
  }
  if (!existsSync(join(checkpoint, 'checkpoint.json'))) return null;
  const denoiser = await loadDenoiser(checkpoint);
  try {
    const frames = (await loadDataset(set)).slice(0, limit);
    let sum = 0;
    for (const [i, f] of frames.entries()) {
      const conditions = ['k', 'phi', 'T'].map((key) => Number(f.info[key]));
      const r = await sample(denoiser, {
        ...BALANCED_SAMPLER, n: f.positions.length / 3, box: f.box, conditions, seed: seed + i, onWarning: () => {},
      });
      sum += rdfMse(rdf(r.positions[0], f.box, RDF_OPTIONS), rdf(f.positions, f.box, RDF_OPTIONS));
    }
    return sum / frames.length;
  } finally {
    denoiser.dispose();
  }
}

/** Sinkhorn divergence and floor from a shapes `result.json`. */
export async function shapesResult(file: string): Promise<{ sinkhorn: number; floor: number; trainSeconds: number } | null> {
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as { sinkhorn: number; floor: number; trainSeconds: number };
}

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : v.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'uncond-mddm': { type: 'string' }, 'uncond-transolver': { type: 'string' }, 'cond-mddm': { type: 'string' }, 'cond-transolver': { type: 'string' },
      'conditional-limit': { type: 'string' }, shapes: { type: 'string' },
    },
  });
  await selectBackend('auto');
  const limit = Number(values['conditional-limit'] ?? 5);
  console.log('Table 1: RDF-MSE (ours: 100 bins to 5 LJ; paper bins unknown)');
  console.log('model        | unconditional | cond. train | cond. test | paper (uncond / train / test)');
  for (const kind of ['transolver', 'mddm'] as const) {
    const u = values[`uncond-${kind}`] ? await unconditionalMse(values[`uncond-${kind}`]!) : null;
    const ck = values[`cond-${kind}`];
    const tr = ck ? await conditionalMse(ck, 'opp-train', limit) : null;
    const te = ck ? await conditionalMse(ck, 'opp-test', limit) : null;
    console.log(`${kind.padEnd(12)} | ${fmt(u).padStart(13)} | ${fmt(tr).padStart(11)} | ${fmt(te).padStart(10)} | ${PAPER.table1[kind].join(' / ')}`);
  }
  console.log('\nTable A1: Sinkhorn divergence (ours: N = 1024, blur 0.05, debiased; paper N and parameters unknown)');
  console.log('model         | sphere (floor)     | torus (floor)      | paper sphere / torus');
  // the paper's two rows, then MDDM with the centroid input (`shapes.ts --centroid`, not in the paper)
  const rows = [['transolver', 'transolver'], ['mddm', 'mddm'], ['mddm+centroid', 'mddm-centroid']] as const;
  for (const [label, suffix] of rows) {
    const cells: string[] = [];
    for (const shape of ['sphere', 'torus'] as const) {
      const r = values.shapes ? await shapesResult(`${values.shapes}-${shape}-${suffix}/result.json`) : null;
      cells.push(r ? `${fmt(r.sinkhorn, 4)} (${fmt(r.floor, 4)})`.padEnd(18) : '-'.padEnd(18));
    }
    const paper = label === 'mddm+centroid' ? '-' : `${PAPER.tableA1[label].sphere} / ${PAPER.tableA1[label].torus}`;
    console.log(`${label.padEnd(13)} | ${cells.join(' | ')} | ${paper}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
