import { loadDataset } from '@mddm/data';
import { rdf } from '@mddm/rdf';
function shell(pos: any, box: any) {
  const g = rdf(pos, box, { bins: 100, rMax: 5 });
  let peak = 0; for (let i = 1; i < g.bins; i++) if (g.g[i] > g.g[peak]) peak = i;
  let min = peak; for (let i = peak; i < g.bins; i++) { if (g.g[i] < g.g[min]) min = i; else if (g.g[i] > g.g[min] + 0.5) break; }
  return { gPeak: g.g[peak], rMin: g.edges[min] };
}
const cls = (s: { gPeak: number; rMin: number }) => (s.rMin <= 1.2 ? 'B' : s.gPeak > 6 ? 'C' : 'a');
const rows: Record<string, string[]> = {};
for (const set of ['opp-train', 'opp-train-twins', 'opp-train-ext', 'opp-test', 'opp-test-replicas', 'opp-train-replicas'] as const) {
  const data = await loadDataset(set);
  const counts: Record<string, number> = { B: 0, C: 0, a: 0 };
  for (const c of data) { const s = shell(c.positions, c.box); const k = cls(s); counts[k]++; (rows[String(c.info.id).slice(0, 4) + '/' + set.replace('opp-', '')] ??= []).push(`${k}${s.gPeak.toFixed(1)}@${c.info.k}`); }
  console.log(set, data.length, counts);
}
const out: string[] = [];
for (const [id, v] of Object.entries(rows)) out.push(`${id} ${v.join(' ')}`);
(await import('node:fs')).writeFileSync('/tmp/modes/classes.txt', out.join('\n'));
