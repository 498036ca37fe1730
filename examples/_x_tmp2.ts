import { readXyz } from '@mddm/io';
import { rdf } from '@mddm/rdf';
import { readdirSync, readFileSync } from 'node:fs';
function shell(pos: any, box: any) {
  const g = rdf(pos, box, { bins: 100, rMax: 5 });
  let peak = 0; for (let i = 1; i < g.bins; i++) if (g.g[i] > g.g[peak]) peak = i;
  let min = peak; for (let i = peak; i < g.bins; i++) { if (g.g[i] < g.g[min]) min = i; else if (g.g[i] > g.g[min] + 0.5) break; }
  return { gPeak: g.g[peak], rMin: g.edges[min] };
}
const cls = (s: { gPeak: number; rMin: number }) => (s.rMin <= 1.2 ? 'B' : s.gPeak > 6 ? 'C' : 'a');
const dir = process.argv[2];
const classes = readFileSync('/tmp/modes/classes.txt', 'utf8').split('\n');
const bySet: Record<string, string[]> = {};
for (const f of readdirSync(dir).sort()) {
  for await (const fr of readXyz(`${dir}/${f}`)) { const s = shell(fr.positions, fr.box); (bySet[f.slice(0, f.indexOf('__') + 6)] ??= []).push(`${cls(s)}${s.gPeak.toFixed(1)}`); }
}
const tally: Record<string, number> = {};
for (const [key, v] of Object.entries(bySet)) {
  const [set, id] = key.split('__');
  const md = classes.filter((l) => l.startsWith(id + '/' + set.replace('opp-', ''))).map((l) => l.split(' ').slice(1).map((x) => x.split('@')[0]).join(' ')).join(' | ');
  console.log(key, 'samples', v.join(' '), ' MD', md);
  for (const s of v) for (const m of md.split(/[ |]+/).filter(Boolean)) tally[`md ${m[0]} -> sample ${s[0]}`] = (tally[`md ${m[0]} -> sample ${s[0]}`] ?? 0) + 1;
}
console.log(tally);
