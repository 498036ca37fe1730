// Packs the raw LAMMPS conformations (packages/io/data-raw/<set>/*.xyz, written by the generator of
// @mddm/io) into this package's data/<set>.xyz.gz + data/manifest.json. Re-run as more complete:
//   pnpm --filter @mddm/data pack-data [set ...]
// (same as: pnpm mddm-data pack --data packages/data/data [--sets a,b]). Without arguments every set folder is packed.
import { defaultRawDir, packDatasets } from '@mddm/io';
import { defaultDataDir } from '../src/index';

const sets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const manifest = await packDatasets({ raw: defaultRawDir(), out: defaultDataDir(), sets: sets.length > 0 ? sets : undefined, log: (m) => console.log(m) });
for (const [name, s] of Object.entries(manifest.sets)) console.log(`${name}: ${s.count} x ${s.atoms} atoms, box ${s.box.join('x')}`);
