/**
 * Time to one N = 1000 sample in headless Chromium (the page: Web Worker, TensorFlow.js wasm, the
 * @mddm/edgeconv wasm kernel) vs in Node, with the same model, seed and sampler, in one run.
 *
 *   pnpm --filter @mddm/web bench                  # the pretrained model, its recommended sampler
 *   pnpm --filter @mddm/web bench -- --steps 3     # quick check that it works
 *
 * Options: --n 1000, --steps S (default: the manifest's), --repeats 2, --model NAME (default:
 * opp-conditional if present, else opp-unconditional), --no-build (reuse dist/), --json.
 * Without a trained model in packages/pretrained/models/, an untrained stand-in of the default
 * architecture (8 layers, k = 12) times the same work (the weights do not change the cost).
 * Run it on a quiet machine: both sides share its cores.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { sample, selectBackend } from '@mddm/model';
import { loadPretrained, type PretrainedName } from '@mddm/pretrained';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium';
import { modelsIndex } from './scripts/models';
import { startServer } from './scripts/serve';
import { writeUntrainedModel } from './scripts/tiny-model';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function main(): Promise<void> {
  const n = Number(opt('--n') ?? 1000);
  const repeats = Number(opt('--repeats') ?? 2);
  const chromiumPath = findChromium();
  if (!chromiumPath) throw new Error('no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
  await selectBackend('wasm');

  // the model: shipped weights if present, else an untrained stand-in of the default architecture
  const shipped = join(here, '..', '..', 'packages', 'pretrained', 'models');
  const available = (await modelsIndex(shipped)).models;
  let modelsDir = shipped;
  let name = (opt('--model') ?? (available.includes('opp-conditional') ? 'opp-conditional' : 'opp-unconditional')) as PretrainedName;
  let tmp: string | null = null;
  let standIn = false;
  if (!available.includes(name)) {
    tmp = await mkdtemp(join(tmpdir(), 'mddm-web-bench-'));
    modelsDir = tmp;
    name = 'opp-unconditional';
    standIn = true;
    await writeUntrainedModel(tmp, { name, model: { layers: 8, k: 12, seed: 1 }, sampler: { steps: 60, spacing: 'uniform' } });
  }

  if (!args.includes('--no-build') || !existsSync(join(here, 'dist', 'index.html'))) {
    process.stderr.write('[bench] building the page (vite build)...\n');
    await promisify(execFile)(process.execPath, [join(here, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: here });
  }
  const server = await startServer({ port: 0, models: modelsDir });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const { denoiser, manifest } = await loadPretrained(name, { baseUrl: `${server.url}models/` });
    const steps = Number(opt('--steps') ?? manifest.sampler.steps ?? 60);
    const density = denoiser.training?.density ?? 1;
    const box = Math.cbrt(n / density);
    const conditions = denoiser.conditions > 0 ? [7, 1, 0.03] : undefined; // the page's default sliders
    const options = { ...manifest.sampler, n, box, steps, seed: 1, ...(conditions ? { conditions } : {}), onWarning: () => {} };

    const nodeMs: number[] = [];
    let nfe = 0;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await sample(denoiser, { ...options, onProgress: (p) => (nfe = p.evaluations) });
      nodeMs.push(performance.now() - t0);
      process.stderr.write(`[bench] node   run ${r + 1}: ${(nodeMs[r]! / 1000).toFixed(2)} s\n`);
    }
    denoiser.dispose();

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // init=noise: the same work as Node's `sample` (the page's default for opp-conditional starts from MD frames)
    await page.goto(`${server.url}?model=${name}&n=${n}&steps=${steps}&init=noise`);
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 120_000 });
    if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready') throw new Error(`page not ready: ${await page.textContent('#messages')}`);
    const detail = await page.textContent('#model-detail');
    const browserMs: number[] = [];
    for (let r = 0; r < repeats; r++) {
      await page.click('#generate');
      await page.waitForFunction(() => document.body.dataset.state !== 'generating', null, { timeout: 3_600_000, polling: 200 });
      if ((await page.evaluate(() => document.body.dataset.state)) !== 'done') throw new Error(`generation failed: ${await page.textContent('#messages')}`);
      browserMs.push(Number(await page.evaluate(() => document.body.dataset.elapsedMs)));
      process.stderr.write(`[bench] chrome run ${r + 1}: ${(browserMs[r]! / 1000).toFixed(2)} s\n`);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const best = (a: number[]) => Math.min(...a);
    const result = {
      model: standIn ? `${name} (untrained stand-in, 8 layers, k = 12)` : name,
      n, box: +box.toFixed(4), steps, corrector: manifest.sampler.corrector ?? null, nfe,
      nodeSeconds: nodeMs.map((x) => +(x / 1000).toFixed(3)),
      chromiumSeconds: browserMs.map((x) => +(x / 1000).toFixed(3)),
      ratioBest: +(best(browserMs) / best(nodeMs)).toFixed(3),
      ratioFirst: +(browserMs[0]! / nodeMs[0]!).toFixed(3),
      chromium: (await browser.version()),
      node: process.version,
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
      page: detail,
    };
    if (args.includes('--json')) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(`model ${result.model}; N = ${n}, box ${result.box} sigma, ${steps} steps, NFE ${nfe}`);
      console.log(`node     ${result.nodeSeconds.join(' / ')} s`);
      console.log(`chromium ${result.chromiumSeconds.join(' / ')} s   (Chromium ${result.chromium}, Node ${result.node}, ${result.cpus})`);
      console.log(`chromium / node: ${result.ratioBest} (best of ${repeats}), ${result.ratioFirst} (first run)`);
    }
  } finally {
    await browser.close();
    await server.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`[bench] ${(e as Error).message}`);
  process.exit(1);
});
