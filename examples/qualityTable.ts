/**
 * The per-parameter-set quality table of `opp-conditional` in `packages/pretrained/README.md`, written from the
 * committed `mddm evaluate --json` reports its manifest's `quality` commands name (so the README cannot drift from
 * them: examples/test/shipped-quality.test.ts checks it):
 *
 *   tsx examples/qualityTable.ts           # rewrite the block between the README's markers
 *   tsx examples/qualityTable.ts --check   # exit 1 if the README's block is not what the reports give
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const README = `${repo}packages/pretrained/README.md`;
export const BEGIN = '<!-- quality-table:opp-conditional (tsx examples/qualityTable.ts) -->';
export const END = '<!-- /quality-table -->';
/** A set is named far from its floor when any metric is more than this above its floor (RDF-MSE). */
export const FAR = 0.05;

interface Row { id: string; conditions: number[]; metrics: Record<string, number> | null }

/** The markdown block for the two evaluation sets, from the reports their manifest commands name. */
export async function qualityBlock(): Promise<string> {
  const manifest = JSON.parse(await readFile(`${repo}packages/pretrained/models/opp-conditional/model.json`, 'utf8'));
  const parts = [BEGIN, ''];
  for (const set of ['opp-test', 'opp-train'] as const) {
    const q = manifest.quality[set];
    const dir = /--samples-dir (\S+)\/eval-samples/.exec(q.command)?.[1];
    if (!dir) throw new Error(`quality.${set}.command names no --samples-dir`);
    const rows = (JSON.parse(await readFile(`${repo}${dir}/eval-${set}.json`, 'utf8')).rows as Row[]).filter((r) => r.metrics);
    parts.push(...table(set, rows), '');
  }
  parts.push(END);
  return parts.join('\n');
}

function table(set: string, rows: Row[]): string[] {
  const f = (x: number) => x.toFixed(4);
  const out = [
    `**\`${set}\`** (${set === 'opp-test' ? 'parameters outside the training data' : 'training parameters; starts never at the set\'s own'}), ${rows.length} sets, 4 samples each:`,
    '',
    '| set | k | phi | T | paper-style | its floor | precision | coverage | MD floor | |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const far: string[] = [];
  for (const r of rows) {
    const m = r.metrics!;
    const gaps = { 'paper-style': m.paperStyle - m.paperFloor, precision: m.precision - m.mdFloor, coverage: m.coverage - m.mdFloor };
    const over = Object.entries(gaps).filter(([, g]) => g > FAR).map(([k]) => k);
    const id = r.id.slice(0, 4);
    if (over.length) far.push(id);
    const [k, phi, T] = r.conditions;
    out.push(`| ${id} | ${k} | ${phi} | ${T} | ${f(m.paperStyle)} | ${f(m.paperFloor)} | ${f(m.precision)} | ${f(m.coverage)} | ${f(m.mdFloor)} | ${over.length ? `**far** (${over.join(', ')})` : ''} |`);
  }
  const mean = (k: string) => rows.reduce((a, r) => a + r.metrics![k], 0) / rows.length;
  out.push(`| mean | | | | ${f(mean('paperStyle'))} | ${f(mean('paperFloor'))} | ${f(mean('precision'))} | ${f(mean('coverage'))} | ${f(mean('mdFloor'))} | |`);
  out.push('', `Far from the floor (a metric more than ${FAR} above it): ${far.length ? far.join(', ') : 'none'}.`);
  return out;
}

/** The README with its block replaced. @throws Error without both markers */
export function withBlock(readme: string, block: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`packages/pretrained/README.md has no ${BEGIN} ... ${END} block`);
  return readme.slice(0, a) + block + readme.slice(b + END.length);
}

async function main(): Promise<void> {
  const readme = await readFile(README, 'utf8');
  const next = withBlock(readme, await qualityBlock());
  if (process.argv.includes('--check')) {
    if (next !== readme) throw new Error('packages/pretrained/README.md: the quality table is not the reports\' (run tsx examples/qualityTable.ts)');
    return;
  }
  await writeFile(`${README}.tmp`, next);
  await rename(`${README}.tmp`, README);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
