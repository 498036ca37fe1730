import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

describe('README', () => {
  it('the first TypeScript snippet runs', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const m = /```ts\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'mddm-schedules-readme-'));
    const file = join(dir, 'snippet.ts');
    writeFileSync(file, m![1]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ file);
      expect(log).toHaveBeenCalledWith(3000, 3000, 500);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
