/**
 * The page: parameters, U(r), Generate (sampling in `worker.ts`), the 3D view, g(r) against the
 * nearest shipped MD reference, and the extended XYZ download.
 *
 * URL parameters: `model=<name>` (default: `opp-conditional` if served, else `opp-unconditional`),
 * `models=<url>` (where the `models/` folder of @mddm/pretrained is served, default `./models/`),
 * `data=<url>` (where the `data/` folder of @mddm/data is served, default `./data/`: the MD frames a
 * `nearest-md` start draws from), `init=noise|nearest-md` (default: the model's manifest).
 */
import './style.css';
import { rdf, rdfSvg, type RdfCurve } from '@mddm/rdf';
import { writeXyzText } from '@mddm/io/browser';
import { PRETRAINED_MANIFEST, PRETRAINED_NAMES } from '@mddm/pretrained';
import { potentialSvg } from './potential';
import { nearestReference, RANGES, type MdReferences } from './references';
import { BoxViewer } from './viewer';
import type { FromWorker, ModelInfo, ToWorker } from './protocol';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};
const num = (id: string): number => Number(($<HTMLInputElement>(id)).value);
const setState = (s: 'loading' | 'no-model' | 'ready' | 'generating' | 'done' | 'error'): void => {
  document.body.dataset.state = s;
};

const params = new URLSearchParams(location.search);
const modelsBase = new URL(params.get('models') ?? 'models/', document.baseURI).href;
const dataBase = new URL(params.get('data') ?? 'data/', document.baseURI).href;
/** Particles of the shipped MD frames a `nearest-md` start draws from (box 10 at density 1). */
const POOL_N = 1000;

let info: ModelInfo | null = null;
let refs: MdReferences | null = null;
let worker: Worker | null = null;
let result: { positions: Float64Array; box: [number, number, number]; k: number; phi: number; T: number; seed: number; steps: number; evaluations: number; elapsedMs: number; n: number; init: 'noise' | 'nearest-md'; start?: string } | null = null;
let timer = 0;
let started = 0;

const viewer = (() => {
  try {
    return new BoxViewer($('viewer'));
  } catch (e) {
    $('viewer').innerHTML = `<p class="placeholder muted">3D view unavailable: WebGL could not start (${(e as Error).message}).</p>`;
    return null;
  }
})();
(window as unknown as { mddmViewer: BoxViewer | null }).mddmViewer = viewer;

function message(kind: 'warn' | 'error', text: string): void {
  const p = document.createElement('p');
  p.className = kind;
  p.textContent = text;
  $('messages').appendChild(p);
}

// ---------- parameters and U(r) ----------

const KEYS = ['k', 'phi', 'T'] as const;
type Key = (typeof KEYS)[number];

function clamp(key: Key, v: number): number {
  const [lo, hi] = RANGES[key];
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
}

function conditions(): Record<Key, number> {
  return { k: clamp('k', num('k')), phi: clamp('phi', num('phi')), T: clamp('T', num('T')) };
}

function drawPotential(): void {
  const c = conditions();
  $('potential').innerHTML = potentialSvg(c.k, c.phi);
}

for (const key of KEYS) {
  const box = $<HTMLInputElement>(key);
  const range = $<HTMLInputElement>(`${key}-range`);
  range.addEventListener('input', () => {
    box.value = range.value;
    drawPotential();
  });
  box.addEventListener('change', () => {
    const v = clamp(key, Number(box.value));
    box.value = String(v);
    range.value = String(v);
    drawPotential();
  });
}

function boxLength(n: number): number {
  return Math.cbrt(n / (info?.density ?? 1));
}

function updateBoxNote(): void {
  const n = Math.round(num('n'));
  const d = info?.density ?? 1;
  $('box-note').textContent = `Cubic periodic box L = ${boxLength(n).toFixed(3)} σ (number density ${d.toFixed(3)} σ⁻³, as in training).`;
}
$('n').addEventListener('input', updateBoxNote);

// ---------- model ----------

/** The served models (`models/index.json`, written by the build and by `scripts/serve.ts`). */
async function servedModels(): Promise<string[]> {
  try {
    const res = await fetch(new URL('index.json', modelsBase), { cache: 'no-store' });
    if (!res.ok) return [];
    const j = (await res.json()) as { models?: unknown };
    return Array.isArray(j.models) ? j.models.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}

async function chooseModel(): Promise<string | null> {
  const wanted = params.get('model');
  if (wanted && !(PRETRAINED_NAMES as readonly string[]).includes(wanted)) {
    message('error', `Unknown model "${wanted}"; expected one of ${PRETRAINED_NAMES.join(', ')}.`);
    return null;
  }
  const served = await servedModels();
  const candidates = wanted ? [wanted] : ['opp-conditional', 'opp-unconditional'];
  return candidates.find((name) => served.includes(name)) ?? null;
}

function startWorker(name: string): void {
  worker?.terminate();
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'mddm-sampler' });
  worker.onmessage = (ev: MessageEvent<FromWorker>) => onWorker(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    fail('generate', `worker failed: ${ev.message || 'unknown error'}`);
  };
  post({ type: 'load', baseUrl: modelsBase, name, dataUrl: dataBase });
}

function post(m: ToWorker): void {
  worker?.postMessage(m);
}

function onLoaded(i: ModelInfo): void {
  info = i;
  const m = i.manifest;
  $('model-name').textContent = m.name;
  const trained = m.steps ? `${m.steps.toLocaleString('en')} training steps` : 'untrained';
  $('model-detail').textContent = `${m.description} — ${trained}; TensorFlow.js ${i.backend} backend, ${i.threads} thread${i.threads > 1 ? 's' : ''}; loaded in ${(i.loadMs / 1000).toFixed(1)} s.`;
  const conditional = i.conditions > 0;
  $<HTMLFieldSetElement>('conditions').disabled = !conditional;
  if (!conditional) {
    const sp = m.statePoint ?? { k: 7, phi: 1, T: 0.03 };
    for (const key of KEYS) {
      const v = sp[key];
      if (typeof v === 'number') {
        $<HTMLInputElement>(key).value = String(v);
        $<HTMLInputElement>(`${key}-range`).value = String(v);
      }
    }
    $('condition-note').textContent = `This model is unconditional: it generates the structure of its one training state point (k = ${sp.k}, φ = ${sp.phi}, T = ${sp.T}).`;
  } else {
    $('condition-note').textContent = 'The model is conditioned on k, φ and T.';
  }
  const steps = m.sampler.steps ?? 60;
  $<HTMLInputElement>('steps').value = params.get('steps') ?? String(steps);
  if (params.get('n')) $<HTMLInputElement>('n').value = params.get('n')!;
  const corr = m.sampler.corrector;
  const cb = $<HTMLInputElement>('corrector');
  cb.disabled = !corr;
  cb.checked = !!corr && params.get('corrector') !== '0';
  $('corrector-detail').textContent = corr ? `(${corr.steps ?? '?'} steps per level below ${corr.sigmaMaxLj ?? '?'} σ noise)` : '(none in this model’s sampler)';
  const init = $<HTMLSelectElement>('init');
  init.disabled = !m.init;
  init.value = m.init ? (params.get('init') === 'noise' ? 'noise' : 'nearest-md') : 'noise';
  onInitChange();
  drawPotential();
  updateBoxNote();
  $<HTMLButtonElement>('generate').disabled = false;
  $('status').textContent = 'Ready.';
  setState('ready');
}

/** A `nearest-md` start fixes N to the MD frames' size; uniform noise takes any N. */
function onInitChange(): void {
  const init = info?.manifest.init;
  const nearest = $<HTMLSelectElement>('init').value === 'nearest-md' && !!init;
  const n = $<HTMLInputElement>('n');
  n.disabled = nearest;
  if (nearest) n.value = String(POOL_N);
  $('init-note').textContent = !init
    ? 'This model starts from uniform noise.'
    : nearest
      ? `The model's default: each sample starts from one of the ${init.neighbours} shipped LAMMPS frames nearest to (k, φ, T) (${init.sets.join(', ')}), noised to ${init.sigmaLj} σ and denoised at (k, φ, T); N = ${POOL_N}, as the frames. Only the frames a sample starts from are fetched (tens of kB each, HTTP ranges), and kept.`
      : 'From uniform noise: any N, but this model rarely makes a crystal from noise (docs/conditional.md).';
  updateBoxNote();
}
$('init').addEventListener('change', onInitChange);

function fail(phase: 'load' | 'generate', text: string, code: string | null = null): void {
  clearInterval(timer);
  message('error', `${phase === 'load' ? 'Loading the model' : 'Generation'} failed: ${text}${code ? ` [${code}]` : ''}`);
  $('status').textContent = 'Failed.';
  $<HTMLButtonElement>('cancel').disabled = true;
  $<HTMLButtonElement>('generate').disabled = phase === 'load';
  setState('error');
}

function onWorker(m: FromWorker): void {
  if (m.type === 'loaded') onLoaded(m.info);
  else if (m.type === 'warning') message('warn', m.message);
  else if (m.type === 'error') fail(m.phase, m.message, m.code);
  else if (m.type === 'pool') $('status').textContent = `${m.frames} MD frames loaded in ${(m.elapsedMs / 1000).toFixed(1)} s`;
  else if (m.type === 'progress') {
    const p = $<HTMLProgressElement>('progress');
    p.max = m.steps;
    p.value = m.step;
    $('status').textContent = `step ${m.step} / ${m.steps} · ${m.evaluations} network evaluations · ${(m.elapsedMs / 1000).toFixed(1)} s`;
  } else if (m.type === 'result') onResult(m);
}

// ---------- generate ----------

let pending: { k: number; phi: number; T: number; seed: number; n: number; init: 'noise' | 'nearest-md' } | null = null;

function generate(): void {
  if (!info) return;
  const n = Math.round(num('n'));
  const steps = Math.round(num('steps'));
  const seed = Math.round(num('seed'));
  if (!(n >= 32 && n <= 20000)) return message('error', `N must be an integer in 32–20000, got ${$<HTMLInputElement>('n').value}`);
  if (!(steps >= 1 && steps <= 2000)) return message('error', `Steps must be an integer in 1–2000, got ${$<HTMLInputElement>('steps').value}`);
  if (!(seed >= 0 && seed <= 4294967295)) return message('error', `Seed must be an integer in 0–4294967295`);
  $('messages').textContent = '';
  const c = conditions();
  const init = info.manifest.init && $<HTMLSelectElement>('init').value === 'nearest-md' ? 'nearest-md' : 'noise';
  if (init === 'nearest-md' && n !== POOL_N) return message('error', `A start from MD frames needs N = ${POOL_N} (the frames' size); choose uniform noise for N = ${n}`);
  pending = { ...c, seed, n, init };
  const L = boxLength(n);
  post({
    type: 'generate',
    n,
    box: L,
    conditions: info.conditions > 0 ? [c.k, c.phi, c.T].slice(0, info.conditions) : null,
    steps,
    corrector: $<HTMLInputElement>('corrector').checked,
    seed,
    init,
  });
  started = performance.now();
  clearInterval(timer);
  timer = window.setInterval(() => {
    const s = $('status');
    const t = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    s.dataset.elapsed = t;
    if (!s.textContent?.startsWith('step')) s.textContent = `starting… ${t}`;
    else s.textContent = s.textContent.replace(/[\d.]+ s$/, t);
  }, 100);
  const p = $<HTMLProgressElement>('progress');
  p.max = steps;
  p.value = 0;
  $('status').textContent = 'starting…';
  $<HTMLButtonElement>('generate').disabled = true;
  $<HTMLButtonElement>('cancel').disabled = false;
  $<HTMLButtonElement>('download').disabled = true;
  setState('generating');
}

function onResult(m: Extract<FromWorker, { type: 'result' }>): void {
  clearInterval(timer);
  const p = pending!;
  result = { positions: m.positions, box: m.box, ...p, steps: m.steps, evaluations: m.evaluations, elapsedMs: m.elapsedMs, ...(m.start ? { start: m.start } : {}) };
  document.body.dataset.elapsedMs = String(m.elapsedMs); // read by bench.ts
  $('status').textContent = `Done: N = ${p.n}, ${m.steps} steps, ${m.evaluations} network evaluations in ${(m.elapsedMs / 1000).toFixed(2)} s${m.start ? `, started from MD frame ${m.start}` : ''}.`;
  $<HTMLProgressElement>('progress').value = $<HTMLProgressElement>('progress').max;
  viewer?.show(m.positions, m.box);
  $('viewer-caption').textContent = `N = ${p.n} in a periodic ${m.box[0].toFixed(2)} σ box — drag to rotate, scroll to zoom; color = height z`;
  drawRdf();
  $<HTMLButtonElement>('generate').disabled = false;
  $<HTMLButtonElement>('cancel').disabled = true;
  $<HTMLButtonElement>('download').disabled = false;
  setState('done');
}

function drawRdf(): void {
  if (!result) return;
  const res = rdf(result.positions, result.box);
  const curves: RdfCurve[] = [{ label: `MDDM sample (N = ${result.n})`, r: res.centers, g: res.g, color: '#1f5fa8' }];
  let caption = 'no shipped MD reference available';
  const near = refs ? nearestReference(refs, result) : null;
  if (refs && near) {
    const pt = near.point;
    const exact = near.distance < 1e-6;
    curves.push({ label: `MD, LAMMPS (k ${pt.k}, φ ${pt.phi}, T ${pt.T})`, r: refs.r, g: pt.g, color: '#d9822b' });
    caption = `${exact ? 'MD reference at this state point' : `nearest shipped MD state point (distance ${near.distance.toFixed(3)} in units of the training ranges)`}: mean of ${pt.count} LAMMPS conformation${pt.count > 1 ? 's' : ''} (${pt.sets.join(', ')}), N = ${refs.n}, L = ${refs.box} σ`;
  }
  $('rdf').innerHTML = rdfSvg(curves, { xLabel: 'r (σ)', yLabel: 'g(r)', width: 560, height: 330 });
  $('rdf-caption').textContent = caption;
}

function download(): void {
  if (!result) return;
  const r = result;
  const text = writeXyzText([{
    positions: r.positions,
    box: r.box,
    info: {
      generator: 'mddm-web', model: info?.manifest.name ?? 'unknown', k: r.k, phi: r.phi, T: r.T,
      seed: r.seed, steps: r.steps, nfe: r.evaluations, init: r.init, ...(r.start ? { start: r.start } : {}),
    },
  }]);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'chemical/x-xyz' }));
  a.download = `mddm_${info?.manifest.name ?? 'sample'}_k${r.k}_phi${r.phi}_T${r.T}_seed${r.seed}.xyz`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

$('generate').addEventListener('click', generate);
$('download').addEventListener('click', download);
$('cancel').addEventListener('click', () => {
  clearInterval(timer);
  $('status').textContent = 'Stopped; reloading the model…';
  $<HTMLButtonElement>('cancel').disabled = true;
  if (info) startWorker(info.name);
});

// ---------- start ----------

drawPotential();
updateBoxNote();
fetch(new URL('md-references.json', document.baseURI))
  .then((r) => (r.ok ? (r.json() as Promise<MdReferences>) : null))
  .then((j) => {
    refs = j;
    if (result) drawRdf();
  })
  .catch(() => {
    refs = null;
  });
chooseModel().then((name) => {
  if (!name) {
    $('model-name').textContent = 'no model found';
    $('model-detail').textContent = `No pretrained model is served under ${modelsBase} (expected ${PRETRAINED_NAMES.map((n) => `${n}/${PRETRAINED_MANIFEST}`).join(' or ')}). Build the page after the weights are in packages/pretrained/models/, or pass ?models=<url>.`;
    $('status').textContent = 'No model.';
    setState('no-model');
    return;
  }
  $('model-name').textContent = `${name} (loading…)`;
  startWorker(name);
});
