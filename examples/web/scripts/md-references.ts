/**
 * Precomputes the MD reference g(r)s the page overlays: every shipped LAMMPS conformation of
 * `@mddm/data` (every packed set: opp-unconditional, opp-replicas, opp-train, opp-test and the
 * evaluation replicas once packed), grouped by state point
 * (k, phi, T) and averaged, into `public/md-references.json` (~150 KB instead of 4 MB of gzipped XYZ).
 * Skipped when the output is newer than the data manifest. Run by `pnpm --filter @mddm/web build`.
 *
 *   tsx scripts/md-references.ts [--force] [--out FILE]
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASET_NAMES, defaultDataDir, loadDataManifest, loadDataset } from '@mddm/data';
import { rdf } from '@mddm/rdf';
import type { MdReferencePoint, MdReferences } from '../src/references';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the references from the shipped data sets. */
export async function buildMdReferences(): Promise<MdReferences> {
  const groups = new Map<string, { k: number; phi: number; T: number; sets: Set<string>; sum: Float64Array; count: number }>();
  let r: number[] = [];
  let n = 0, box = 0, bins = 0, rMax = 0;
  const packed = (await loadDataManifest()).sets;
  for (const name of DATASET_NAMES.filter((n) => packed[n] !== undefined)) {
    for (const frame of await loadDataset(name)) {
      const { k, phi, T } = frame.info as { k: number; phi: number; T: number };
      if (frame.box[0] !== frame.box[1] || frame.box[1] !== frame.box[2]) throw new Error(`${name}: non-cubic box ${frame.box}`);
      const res = rdf(frame.positions, frame.box);
      if (r.length === 0) {
        r = Array.from(res.centers, (x) => +x.toFixed(6));
        n = frame.positions.length / 3;
        box = frame.box[0];
        bins = res.bins;
        rMax = res.rMax;
      } else if (res.bins !== bins || res.rMax !== rMax || frame.positions.length / 3 !== n) {
        throw new Error(`${name}: conformation ${frame.info.id} differs in N, box or bins from the first one`);
      }
      const key = `${k}|${phi}|${T}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { k, phi, T, sets: new Set(), sum: new Float64Array(bins), count: 0 }));
      g.sets.add(name);
      g.count++;
      for (let b = 0; b < bins; b++) g.sum[b]! += res.g[b]!;
    }
  }
  const points: MdReferencePoint[] = [...groups.values()].map((g) => ({
    k: g.k, phi: g.phi, T: g.T, count: g.count, sets: [...g.sets],
    g: Array.from(g.sum, (s) => +(s / g.count).toFixed(4)),
  }));
  return { format: 'mddm-web-md-references', version: 1, n, box, bins, rMax, r, points };
}

/** Default output: `public/md-references.json` (copied into `dist/` by the build). */
export const MD_REFERENCES_FILE = join(here, '..', 'public', 'md-references.json');

/**
 * Writes the references to `out` unless it is newer than the shipped data (or `force`).
 * @returns whether it was (re)written
 */
export async function ensureMdReferences(out = MD_REFERENCES_FILE, force = false): Promise<boolean> {
  const manifest = join(defaultDataDir(), 'manifest.json');
  if (!force && existsSync(out) && statSync(out).mtimeMs > statSync(manifest).mtimeMs) return false;
  const refs = await buildMdReferences();
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(refs));
  await rename(tmp, out); // atomic: concurrent readers (parallel tests) never see half a file
  return true;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? args[outIdx + 1]! : MD_REFERENCES_FILE;
  const t0 = Date.now();
  const wrote = await ensureMdReferences(out, args.includes('--force'));
  console.log(wrote ? `[md-references] wrote ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s)` : `[md-references] ${out} is up to date`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`[md-references] ${(e as Error).message}`);
    process.exit(1);
  });
}
