import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors';

/**
 * Writes a text output (`--json`, `--svg`) atomically: into a temporary file beside `path`, then renamed over
 * it, so a reader never sees half a file and a failure leaves any earlier file as it was. Call
 * `checkWritable` at the command's entry too, so a long run does not end in this error.
 * @throws CliError `CLI_IO` (one line naming the file and the reason)
 */
export async function writeTextOutput(command: string, path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const reason = (e as { code?: string }).code ?? (e as Error).message;
    throw new CliError(`mddm ${command}: cannot write ${path} (${reason})`, 'CLI_IO', { cause: e });
  }
}
