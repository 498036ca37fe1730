// Packs packages/io/data-raw/<set>/*.xyz into packages/io/data/<set>.xyz.gz + data/manifest.json.
// Re-run as more conformations complete:   pnpm --filter @mddm/io pack-data [set ...]
// (same as: pnpm mddm-data pack [--sets a,b]). Without arguments every set folder is packed.
import { packDatasets } from '../src/index';

const sets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const manifest = await packDatasets({ sets: sets.length > 0 ? sets : undefined, log: (m) => console.log(m) });
for (const [name, s] of Object.entries(manifest.sets)) console.log(`${name}: ${s.count} x ${s.atoms} atoms, box ${s.box.join('x')}`);
