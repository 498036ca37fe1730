// @mddm/data benchmark: loadDataset from the package's folder (read + gunzip + parse), and a retrieval pool loaded
// whole against its index plus the 3 frames one run starts from (what `mddm sample` loads), in one run.
import { loadConditionIndex, loadConditionPool, loadDataset, type DatasetName } from '../src/index';

const time = async <T>(label: string, run: () => Promise<T>, what: (r: T) => string): Promise<number> => {
  const t0 = performance.now();
  const r = await run();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms  (${what(r)})`);
  return ms;
};

for (const name of ['opp-replicas', 'opp-test', 'opp-train'] as DatasetName[]) {
  await time(`loadDataset(${name})`, () => loadDataset(name), (f) => `${f.length} frames`);
}

// the shipped model's pool (manifest.init of @mddm/pretrained's opp-conditional, as of this writing)
const spec = { sets: ['opp-train', 'opp-train-ext', 'opp-train-twins', 'opp-train-ext2'] };
const whole = await time('loadConditionPool(4 sets)', () => loadConditionPool(spec), (p) => `${p.length} frames`);
const some = await time('loadConditionIndex + loadConditionPool({ ids: 3 })', async () => {
  const index = await loadConditionIndex(spec);
  // 3 frames from 3 different sets: the worst case (each set's file is read and gunzipped)
  const ids = ['opp-train', 'opp-train-ext', 'opp-train-ext2'].map((s) => index.find((e) => e.set === s)!.id);
  return loadConditionPool(spec, { ids });
}, (p) => `${p.length} frames`);
console.log(`ratio (3 frames / whole pool): ${(some / whole).toFixed(2)}`);
