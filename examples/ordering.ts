/**
 * Does a conditional model make the ordered structures MD makes? Two measurements behind the coverage
 * study of docs/conditional.md:
 *
 * - **retention**: take the crystalline LAMMPS frames of a set (bcc or close-packed), noise each to a level
 *   sigma and denoise it with the model at its own (k, phi, T) (`variation`, SDEdit). A model that has the
 *   ordered mode brings a crystal back from a level where the crystal is still recognisable; the level at
 *   which crystals turn into the disordered structure is where the model loses the mode.
 * - **census**: the structure class of every MD frame and of every model sample at the same parameter set
 *   (the sample files written by `mddm evaluate --samples-dir`), counted as MD class -> sample class.
 *
 * Structure class from the first shell of g(r) (`firstShell` of @mddm/rdf): `bcc` when the shell holds
 * fewer than 10 neighbours (bcc: 8, first minimum ~1.15 LJ), `crystal` when it holds ~12 with a main
 * peak above 6 (close-packed), else `disordered` (the dense liquid-like structure, peak 3-6; and anything
 * without a shell, main peak below 2).
 *
 *   tsx examples/ordering.ts retention --model opp-conditional [--set opp-test-replicas] [--frames 8] [--ids 0010,0019] [--sigma 0.15,0.3,0.5] [--sampler fast|balanced|quality] [--seed 0] [--structure own|drawn] [--guidance W] [--json FILE]
 *
 * A model with structure conditions (`train-conditional.ts --structure-conditions`) is given the noised
 * frame's own first shell (`--structure own`, the default: can it keep a crystal it is told about?) or
 * draws one from the training frames nearest in (k, phi, T) (`--structure drawn`, as `mddm sample` does).
 *   tsx examples/ordering.ts census --samples-dir training/opp-conditional-twins/eval-samples
 */
import { writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset, type DatasetName } from '@mddm/data';
import { readXyz } from '@mddm/io';
import { drawnConditionCount, selectBackend, variation } from '@mddm/model';
import { firstShell, rdf } from '@mddm/rdf';
import type { Vec3Array } from '@mddm/pbc';
import { loadModel } from './loadModel';

/** The three structures OPP self-assembles into here. */
export type StructureClass = 'bcc' | 'crystal' | 'disordered';

/** g(r) of the SPEC (100 bins to 5 LJ) and its first shell. */
export function shellOf(positions: Vec3Array, box: [number, number, number]): { gPeak: number; coordination: number } {
  const s = firstShell(rdf(positions, box, { bins: 100, rMax: 5 }));
  return { gPeak: s.gPeak, coordination: s.coordination };
}

/** The structure class of a first shell (thresholds in the header). */
export function structureClass(s: { gPeak: number; coordination: number }): StructureClass {
  if (s.gPeak < 2) return 'disordered'; // no real shell (a gas: g ~ 1 and its "first minimum" is noise)
  if (s.coordination < 10) return 'bcc';
  return s.gPeak > 6 ? 'crystal' : 'disordered';
}

/** One retention row: a crystalline frame, a noise level and what the model made of it. */
export interface RetentionRow { id: string; mdClass: StructureClass; mdPeak: number; sigmaLj: number; classes: StructureClass[]; peaks: number[] }

/**
 * Noises the first `frames` crystalline frames of `set` (of the parameter sets whose ids start with one of `ids`, if given) to every level and denoises them (`count` each).
 * @returns one row per frame and level
 */
export async function retention(options: { model: string; sampler?: string; set?: DatasetName; frames?: number; ids?: string[]; sigmas?: number[]; count?: number; seed?: number; structure?: 'own' | 'drawn'; guidance?: number; onRow?: (r: RetentionRow) => void }): Promise<RetentionRow[]> {
  await selectBackend('wasm');
  const { denoiser, sampler } = await loadModel(options.model, options.sampler);
  const data = await loadDataset(options.set ?? 'opp-test-replicas');
  const crystals = data.map((c) => ({ c, s: shellOf(c.positions, c.box) })).filter(({ c, s }) => structureClass(s) !== 'disordered' && (options.ids === undefined || options.ids.some((id) => String(c.info.id).startsWith(id)))).slice(0, options.frames ?? 8);
  const rows: RetentionRow[] = [];
  try {
    for (const { c, s } of crystals) {
      for (const sigmaLj of options.sigmas ?? [0.15, 0.3, 0.5]) {
        // A model with structure conditions gets the frame's own first shell (--structure own, default) or
        // draws one from the training frames nearest in (k, phi, T) (--structure drawn), as `mddm sample` does.
        const own = drawnConditionCount(denoiser) > 0 && (options.structure ?? 'own') === 'own' ? [s.gPeak, s.coordination] : [];
        const conditions = denoiser.conditions > 0 ? [Number(c.info.k), Number(c.info.phi), Number(c.info.T), ...own] : undefined;
        const r = await variation(denoiser, c.positions, c.box, { ...sampler, sigmaLj, count: options.count ?? 1, seed: options.seed ?? 0, conditions, ...(options.guidance ? { guidance: options.guidance } : {}) });
        const shells = r.positions.map((p) => shellOf(p, c.box));
        const row = { id: String(c.info.id), mdClass: structureClass(s), mdPeak: s.gPeak, sigmaLj, classes: shells.map(structureClass), peaks: shells.map((x) => x.gPeak) };
        rows.push(row);
        options.onRow?.(row);
      }
    }
  } finally {
    denoiser.dispose();
  }
  return rows;
}

/** MD class -> sample class counts over the sample files of an evaluation (file names `<set>__<id>_..._seed<S>_h<hash>.xyz`). */
export async function census(samplesDir: string): Promise<{ counts: Record<string, number>; perSet: { key: string; md: StructureClass[]; samples: StructureClass[] }[] }> {
  const samples = new Map<string, StructureClass[]>();
  for (const f of readdirSync(samplesDir).filter((x) => x.endsWith('.xyz')).sort()) {
    const key = f.slice(0, f.indexOf('__') + 6); // set and the 4-digit set id
    for await (const fr of readXyz(join(samplesDir, f))) {
      const list = samples.get(key) ?? [];
      list.push(structureClass(shellOf(fr.positions, fr.box as [number, number, number])));
      samples.set(key, list);
    }
  }
  const counts: Record<string, number> = {};
  const perSet: { key: string; md: StructureClass[]; samples: StructureClass[] }[] = [];
  const cache = new Map<string, Awaited<ReturnType<typeof loadDataset>>>();
  const frames = async (set: DatasetName) => cache.get(set) ?? (cache.set(set, await loadDataset(set)), cache.get(set)!);
  for (const [key, cls] of samples) {
    const [set, id] = key.split('__') as [string, string];
    const references = [...(await frames(set as DatasetName)), ...(await frames(`${set}-replicas` as DatasetName))].filter((c) => String(c.info.id).startsWith(id));
    const md = references.map((c) => structureClass(shellOf(c.positions, c.box)));
    perSet.push({ key, md, samples: cls });
    for (const m of md) for (const s of cls) counts[`${m} -> ${s}`] = (counts[`${m} -> ${s}`] ?? 0) + 1;
  }
  return { counts, perSet };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args: rest,
    options: { model: { type: 'string' }, set: { type: 'string' }, frames: { type: 'string' }, sigma: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' }, 'samples-dir': { type: 'string' }, ids: { type: 'string' }, sampler: { type: 'string' }, structure: { type: 'string' }, guidance: { type: 'string' } },
  });
  if (mode === 'retention') {
    if (!values.model) throw new Error('retention needs --model NAME|DIR');
    const sigmas = (values.sigma ?? '0.15,0.3,0.5').split(',').map(Number);
    if (sigmas.some((s) => !(s > 0))) throw new Error(`--sigma must be a comma-separated list of noise levels > 0 (LJ), got ${values.sigma}`);
    if (values.guidance !== undefined && !(Number(values.guidance) >= 0)) throw new Error(`--guidance must be a weight >= 0, got ${JSON.stringify(values.guidance)}`);
    if (values.structure !== undefined && values.structure !== 'own' && values.structure !== 'drawn') throw new Error(`--structure must be own or drawn, got ${JSON.stringify(values.structure)}`);
    const rows = await retention({
      model: values.model, sampler: values.sampler, set: values.set as DatasetName | undefined, ids: values.ids?.split(','), frames: values.frames === undefined ? undefined : Number(values.frames), sigmas,
      count: values.count === undefined ? undefined : Number(values.count), seed: values.seed === undefined ? undefined : Number(values.seed), structure: values.structure as 'own' | 'drawn' | undefined,
      guidance: values.guidance === undefined ? undefined : Number(values.guidance),
      onRow: (r) => console.log(`${r.id} (${r.mdClass}, peak ${r.mdPeak.toFixed(1)}) sigma ${r.sigmaLj}: ${r.classes.map((c, i) => `${c} ${r.peaks[i].toFixed(1)}`).join(', ')}`),
    });
    for (const s of sigmas) {
      const at = rows.filter((r) => r.sigmaLj === s);
      const kept = at.reduce((n, r) => n + r.classes.filter((c) => c === r.mdClass).length, 0);
      const all = at.reduce((n, r) => n + r.classes.length, 0);
      console.log(`sigma ${s} LJ: ${kept} of ${all} denoised crystals keep their class`);
    }
    if (values.json) await writeFile(values.json, JSON.stringify({ model: values.model, set: values.set ?? 'opp-test-replicas', rows }, null, 1));
  } else if (mode === 'census') {
    if (!values['samples-dir']) throw new Error('census needs --samples-dir DIR (from mddm evaluate --samples-dir)');
    const { counts, perSet } = await census(values['samples-dir']);
    for (const p of perSet) console.log(`${p.key}: MD ${p.md.join(' ')} | samples ${p.samples.join(' ')}`);
    console.log(counts);
    if (values.json) await writeFile(values.json, JSON.stringify({ samplesDir: values['samples-dir'], counts, perSet }, null, 1));
  } else {
    throw new Error('usage: tsx examples/ordering.ts retention --model NAME|DIR [...] | census --samples-dir DIR');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
