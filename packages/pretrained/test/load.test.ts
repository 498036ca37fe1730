import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelError, createDenoiser, saveDenoiser, selectBackend } from '@mddm/model';
import { PRETRAINED_MANIFEST, loadPretrained, type PretrainedManifest } from '../src/index';

let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-pretrained-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function manifest(): PretrainedManifest {
  return {
    format: 'mddm-pretrained', version: 1, name: 'opp-unconditional', description: 'test', conditionKeys: [], data: { sets: ['opp-unconditional'], conformations: 1 },
    recipe: { model: {}, training: {} }, command: 'none', steps: 0, trainingMinutes: 0, machine: 'test', sampler: { steps: 3, spacing: 'log-sigma' }, quality: {},
  };
}

describe('loadPretrained', () => {
  it('loads a model folder (checkpoint + manifest) from a base URL, weights intact', async () => {
    const d = createDenoiser({ k: 4, layers: 1, width: 4, hidden: [4], headHidden: [4], seed: 3 });
    const folder = join(dir, 'models', 'opp-unconditional');
    await mkdir(folder, { recursive: true });
    await saveDenoiser(d, folder);
    await writeFile(join(folder, PRETRAINED_MANIFEST), JSON.stringify(manifest()));
    const { denoiser, manifest: m } = await loadPretrained('opp-unconditional', { baseUrl: pathToFileURL(join(dir, 'models')).href });
    expect(m.sampler.steps).toBe(3);
    const x = new Float64Array(8 * 3).map((_, i) => (i * 0.37) % 2);
    expect(Array.from(denoiser.predict(x, 2, 0.5))).toEqual(Array.from(d.predict(x, 2, 0.5)));
    denoiser.dispose();
    d.dispose();
  });

  it('rejects an unknown name and a missing or foreign manifest with ModelError', async () => {
    await expect(loadPretrained('opp-imaginary' as never)).rejects.toThrow(/unknown pretrained model "opp-imaginary"; expected one of 'opp-conditional', 'opp-unconditional'/);
    await expect(loadPretrained('opp-conditional', { baseUrl: pathToFileURL(join(dir, 'nowhere')).href })).rejects.toMatchObject({ code: 'MODEL_CHECKPOINT_MISSING' });
    const folder = join(dir, 'bad', 'opp-conditional');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, PRETRAINED_MANIFEST), JSON.stringify({ format: 'something-else' }));
    await expect(loadPretrained('opp-conditional', { baseUrl: pathToFileURL(join(dir, 'bad')).href })).rejects.toBeInstanceOf(ModelError);
  });
});
