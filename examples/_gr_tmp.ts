import { readXyz } from '@mddm/io';
import { rdf } from '@mddm/rdf';
async function mean(file: string) {
  let acc: Float64Array | null = null; let n = 0; let c: Float64Array | null = null;
  for await (const f of readXyz(file)) { const r = rdf(f.positions, f.box); acc ??= new Float64Array(r.g.length); r.g.forEach((v, i) => (acc![i] += v)); n++; c = r.centers; }
  return { g: acc!.map((v) => v / n), c: c! };
}
const [a, b] = process.argv.slice(2);
const A = await mean(a), B = await mean(b);
let tot = 0; const rows: string[] = [];
for (let i = 0; i < A.g.length; i++) { const d = (A.g[i] - B.g[i]) ** 2; tot += d; if (d > 0.002 * A.g.length / 100 || A.g[i] > 1.5) rows.push(`${A.c[i].toFixed(3)} md ${A.g[i].toFixed(3)} model ${B.g[i].toFixed(3)} sq ${d.toFixed(4)}`); }
console.log(rows.join('\n')); console.log('mse', tot / A.g.length);
