import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '@mddm/data';
import { readXyz } from '@mddm/io';
import { rdf, rdfMse } from '@mddm/rdf';
const [set, dir, filter] = process.argv.slice(2);
const frames = await loadDataset(set as any);
const reps = await loadDataset(`${set}-replicas` as any);
const files = (await readdir(dir)).filter((f) => f.startsWith(`${set}__`) && f.endsWith('.xyz') && (!filter || f.includes(filter)));
const O = { bins: 100, rMax: 5 };
let sumPs = 0, sumFl = 0, varPs = 0, varFl = 0, n = 0;
for (const f of frames) {
  const id = String(f.info.id);
  const r = reps.filter((x: any) => String(x.info.id).replace(/_s\d+$/, '') === id);
  if (r.length === 0) continue;
  const ref = rdf(f.positions, f.box, O);
  const mine = files.filter((x) => x.startsWith(`${set}__${id}_seed`));
  const ps: number[] = [];
  for (const x of mine) for await (const fr of readXyz(join(dir, x))) ps.push(rdfMse(rdf(fr.positions, f.box, O), ref));
  const fl = r.map((x: any) => rdfMse(rdf(x.positions, x.box, O), ref));
  const mv = (v: number[]) => { const m = v.reduce((a, b) => a + b, 0) / v.length; return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length]; };
  const [a, va] = mv(ps), [b, vb] = mv(fl);
  sumPs += a; sumFl += b; varPs += va; varFl += vb; n++;
}
console.log(`${set} ${dir} sets ${n}: paper-style ${(sumPs / n).toFixed(4)} ± ${(Math.sqrt(varPs) / n).toFixed(4)}, floor ${(sumFl / n).toFixed(4)} ± ${(Math.sqrt(varFl) / n).toFixed(4)}, difference SE ${(Math.sqrt(varPs + varFl) / n).toFixed(4)}`);
