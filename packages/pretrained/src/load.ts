import { ModelError, loadDenoiser, type DenoiserLike } from '@mddm/model';
import { PRETRAINED_MANIFEST, PRETRAINED_NAMES, type PretrainedManifest, type PretrainedName } from './manifest';

/** A loaded pretrained model. */
export interface PretrainedModel {
  /** The denoiser with its trained weights (dispose it when done). */
  denoiser: DenoiserLike;
  /** What it is, how it was made, how good it is, and its recommended sampler. */
  manifest: PretrainedManifest;
}

/** Options of {@link loadPretrained}. */
export interface LoadPretrainedOptions {
  /**
   * Base URL under which this package's `models/` folder is served (browsers), e.g.
   * `'/assets/mddm-models/'` or `new URL('models/', import.meta.url)` with a bundler that copies
   * them. Default in Node: the installed package's own `models/` folder.
   */
  baseUrl?: string | URL;
}

function checkName(name: string): asserts name is PretrainedName {
  if (!(PRETRAINED_NAMES as readonly string[]).includes(name)) {
    throw new ModelError(`unknown pretrained model ${JSON.stringify(name)}; expected one of ${PRETRAINED_NAMES.map((n) => `'${n}'`).join(', ')}`, 'MODEL_BAD_INPUT');
  }
}

/** The location of a model's folder: a URL (browser, or `baseUrl`) or the package's `models/` (Node). */
function modelLocation(name: PretrainedName, baseUrl: string | URL | undefined): string {
  if (baseUrl !== undefined) return new URL(`${name}/`, new URL(String(baseUrl).replace(/\/?$/, '/'), globalThis.location?.href)).href;
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new ModelError(`loadPretrained: in a browser, pass { baseUrl } where this package's models/ folder is served`, 'MODEL_BAD_INPUT');
  }
  return new URL(`../models/${name}/`, import.meta.url).href;
}

async function readManifest(location: string): Promise<PretrainedManifest> {
  const url = new URL(PRETRAINED_MANIFEST, location);
  let text: string;
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    text = await readFile(url, 'utf8').catch((e) => {
      throw new ModelError(`pretrained model manifest ${url.pathname} is missing`, 'MODEL_CHECKPOINT_MISSING', { cause: e });
    });
  } else {
    const res = await fetch(url);
    if (!res.ok) throw new ModelError(`pretrained model manifest ${url.href}: HTTP ${res.status}`, 'MODEL_CHECKPOINT_MISSING');
    text = await res.text();
  }
  const m = JSON.parse(text) as PretrainedManifest;
  if (m.format !== 'mddm-pretrained' || m.version !== 1) throw new ModelError(`${url.href} is not an mddm-pretrained manifest (version 1)`, 'MODEL_CHECKPOINT_CORRUPT');
  return m;
}

/**
 * Loads a shipped pretrained denoiser in one call (Node: from this package; browser: from `baseUrl`).
 * A TensorFlow.js backend must be selected first (`selectBackend()` of `@mddm/model`).
 *
 * @param name - `'opp-conditional'` (conditions k, phi, T over the paper's ranges), `'opp-unconditional'`
 *   (k = 7, phi = 1, T = 0.03) or `'opp-unconditional-potential'` (the same state point; its first layer also
 *   reads the OPP energy and force of the noisy configuration: the closest structure to MD's)
 * @param options - `baseUrl` where the `models/` folder is served
 * @returns the denoiser and its manifest (use `manifest.sampler` as `sample` options)
 * @throws ModelError `MODEL_BAD_INPUT` for an unknown name; `MODEL_CHECKPOINT_MISSING` / `_CORRUPT` for bad files
 * @example
 * ```ts
 * await selectBackend();
 * const { denoiser, manifest } = await loadPretrained('opp-conditional');
 * const { positions } = await sample(denoiser, { ...manifest.sampler, n: 1000, box: 10, conditions: [7, 1, 0.03] });
 * ```
 */
export async function loadPretrained(name: PretrainedName, options: LoadPretrainedOptions = {}): Promise<PretrainedModel> {
  checkName(name);
  const location = modelLocation(name, options.baseUrl);
  const manifest = await readManifest(location);
  const denoiser = await loadDenoiser(location.startsWith('file:') ? decodeURIComponent(new URL(location).pathname) : location);
  return { denoiser, manifest };
}
