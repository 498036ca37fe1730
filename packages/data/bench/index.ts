// @mddm/data benchmark: loadDataset from the package's folder (read + gunzip + parse).
import { loadDataset, type DatasetName } from '../src/index';

for (const name of ['opp-replicas', 'opp-test', 'opp-train'] as DatasetName[]) {
  const t0 = performance.now();
  const frames = await loadDataset(name);
  console.log(`${`loadDataset(${name})`.padEnd(32)} ${(performance.now() - t0).toFixed(1).padStart(9)} ms  (${frames.length} frames)`);
}
