import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/errors';
import { writeTextOutput } from '../src/output';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'mddm-output-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('writeTextOutput', () => {
  it('writes the text, replacing an earlier file, and leaves no temporary file', async () => {
    const f = join(dir, 'a.json');
    await writeFile(f, 'old');
    await writeTextOutput('test', f, '{"x":1}');
    expect(await readFile(f, 'utf8')).toBe('{"x":1}');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('fails with a one-line CLI_IO error and keeps the earlier file when the path cannot be written', async () => {
    const d = join(dir, 'sub');
    await mkdir(d);
    const target = join(d, 'b.json');
    await mkdir(target); // a folder where the file should go: the rename fails after the temporary file is written
    const err = await writeTextOutput('test', target, 'new').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('CLI_IO');
    expect((err as Error).message).toMatch(/^mddm test: cannot write .*b\.json \(E[A-Z]+\)$/);
    expect(await readdir(d)).toEqual(['b.json']); // the temporary file is removed
    await expect(writeTextOutput('test', join(dir, 'no', 'c.json'), 'x')).rejects.toThrow(/cannot write .*c\.json \(ENOENT\)/);
  });
});
