/**
 * The structure conditions of `train-conditional.ts --structure-conditions`: each training frame's g(r)
 * main-peak height and first-shell coordination (`shellOf`, `firstShell` of @mddm/rdf) as two more
 * conditions, drawn at sampling time from the training frames nearest in (k, phi, T) (`drawConditions` of
 * @mddm/model). The model then no longer has to average the ordered and the disordered structure where
 * MD makes both (docs/conditional.md, "Conditioning on the structure").
 *
 * How to draw is chosen by leave-one-set-out cross-validation on the training data, not on an evaluation set:
 *
 *   tsx examples/structureConditions.ts cv [--ext-sets 52] [--twin-sets 175] [--json FILE]
 *
 * For every training parameter set, the structure classes (`structureClass`: bcc / crystal / disordered) of
 * its own frames against those of the `neighbours` nearest frames at other parameter sets, as the total
 * variation distance between the two class distributions, averaged over the sets; for a grid of the number of
 * neighbours and of the distance scale of k.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from '@mddm/data';
import { OPP_CONDITION_ENCODERS, nearestTrainingFrames, type ConditionEncoder, type DenoiserLike } from '@mddm/model';
import type { Vec3Array } from '@mddm/pbc';
import { shellOf, structureClass, type StructureClass } from './ordering';

/**
 * Encoders of the structure conditions: main-peak height of g(r) on a log scale over [2, 12] (the
 * training frames span 3-10: liquid-like ~3-6, crystals 6-10) and the first-shell coordination number,
 * linear over [2, 20] (bcc 8, close-packed 12; the frames span 3-20).
 */
export const STRUCTURE_CONDITION_ENCODERS: ConditionEncoder[] = [{ kind: 'log', range: [2, 12] }, { kind: 'linear', range: [2, 20] }];

/** The frame-info names of the structure conditions, in the order of {@link STRUCTURE_CONDITION_ENCODERS}. */
export const STRUCTURE_CONDITION_KEYS = ['gPeak', 'coordination'] as const;

/**
 * How `sample` draws them (recorded in the model, `TrainingInfo.draw`): uniformly among the 3 training frames
 * nearest in (k, phi, T), k's distance counted 4 times (k scaled to [0, 1] over 1-15, phi as a unit
 * circle, T on a log scale over 0.01-0.05). Chosen by {@link drawCrossValidation} on the 427 training frames:
 * k scale 4 gives a class disagreement of 0.224-0.228 for 2-4 neighbours (scale 1: 0.258-0.286); 3 is the
 * middle of that flat optimum (docs/conditional.md).
 */
export const STRUCTURE_DRAW = { neighbours: 3, scale: [4, 1, 1] };

/** The frames with their structure conditions (`gPeak`, `coordination` of their first shell) added to their info. */
export function withStructureConditions<F extends { positions: Vec3Array; box: [number, number, number]; info: Record<string, unknown> }>(frames: F[]): F[] {
  return frames.map((f) => ({ ...f, info: { ...f.info, ...shellOf(f.positions, f.box) } }));
}

/** One cell of {@link drawCrossValidation}: mean total variation over the held-out parameter sets. */
export interface DrawCvRow { neighbours: number; kScale: number; meanTv: number; sets: number }

/**
 * Leave-one-set-out cross-validation of the draw (see the header).
 * @param frames - training frames with `k`, `phi`, `T` in their info
 * @returns one row per (neighbours, kScale)
 */
export function drawCrossValidation(frames: { positions: Vec3Array; box: [number, number, number]; info: Record<string, unknown> }[], neighbours: number[], kScales: number[]): DrawCvRow[] {
  const rows = frames.map((f) => [Number(f.info.k), Number(f.info.phi), Number(f.info.T), 0, 0]);
  const classes: StructureClass[] = frames.map((f) => structureClass(shellOf(f.positions, f.box)));
  // A stand-in with just what nearestTrainingFrames reads: the encoders and the table.
  const table = {
    conditions: 5, conditionEncoders: [...OPP_CONDITION_ENCODERS, ...STRUCTURE_CONDITION_ENCODERS],
    training: { drawnConditions: 2, conditionRows: rows },
  } as unknown as DenoiserLike;
  const key = (r: number[]) => r.slice(0, 3).map((v) => v.toFixed(5)).join(',');
  const sets = new Map<string, number[]>();
  rows.forEach((r, i) => sets.set(key(r), [...(sets.get(key(r)) ?? []), i]));
  const out: DrawCvRow[] = [];
  for (const kScale of kScales) {
    for (const m of neighbours) {
      let tv = 0;
      for (const members of sets.values()) {
        const near = nearestTrainingFrames(table, rows[members[0]].slice(0, 3), { neighbours: m + members.length, scale: [kScale, 1, 1] })
          .filter((i) => !members.includes(i)).slice(0, m);
        tv += totalVariation(members.map((i) => classes[i]), near.map((i) => classes[i]));
      }
      out.push({ neighbours: m, kScale, meanTv: tv / sets.size, sets: sets.size });
    }
  }
  return out;
}

/** Total variation distance between the class frequencies of two lists. */
export function totalVariation(a: StructureClass[], b: StructureClass[]): number {
  const all: StructureClass[] = ['bcc', 'crystal', 'disordered'];
  return 0.5 * all.reduce((s, c) => s + Math.abs(a.filter((x) => x === c).length / a.length - b.filter((x) => x === c).length / b.length), 0);
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({ args: rest, options: { 'ext-sets': { type: 'string' }, 'twin-sets': { type: 'string' }, json: { type: 'string' } } });
  if (mode !== 'cv') throw new Error('usage: tsx examples/structureConditions.ts cv [--ext-sets 52] [--twin-sets 175] [--json FILE]');
  const ext = Number(values['ext-sets'] ?? 52);
  const twins = Number(values['twin-sets'] ?? 175);
  const frames = [...(await loadDataset('opp-train')), ...(await loadDataset('opp-train-ext')).slice(0, ext), ...(await loadDataset('opp-train-twins')).slice(0, twins)];
  const rows = drawCrossValidation(frames, [1, 2, 3, 4, 6, 8], [1, 2, 4, 8]);
  console.log(`${frames.length} training frames, ${rows[0].sets} parameter sets; mean total variation of structure classes (held-out set vs drawn neighbours)`);
  console.log(`k scale | ${[1, 2, 3, 4, 6, 8].map((m) => `M=${m}`.padStart(6)).join(' ')}`);
  for (const s of [1, 2, 4, 8]) console.log(`${String(s).padStart(7)} | ${rows.filter((r) => r.kScale === s).map((r) => r.meanTv.toFixed(3).padStart(6)).join(' ')}`);
  if (values.json) await writeFile(values.json, JSON.stringify({ frames: frames.length, rows }, null, 1));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
