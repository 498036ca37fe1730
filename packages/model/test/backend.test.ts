import { describe, expect, it } from 'vitest';
import { ModelError, selectBackend } from '../src/index';

describe('selectBackend', () => {
  it('selects cpu and wasm, and fails clearly for tensorflow when tfjs-node is not installed', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(await selectBackend('wasm')).toBe('wasm');
    expect(await selectBackend()).toBe('wasm');
    const e = await selectBackend('tensorflow').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('MODEL_BACKEND_UNAVAILABLE');
    expect((e as ModelError).message).toMatch(/tfjs-node/);
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/backend must be/);
  });
});
