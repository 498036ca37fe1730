/**
 * Sampling benchmark (issue 12): RDF-MSE vs network evaluations (NFE) for every sampler on the
 * pretrained unconditional model, several seeds, with seconds per conformation and the ratio to the
 * default sampler measured in the same run.
 *
 *   pnpm --filter @mddm/model bench:sampling                       # the shipped opp-unconditional model
 *   pnpm --filter @mddm/model bench:sampling -- --seeds 3 --only heun,dpm2m --model DIR --out DIR
 *   ... --merge OUT1,OUT2,OUT3   # merge runs of other seeds (e.g. run in parallel with --first-seed) into one table + plot
 *   ... --extra '[{"family": "x", "label": "dpm2m 20", "options": { "sampler": "dpm2m", "steps": 20 }}]'   # more configurations
 *
 * RDF-MSE (SPEC §3): `rdf(x, box, { bins: 100, rMax: 5 })` of one N = 1000 sample against each of
 * the 4 MD replicas (the shipped `opp-replicas` set, `loadDataset('opp-replicas')`; read here straight
 * from its extended-XYZ file so the bench does not depend on where the data package lives), averaged over the replicas; per configuration
 * the mean, min and max over seeds. Writes `OUT/sampling.json`, `OUT/sampling.md` (table) and
 * `OUT/sampling.svg` (RDF-MSE vs NFE, log NFE axis, min-max bars). The model directory is a
 * checkpoint (`loadDenoiser`) with an optional `model.json` manifest whose `sampler` is the default.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { rdf, rdfMse, type RdfResult } from '@mddm/rdf';
import { BALANCED_SAMPLER, FAST_SAMPLER, QUALITY_SAMPLER, RESTART_SAMPLER, loadDenoiser, sample, selectBackend, type SampleOptions } from '../src/index';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv, // pnpm passes the separator through
  options: {
    model: { type: 'string', default: resolve(import.meta.dirname, '../../pretrained/models/opp-unconditional') },
    seeds: { type: 'string', default: '3' },
    'first-seed': { type: 'string', default: '1' },
    only: { type: 'string' },
    extra: { type: 'string' },
    merge: { type: 'string' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../../../out/bench-sampling') },
  },
});

interface Config {
  /** Family (one line in the plot). */
  family: string;
  label: string;
  options: Partial<SampleOptions>;
}

const ISSUE_TIME_SAMPLER: Partial<SampleOptions> = { steps: 60, spacing: 'log-sigma', corrector: { steps: 30, r: 0.4, sigmaMaxLj: 0.3 } };

function configs(defaultSampler: Partial<SampleOptions>): Config[] {
  const c: Config[] = [];
  c.push({ family: 'heun', label: 'heun 18 karras', options: { sampler: 'heun', steps: 18 } });
  c.push({ family: 'dpm2m', label: 'dpm2m 20 karras', options: { sampler: 'dpm2m', steps: 20 } });
  for (const steps of [18, 50]) c.push({ family: 'edm churn', label: `edm ${steps} karras gamma 0.4`, options: { sampler: 'edm', steps, churn: { gamma: 0.4 } } });
  c.push({ family: 'ancestral', label: 'ancestral 100 log-sigma', options: { steps: 100, spacing: 'log-sigma' } });
  // an ODE predictor (1 NFE per level) + k Langevin steps at each level below 0.3 LJ: the corrector is what
  // fixes the network's error at small noise (docs/fast-sampling.md); 6 of 10 / 9 of 16 / 12 of 20 rho-7 levels from 1.5 LJ are in the band
  const hybrid: [number, number, number][] = [[10, 6, 0.8], [16, 5, 0.8], [16, 8, 0.8], [10, 15, 1], [20, 15, 0.8], [20, 30, 0.8]];
  for (const [steps, k, r] of hybrid) {
    c.push({ family: 'dpm2m + langevin', label: `dpm2m ${steps} karras + ${k} Langevin r ${r} below 0.3 LJ`, options: { sampler: 'dpm2m', steps, corrector: { steps: k, r, sigmaMaxLj: 0.3 } } });
  }
  // the presets of @mddm/model (fast <= 100 NFE, balanced <= 200, quality), then the model's own recommendation
  for (const [name, preset] of [['FAST_SAMPLER', FAST_SAMPLER], ['BALANCED_SAMPLER', BALANCED_SAMPLER], ['QUALITY_SAMPLER', QUALITY_SAMPLER], ['RESTART_SAMPLER', RESTART_SAMPLER]] as const) {
    c.push({ family: 'presets', label: `${name}: ${describeSampler(preset)}`, options: { ...preset, corrector: { ...preset.corrector } } });
  }
  // last, the expensive reference
  c.push({ family: 'default (pc)', label: `default (the model's recommended): ${describeSampler(defaultSampler)}`, options: defaultSampler });
  return c;
}

/** A readable one-line description of sampler options, e.g. `dpm2m 12 karras + 47 Langevin r 1 below 0.06 LJ`. */
function describeSampler(o: Partial<SampleOptions>): string {
  const name = o.sampler ?? 'ancestral';
  const spacing = o.spacing ?? (name === 'ancestral' ? 'uniform' : 'karras');
  const c = o.corrector;
  const band = c ? `${c.sigmaMinLj ? `in [${c.sigmaMinLj}, ${c.sigmaMaxLj ?? 'inf'}]` : `below ${c.sigmaMaxLj ?? 'inf'}`} LJ` : '';
  const restart = o.restart && o.restart.count > 0 ? ` + ${o.restart.count} restarts at ${o.restart.sigmaLj} LJ (${o.restart.steps ?? 8} levels)` : '';
  return `${name} ${o.steps ?? 'all'} ${spacing}${c && c.steps > 0 ? ` + ${c.steps} Langevin r ${c.r ?? 0.2} ${band}` : ''}${restart}`;
}

interface Row {
  family: string;
  label: string;
  nfe: number;
  mse: number[];
  mean: number;
  min: number;
  max: number;
  secondsPerConformation: number;
}

async function main(): Promise<void> {
  if (values.merge) return merge(values.merge.split(','));
  const backend = await selectBackend();
  const dir = values.model!;
  const denoiser = await loadDenoiser(dir);
  const manifest = await readFile(join(dir, 'model.json'), 'utf8').then((t) => JSON.parse(t) as { sampler?: Partial<SampleOptions> }).catch(() => undefined);
  const defaultSampler = manifest?.sampler ?? ISSUE_TIME_SAMPLER;
  const replicas = await loadReplicas();
  const box = replicas[0].box;
  const n = replicas[0].positions.length / 3;
  const opts = { bins: 100, rMax: 5 };
  const refs: RdfResult[] = replicas.map((r) => rdf(r.positions, r.box, opts));
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => Number(values['first-seed']) + i);
  const only = values.only?.split(',');
  const extra = values.extra ? (JSON.parse(values.extra) as Config[]) : [];
  const list = [...configs(defaultSampler), ...extra].filter((c) => !only || only.some((o) => c.family.startsWith(o) || c.label.startsWith(o)));
  console.log(`sampling benchmark: model ${dir}, backend ${backend}, N = ${n}, ${seeds.length} seeds, ${list.length} configurations`);
  const rows: Row[] = [];
  for (const c of list) {
    const mse: number[] = [];
    let nfe = 0;
    let ms = 0;
    for (const seed of seeds) {
      const r = await sample(denoiser, { n, box, seed, ...c.options });
      nfe = r.evaluations;
      ms += r.elapsedMs;
      const g = rdf(r.positions[0], box, opts);
      mse.push(refs.reduce((s, ref) => s + rdfMse(g, ref), 0) / refs.length);
    }
    const row: Row = {
      family: c.family, label: c.label, nfe, mse, mean: mse.reduce((a, b) => a + b) / mse.length, min: Math.min(...mse), max: Math.max(...mse),
      secondsPerConformation: ms / seeds.length / 1000,
    };
    rows.push(row);
    console.log(`${c.label.padEnd(62)} NFE ${String(nfe).padStart(5)}  RDF-MSE ${row.mean.toFixed(4)} (${row.min.toFixed(4)}-${row.max.toFixed(4)})  ${row.secondsPerConformation.toFixed(2)} s`);
  }
  denoiser.dispose();
  await report(rows, seeds.length, { model: dir, backend, n, seeds });
}

/** Merges the `sampling.json` of several runs (same configurations, other seeds): rows by label. */
async function merge(dirs: string[]): Promise<void> {
  const runs = await Promise.all(dirs.map(async (d) => JSON.parse(await readFile(join(d, 'sampling.json'), 'utf8')) as { model: string; backend: string; n: number; seeds: number[]; rows: Row[] }));
  const byLabel = new Map<string, Row & { seconds: number[] }>();
  for (const run of runs) {
    for (const r of run.rows) {
      const m = byLabel.get(r.label) ?? { ...r, mse: [], seconds: [] };
      m.mse.push(...r.mse);
      m.seconds.push(...r.mse.map(() => r.secondsPerConformation));
      byLabel.set(r.label, m);
    }
  }
  const rows = [...byLabel.values()].map(({ seconds, ...r }) => ({
    ...r, mean: r.mse.reduce((a, b) => a + b) / r.mse.length, min: Math.min(...r.mse), max: Math.max(...r.mse),
    secondsPerConformation: seconds.reduce((a, b) => a + b) / seconds.length,
  }));
  const seeds = [...new Set(runs.flatMap((r) => r.seeds))];
  await report(rows, seeds.length, { model: runs[0].model, backend: runs[0].backend, n: runs[0].n, seeds, merged: dirs });
}

/** Writes the table, JSON and plot. */
async function report(rows: Row[], _nSeeds: number, meta: Record<string, unknown>): Promise<void> {
  const base = rows.find((r) => r.family.startsWith('default'));
  const table = [
    `| sampler | NFE | RDF-MSE mean | min-max (seeds) | s / conformation | time vs default |`,
    '| --- | ---: | ---: | --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.label} | ${r.nfe} | ${r.mean.toFixed(4)} | ${r.min.toFixed(4)}-${r.max.toFixed(4)} (${r.mse.length}) | ${r.secondsPerConformation.toFixed(2)} | ${base ? (r.secondsPerConformation / base.secondsPerConformation).toFixed(3) : '-'} |`),
  ].join('\n');
  await mkdir(values.out!, { recursive: true });
  await writeFile(join(values.out!, 'sampling.json'), JSON.stringify({ ...meta, rows }, null, 1));
  await writeFile(join(values.out!, 'sampling.md'), `${table}\n`);
  await writeFile(join(values.out!, 'sampling.svg'), plot(rows));
  console.log(`\n${table}\n\nwrote ${values.out}/sampling.{json,md,svg}`);
}

/** The shipped `opp-replicas` conformations (extended XYZ, gzip; cubic `Lattice`). */
async function loadReplicas(): Promise<{ positions: Float64Array; box: [number, number, number] }[]> {
  const candidates = ['../../data/data/opp-replicas.xyz.gz', '../../io/data/opp-replicas.xyz.gz'].map((p) => resolve(import.meta.dirname, p));
  let file: string | undefined;
  for (const c of candidates) if (await access(c).then(() => true, () => false)) file = file ?? c;
  if (!file) throw new Error(`opp-replicas not found at ${candidates.join(' or ')}`);
  const lines = gunzipSync(await readFile(file)).toString('utf8').split('\n');
  const frames: { positions: Float64Array; box: [number, number, number] }[] = [];
  for (let i = 0; i + 1 < lines.length && lines[i].trim() !== '';) {
    const n = Number(lines[i]);
    const lat = /Lattice="([^"]+)"/.exec(lines[i + 1])![1].split(/\s+/).map(Number);
    const positions = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) {
      const f = lines[i + 2 + j].trim().split(/\s+/);
      for (let d = 0; d < 3; d++) positions[3 * j + d] = Number(f[1 + d]);
    }
    frames.push({ positions, box: [lat[0], lat[4], lat[8]] });
    i += n + 2;
  }
  return frames;
}

/** RDF-MSE vs NFE (log x), one polyline per family, min-max bars; a small standalone SVG writer. */
export function plot(rows: Row[]): string {
  const W = 720, H = 440, m = { l: 70, r: 220, t: 20, b: 50 };
  const xs = rows.map((r) => r.nfe), ys = rows.flatMap((r) => [r.min, r.max]);
  const x0 = Math.log10(Math.min(...xs) / 1.3), x1 = Math.log10(Math.max(...xs) * 1.3);
  const y0 = 0, y1 = Math.max(...ys) * 1.08;
  const X = (v: number) => m.l + ((Math.log10(v) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const Y = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const colors = ['#000000', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];
  const families = [...new Set(rows.map((r) => r.family))];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** e;
      if (Math.log10(v) < x0 || Math.log10(v) > x1) continue;
      parts.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${X(v)}" y="${H - m.b + 16}" text-anchor="middle">${v}</text>`);
    }
  }
  const yStep = niceStep(y1 / 5);
  for (let v = 0; v <= y1; v += yStep) parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end">${+v.toFixed(4)}</text>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`);
  if (0.015 <= y1) parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(0.015)}" y2="${Y(0.015)}" stroke="#888" stroke-dasharray="4 3"/><text x="${W - m.r - 4}" y="${Y(0.015) - 4}" text-anchor="end" fill="#666">target 0.015</text>`);
  if (100 >= 10 ** x0 && 100 <= 10 ** x1) parts.push(`<line x1="${X(100)}" x2="${X(100)}" y1="${m.t}" y2="${H - m.b}" stroke="#888" stroke-dasharray="4 3"/>`);
  families.forEach((f, i) => {
    const col = colors[i % colors.length];
    const fr = rows.filter((r) => r.family === f).sort((a, b) => a.nfe - b.nfe);
    if (fr.length > 1) parts.push(`<polyline fill="none" stroke="${col}" stroke-width="1.5" points="${fr.map((r) => `${X(r.nfe)},${Y(r.mean)}`).join(' ')}"/>`);
    for (const r of fr) {
      parts.push(`<line x1="${X(r.nfe)}" x2="${X(r.nfe)}" y1="${Y(r.min)}" y2="${Y(r.max)}" stroke="${col}"/><circle cx="${X(r.nfe)}" cy="${Y(r.mean)}" r="3.5" fill="${col}"/>`);
    }
    parts.push(`<rect x="${W - m.r + 14}" y="${m.t + 8 + i * 20}" width="12" height="12" fill="${col}"/><text x="${W - m.r + 32}" y="${m.t + 18 + i * 20}">${escapeXml(f)}</text>`);
  });
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">network evaluations per conformation (NFE, log scale)</text>`);
  parts.push(`<text transform="translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">RDF-MSE vs MD replicas (mean over seeds)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const f = x / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

await main();
