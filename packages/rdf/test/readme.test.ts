import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

describe('README', () => {
  it('the first TypeScript snippet runs and prints what it says', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const m = /```ts\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'mddm-rdf-readme-'));
    const file = join(dir, 'snippet.ts');
    writeFileSync(file, m![1]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const cwd = process.cwd();
    process.chdir(dir); // the snippet writes rdf.svg into the working directory
    try {
      await import(/* @vite-ignore */ file);
      expect(log).toHaveBeenCalledWith('1.025', '9.10', '6.000000');
      expect(log).toHaveBeenCalledWith(true);
      expect(existsSync(join(dir, 'rdf.svg'))).toBe(true);
      expect(readFileSync(join(dir, 'rdf.svg'), 'utf8')).toContain('simple-cubic lattice');
    } finally {
      process.chdir(cwd);
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
