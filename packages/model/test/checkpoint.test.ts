import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError, loadDenoiser, saveDenoiser, selectBackend } from '../src/index';
import { crc32 } from '../src/checkpoint';
import { lattice, tinyDenoiser } from './helpers';

let dir = '';
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ModelError);
  expect((e as ModelError).code).toBe(code);
}

describe('checkpoints', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips weights and configuration exactly', async () => {
    const d = tinyDenoiser({ seed: 5, conditions: 1, conditionRanges: [[0, 2]] });
    const p = join(dir, 'a');
    await saveDenoiser(d, p);
    const e = await loadDenoiser(p);
    expect(e.toSpec()).toEqual(d.toSpec());
    const x = lattice(4, 0.2);
    expect(Array.from(e.predict(x, 4, 0.3, { conditions: [1] }))).toEqual(Array.from(d.predict(x, 4, 0.3, { conditions: [1] })));
    // overwriting leaves exactly one weights file
    await saveDenoiser(d, p);
    expect((await readdir(p)).filter((f) => f.endsWith('.bin')).length).toBe(1);
    d.dispose();
    e.dispose();
  });

  it('fails with typed errors on missing, corrupt, truncated or mismatched checkpoints', async () => {
    await expectCode(loadDenoiser(join(dir, 'nope')), 'MODEL_CHECKPOINT_MISSING');
    const d = tinyDenoiser();
    const p = join(dir, 'b');
    await saveDenoiser(d, p);
    const bin = join(p, (await readdir(p)).find((f) => f.endsWith('.bin'))!);
    const bytes = await readFile(bin);
    bytes[17] ^= 0x40;
    await writeFile(bin, bytes);
    await expectCode(loadDenoiser(p), 'MODEL_CHECKPOINT_CORRUPT');
    await writeFile(bin, bytes.subarray(0, 100));
    await expectCode(loadDenoiser(p), 'MODEL_CHECKPOINT_CORRUPT');
    await rm(bin);
    await expectCode(loadDenoiser(p), 'MODEL_CHECKPOINT_MISSING');
    await writeFile(join(p, 'checkpoint.json'), '{"format": "mddm-checkp');
    await expectCode(loadDenoiser(p), 'MODEL_CHECKPOINT_CORRUPT');
    await writeFile(join(p, 'checkpoint.json'), '{"format": "something-else"}');
    await expectCode(loadDenoiser(p), 'MODEL_CHECKPOINT_CORRUPT');
    const q = join(dir, 'c');
    await saveDenoiser(d, q);
    await expectCode(loadDenoiser(q, { expect: tinyDenoiser({ width: 6 }).toSpec() }), 'MODEL_CONFIG_MISMATCH');
    d.dispose();
  });
});
