// Packs the raw LAMMPS conformations (packages/io/data-raw/<set>/*.xyz, written by the generator of
// @mddm/io) into this package's data/<set>.xyz.gz + data/manifest.json. Re-run as more complete:
//   pnpm --filter @mddm/data pack-data [set ...]
//   pnpm --filter @mddm/data pack-data --repack set[,set...]   # pack again from data/<set>.xyz.gz (no raw files needed)
// (same as: pnpm mddm-data pack --data packages/data/data [--sets a,b]). Without arguments every set folder is packed.
// The files are framed (each frame readable alone at the manifest's offset/bytes: writeFramedGzip of @mddm/io).
import { parseArgs } from 'node:util';
import { defaultRawDir, packDatasets } from '@mddm/io';
import { defaultDataDir } from '../src/index';

const { values, positionals } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { repack: { type: 'string' } }, allowPositionals: true });
const repack = values.repack?.split(',').map((s) => s.trim()).filter(Boolean);
const manifest = await packDatasets({
  raw: defaultRawDir(), out: defaultDataDir(), sets: positionals.length > 0 ? positionals : repack ? [] : undefined, repack, log: (m) => console.log(m),
});
for (const [name, s] of Object.entries(manifest.sets)) console.log(`${name}: ${s.count} x ${s.atoms} atoms, box ${s.box.join('x')}`);
