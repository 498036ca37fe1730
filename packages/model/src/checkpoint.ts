import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { ensureBackend } from './backend';
import type { DenoiserSpec } from './denoiser';
import type { DenoiserLike, DenoiserSpecBase } from './denoiserLike';
import { denoiserFromSpec } from './registry';
import { ModelError } from './errors';

/** Name of the manifest file inside a checkpoint directory. */
export const CHECKPOINT_MANIFEST = 'checkpoint.json';

/** Where a block of float32 tensors lives in a checkpoint. */
interface BlobRef {
  file: string;
  bytes: number;
  crc32: number;
  shapes: number[][];
}

/** The manifest `checkpoint.json` of a checkpoint directory (format version 1). */
export interface CheckpointManifest {
  /** Always `'mddm-checkpoint'`. */
  format: 'mddm-checkpoint';
  /** Format version (1). */
  version: 1;
  /** The denoiser's configuration (any registered kind; `DenoiserSpec` for MDDM). */
  spec: DenoiserSpecBase;
  /** Weights file (float32 little-endian, concatenated in `Denoiser.getWeights()` order). */
  weights: BlobRef;
  /** Optional optimizer moments (`m` of every variable, then `v`). */
  optimizer?: BlobRef & { step: number };
  /** Optional exponential moving average of the weights (`getWeights()` order) and its decay (`train({ ema })`). */
  ema?: BlobRef & { decay: number };
  /** Optional JSON training state (step, RNG state, losses, options). */
  state?: unknown;
}

/** What {@link readCheckpoint} returns. */
export interface CheckpointData {
  /** The manifest. */
  manifest: CheckpointManifest;
  /** The weights, in `Denoiser.getWeights()` order. */
  weights: { data: Float32Array; shape: number[] }[];
  /** The optimizer state, if saved. */
  optimizer?: { step: number; m: Float32Array[]; v: Float32Array[] };
  /** The averaged weights (`getWeights()` order), if saved. */
  ema?: { decay: number; weights: Float32Array[] };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (IEEE 802.3, as in zip/PNG) of bytes.
 * @param bytes - data
 * @returns unsigned 32-bit checksum
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function fsp(): Promise<typeof import('node:fs/promises')> {
  return import('node:fs/promises');
}

async function pathJoin(...parts: string[]): Promise<string> {
  const path = await import('node:path');
  return path.join(...parts);
}

/** Writes a file atomically: temporary file in the same directory, fsync, rename. */
async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const fs = await fsp();
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
}

function packFloat32(arrays: ArrayLike<number>[]): Uint8Array {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const f = new Float32Array(total);
  let o = 0;
  for (const a of arrays) {
    f.set(a, o);
    o += a.length;
  }
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

function unpackFloat32(bytes: Uint8Array, shapes: number[][]): Float32Array[] {
  const copy = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(copy.buffer).set(bytes);
  const out: Float32Array[] = [];
  let o = 0;
  for (const s of shapes) {
    const size = s.reduce((a, b) => a * b, 1);
    out.push(copy.slice(o, o + size));
    o += size;
  }
  return out;
}

/**
 * Writes a checkpoint directory atomically: new binary files get unique names, then the manifest
 * `checkpoint.json` is atomically replaced, then files the new manifest does not reference are
 * removed. A crash at any moment leaves either the old or the new checkpoint, never a mix.
 *
 * @param dir - directory (created if missing)
 * @param denoiser - the model (weights and spec are saved)
 * @param extra - optional optimizer state, averaged weights and JSON training state
 */
export async function writeCheckpoint(
  dir: string,
  denoiser: DenoiserLike,
  extra: { optimizer?: { step: number; m: Float32Array[]; v: Float32Array[] }; ema?: { decay: number; weights: Float32Array[] }; state?: unknown } = {},
): Promise<void> {
  const fs = await fsp();
  await fs.mkdir(dir, { recursive: true });
  const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tensors = denoiser.getWeights();
  let weightsBytes: Uint8Array;
  let shapes: number[][];
  try {
    shapes = tensors.map((t) => [...t.shape]);
    weightsBytes = packFloat32(tensors.map((t) => t.dataSync() as Float32Array));
  } finally {
    tf.dispose(tensors);
  }
  const weightsFile = `weights-${tag}.bin`;
  await atomicWrite(await pathJoin(dir, weightsFile), weightsBytes);
  const manifest: CheckpointManifest = {
    format: 'mddm-checkpoint',
    version: 1,
    spec: denoiser.toSpec(),
    weights: { file: weightsFile, bytes: weightsBytes.byteLength, crc32: crc32(weightsBytes), shapes },
  };
  if (extra.optimizer) {
    const bytes = packFloat32([...extra.optimizer.m, ...extra.optimizer.v]);
    const file = `optimizer-${tag}.bin`;
    await atomicWrite(await pathJoin(dir, file), bytes);
    // the moments' own (flat) sizes: the optimizer covers the trainable weights, which need not be all
    // of them (an energy denoiser's last head bias never reaches its force and is not trained)
    const moments = [...extra.optimizer.m, ...extra.optimizer.v].map((a) => [a.length]);
    manifest.optimizer = { file, bytes: bytes.byteLength, crc32: crc32(bytes), shapes: moments, step: extra.optimizer.step };
  }
  if (extra.ema) {
    const bytes = packFloat32(extra.ema.weights);
    const file = `ema-${tag}.bin`;
    await atomicWrite(await pathJoin(dir, file), bytes);
    manifest.ema = { file, bytes: bytes.byteLength, crc32: crc32(bytes), shapes, decay: extra.ema.decay };
  }
  if (extra.state !== undefined) manifest.state = extra.state;
  await atomicWrite(await pathJoin(dir, CHECKPOINT_MANIFEST), JSON.stringify(manifest));
  await removeStaleFiles(dir, manifest);
}

/**
 * Removes what the manifest of `dir` does not reference: `.bin` files of earlier checkpoints, and the
 * `*.tmp-*` files and orphaned `.bin` files that a process killed while writing a checkpoint leaves
 * behind. Called after every write and when training resumes. Only names this module writes are
 * touched (`weights-*.bin`, `optimizer-*.bin`, `ema-*.bin`, `checkpoint.json.tmp-*` and their `.tmp-*`).
 *
 * @param dir - checkpoint directory
 * @param manifest - its current manifest (the files it references are kept)
 */
export async function removeStaleFiles(dir: string, manifest: CheckpointManifest): Promise<void> {
  const fs = await fsp();
  const keep = new Set([CHECKPOINT_MANIFEST, manifest.weights?.file, manifest.optimizer?.file, manifest.ema?.file]);
  for (const f of await fs.readdir(dir)) {
    if (!keep.has(f) && STALE.test(f)) await fs.rm(await pathJoin(dir, f), { force: true });
  }
}

/** @internal Files of this module that may be stale: blobs, and temporaries of blobs or the manifest. */
const STALE = /^(?:(?:weights|optimizer|ema)-[\w-]+\.bin|checkpoint\.json)(?:\.tmp-[\w-]+)?$/;

/** @internal Whether a checkpoint location is a URL (read with `fetch`) rather than a directory path. */
function isUrl(dir: string): boolean {
  return /^(?:https?|blob|data):/i.test(dir);
}

/** @internal Fetches `file` under the checkpoint URL `dir` (a trailing `/` is implied); throws unless HTTP 2xx. */
async function fetchChecked(dir: string, file: string): Promise<Response> {
  const url = new URL(file, dir.endsWith('/') ? dir : `${dir}/`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.href}: HTTP ${res.status}`);
  return res;
}

async function readBlob(dir: string, ref: BlobRef, what: string): Promise<Float32Array[]> {
  if (!ref || typeof ref.file !== 'string' || !/^[\w.-]+$/.test(ref.file) || !Array.isArray(ref.shapes)) {
    throw new ModelError(`checkpoint ${dir}: ${what} entry of checkpoint.json is malformed: ${describeValue(ref)}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  let bytes: Uint8Array;
  try {
    bytes = isUrl(dir) ? new Uint8Array((await fetchChecked(dir, ref.file).then((r) => r.arrayBuffer())) as ArrayBuffer)
      : new Uint8Array(await (await fsp()).readFile(await pathJoin(dir, ref.file)));
  } catch {
    throw new ModelError(`checkpoint ${dir}: ${what} file ${ref.file} is missing`, 'MODEL_CHECKPOINT_MISSING');
  }
  const expected = ref.shapes.reduce((s, sh) => s + 4 * sh.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== ref.bytes || bytes.byteLength !== expected) {
    throw new ModelError(`checkpoint ${dir}: ${what} file ${ref.file} has ${bytes.byteLength} bytes, expected ${expected}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  const c = crc32(bytes);
  if (c !== ref.crc32) {
    throw new ModelError(`checkpoint ${dir}: ${what} file ${ref.file} has CRC-32 ${c}, expected ${ref.crc32} (corrupt)`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  return unpackFloat32(bytes, ref.shapes);
}

/**
 * Reads and verifies a checkpoint directory (sizes and CRC-32 of every file).
 * @param dir - directory written by {@link writeCheckpoint} / {@link saveDenoiser}, or the URL
 *   (`http:`, `https:`, `blob:`, `data:`) where such a directory is served, read with `fetch`
 *   (browsers, workers)
 * @throws ModelError `MODEL_CHECKPOINT_MISSING` if the directory, manifest or a file is missing;
 *   `MODEL_CHECKPOINT_CORRUPT` for bad JSON, a wrong format tag, a size or checksum mismatch
 */
export async function readCheckpoint(dir: string): Promise<CheckpointData> {
  let text: string;
  try {
    text = isUrl(dir) ? await fetchChecked(dir, CHECKPOINT_MANIFEST).then((r) => r.text())
      : await (await fsp()).readFile(await pathJoin(dir, CHECKPOINT_MANIFEST), 'utf8');
  } catch {
    throw new ModelError(`no checkpoint at ${describeValue(dir)}: ${CHECKPOINT_MANIFEST} is missing`, 'MODEL_CHECKPOINT_MISSING');
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new ModelError(`checkpoint ${dir}: ${CHECKPOINT_MANIFEST} is not valid JSON (${(e as Error).message})`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  if (!manifest || manifest.format !== 'mddm-checkpoint' || manifest.version !== 1 || !manifest.spec || !manifest.weights) {
    throw new ModelError(`checkpoint ${dir}: ${CHECKPOINT_MANIFEST} is not an mddm-checkpoint version 1`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  const w = await readBlob(dir, manifest.weights, 'weights');
  const data: CheckpointData = { manifest, weights: w.map((d, i) => ({ data: d, shape: manifest.weights.shapes[i] })) };
  if (manifest.optimizer) {
    const o = await readBlob(dir, manifest.optimizer, 'optimizer');
    const h = o.length / 2;
    data.optimizer = { step: manifest.optimizer.step, m: o.slice(0, h), v: o.slice(h) };
  }
  if (manifest.ema) data.ema = { decay: manifest.ema.decay, weights: await readBlob(dir, manifest.ema, 'ema') };
  return data;
}

/**
 * Compares the architecture part of two specs (ignores training facts, seeds and names; a missing
 * `kind` is `'mddm'`). @internal
 */
export function sameArchitecture(a: DenoiserSpecBase, b: DenoiserSpecBase): string | null {
  const strip = (base: DenoiserSpecBase): string => {
    const kind = base.kind ?? 'mddm';
    if (kind !== 'mddm' || !Array.isArray((base as DenoiserSpec).layers)) {
      // composite kinds (noise-band) nest their parts' specs: their training records are facts, not architecture
      return JSON.stringify({ kind, ...base, training: undefined }, (key, v: unknown) => (key === 'seed' || key === 'name' || key === 'training' ? undefined : v));
    }
    const s = base as DenoiserSpec;
    return JSON.stringify({ kind, ...s, training: undefined, layers: s.layers.map((l) => ({ ...l, kernel: undefined, name: undefined, seed: undefined })), head: { ...s.head, name: undefined, seed: undefined } });
  };
  const x = strip(a);
  const y = strip(b);
  if (x === y) return null;
  return `checkpoint: ${x.slice(0, 400)}\nmodel:      ${y.slice(0, 400)}`;
}

/** Which weights of a checkpoint to load: the averaged ones if it has them (default), or the last iterate. */
export type CheckpointWeights = 'ema' | 'raw';

/**
 * Loads checkpoint weights into an existing denoiser.
 * @param which - `'raw'` (default here: what resuming training needs) or `'ema'` (the averaged
 *   weights when the checkpoint has them, else the raw ones)
 * @throws ModelError `MODEL_CONFIG_MISMATCH` if the checkpoint was written for another architecture,
 *   plus the errors of {@link readCheckpoint}
 */
export function applyCheckpoint(denoiser: DenoiserLike, data: CheckpointData, which: CheckpointWeights = 'raw'): void {
  const diff = sameArchitecture(data.manifest.spec, denoiser.toSpec());
  if (diff) throw new ModelError(`checkpoint was written for a different denoiser configuration:\n${diff}`, 'MODEL_CONFIG_MISMATCH');
  const source = which === 'ema' && data.ema ? data.ema.weights : data.weights.map((w) => w.data);
  const tensors = source.map((w, i) => tf.tensor(w, data.weights[i].shape));
  try {
    denoiser.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  if (data.manifest.spec.training) denoiser.training = JSON.parse(JSON.stringify(data.manifest.spec.training));
}

/**
 * Saves a denoiser's weights and configuration to a directory (atomic; see {@link writeCheckpoint}).
 * Format: `checkpoint.json` (spec, shapes, CRC-32) + `weights-*.bin` (float32 little-endian).
 * @param denoiser - the model
 * @param dir - target directory (created if missing)
 */
export async function saveDenoiser(denoiser: DenoiserLike, dir: string): Promise<void> {
  await writeCheckpoint(dir, denoiser);
}

/**
 * Loads a denoiser saved by {@link saveDenoiser} or by `train` checkpoints, of any registered
 * architecture (`spec.kind`: `'mddm'`, `'transolver'`, or one added with `registerDenoiserKind`).
 * @param dir - checkpoint directory, or the URL where one is served (`http:`, `https:`, `blob:`, `data:`; read with `fetch`)
 * @param options - `expect`: a spec the checkpoint must match (throws `MODEL_CONFIG_MISMATCH` otherwise);
 *   `weights`: `'ema'` (default: the averaged weights of `train({ ema })` when the checkpoint has
 *   them, the ones to sample with) or `'raw'` (the last iterate)
 * @returns a new denoiser with the saved weights and training facts (initialises the default backend
 *   with `ensureBackend` if none is selected yet)
 * @throws ModelError `MODEL_CHECKPOINT_MISSING` / `MODEL_CHECKPOINT_CORRUPT` / `MODEL_CONFIG_MISMATCH`
 */
export async function loadDenoiser(dir: string, options: { expect?: DenoiserSpecBase; weights?: CheckpointWeights } = {}): Promise<DenoiserLike> {
  const which = options.weights ?? 'ema';
  if (which !== 'ema' && which !== 'raw') throw new ModelError(`loadDenoiser: weights must be 'ema' | 'raw', got ${describeValue(which)}`, 'MODEL_BAD_CONFIG');
  await ensureBackend(); // lazily: the weights become tensors below
  const data = await readCheckpoint(dir);
  if (options.expect) {
    const diff = sameArchitecture(data.manifest.spec, options.expect);
    if (diff) throw new ModelError(`checkpoint ${dir} does not match the expected configuration:\n${diff}`, 'MODEL_CONFIG_MISMATCH');
  }
  let d: DenoiserLike;
  try {
    d = denoiserFromSpec(data.manifest.spec);
  } catch (e) {
    if (e instanceof ModelError) throw new ModelError(`checkpoint ${dir}: invalid denoiser spec: ${e.message}`, 'MODEL_CHECKPOINT_CORRUPT');
    throw new ModelError(`checkpoint ${dir}: invalid denoiser spec: ${(e as Error).message}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  try {
    applyCheckpoint(d, data, which);
  } catch (e) {
    d.dispose();
    throw e;
  }
  return d;
}
