import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readXyz, writeXyz, type Frame } from '@mddm/io';
import type { DenoiserLike, SampleOptions } from '@mddm/model';

/**
 * A fingerprint of a denoiser's weights and architecture (hex, 16 characters): two models with the
 * same fingerprint generate the same samples from the same sampler and seed.
 */
export function weightsFingerprint(denoiser: DenoiserLike): string {
  const hash = createHash('sha256');
  hash.update(`${denoiser.kind}|${denoiser.conditions}|${denoiser.globalFeatures}|${denoiser.timeEncoding}`);
  tf.tidy(() => {
    for (const w of denoiser.getWeights()) {
      hash.update(w.shape.join('x'));
      const v = w.dataSync();
      hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  });
  return hash.digest('hex').slice(0, 16);
}

/** What decides a generated conformation: model, sampler, seed, conditions, size and box. */
export interface SampleKey {
  /** Label of the MD parameter set it is compared with (e.g. `opp-test/0003_...`); part of the file name. */
  id: string;
  seed: number;
  conditions: readonly number[];
  n: number;
  box: readonly number[];
  /** How the sample starts when not from noise (e.g. `nearest-md:0.25:3:4,1,1`); absent: uniform noise. */
  init?: string;
}

/**
 * Generated samples kept on disk, one extended XYZ file per sample, named by the parameter set, the
 * seed and a hash of everything that decides the sample (weights, sampler options, conditions, n,
 * box). Why: an evaluation takes hours on a small machine; with a cache it resumes after a kill, and
 * it can be re-scored when more MD replicas are packed without generating anything again. A file is
 * reused only when its hash matches, so a changed model or sampler never reads a stale sample.
 */
export class SampleCache {
  private constructor(private readonly dir: string, private readonly base: string) {}

  /** Opens (creating if needed) the folder `dir` for samples of `denoiser` drawn with `sampler`. */
  static async open(dir: string, denoiser: DenoiserLike, sampler: Partial<SampleOptions>): Promise<SampleCache> {
    await mkdir(dir, { recursive: true });
    return new SampleCache(dir, `${weightsFingerprint(denoiser)}|${JSON.stringify(sampler)}`);
  }

  /** The hash of one sample's key: `h` and 12 hex digits (the letter keeps XYZ readers from parsing it as a number). */
  signature(key: SampleKey): string {
    const text = `${this.base}|${key.seed}|${key.conditions.join(',')}|${key.n}|${key.box.join(',')}${key.init === undefined ? '' : `|${key.init}`}`;
    return `h${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  }

  /** The file a sample is stored in (`DIR/<id, / as __>_seed<S>_<hash>.xyz`). */
  path(key: SampleKey): string {
    return join(this.dir, `${key.id.replace(/[/\\]/g, '__')}_seed${key.seed}_${this.signature(key)}.xyz`);
  }

  /** The stored sample (positions `[n, 3]` and the frame's info), or null when it is not stored or the file does not match. */
  async get(key: SampleKey): Promise<{ positions: Float64Array; info: Frame['info'] } | null> {
    const file = this.path(key);
    if (!existsSync(file)) return null;
    for await (const frame of readXyz(file)) {
      if (frame.info.signature !== this.signature(key) || frame.positions.length !== 3 * key.n) return null;
      return { positions: frame.positions, info: frame.info };
    }
    return null;
  }

  /** Stores one sample atomically, with its key and `extra` (e.g. NFE) in the frame's info. */
  async put(key: SampleKey, positions: Float64Array, extra: Record<string, string | number> = {}): Promise<void> {
    const box: [number, number, number] = [key.box[0], key.box[1], key.box[2]];
    await writeXyz(this.path(key), [{ positions, box, info: { ...extra, set: key.id, seed: key.seed, signature: this.signature(key) } }]);
  }
}
