import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { readXyz, type Frame } from '@mddm/io';
import { CliError } from './errors';

/**
 * Checks before any work that `path` can be written (its folder exists and is writable), so a long
 * run does not end in a lost result.
 * @throws CliError `CLI_IO`
 */
export function checkWritable(command: string, path: string): void {
  const dir = dirname(path) || '.';
  if (!existsSync(dir)) throw new CliError(`mddm ${command}: cannot write ${path}: folder ${dir} does not exist`, 'CLI_IO');
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (e) {
    throw new CliError(`mddm ${command}: cannot write ${path}: permission denied`, 'CLI_IO', { cause: e });
  }
}

/**
 * Every frame of an extended XYZ input.
 * @throws CliError `CLI_NOT_FOUND` (no such file), `CLI_USAGE` (not extended XYZ, or no frame)
 */
export async function readFrames(command: string, path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  try {
    for await (const f of readXyz(path)) frames.push(f);
  } catch (e) {
    throw new CliError(`mddm ${command}: ${path}: ${(e as Error).message}`, (e as { code?: string }).code === 'IO_NOT_FOUND' ? 'CLI_NOT_FOUND' : 'CLI_USAGE', { cause: e });
  }
  if (frames.length === 0) throw new CliError(`mddm ${command}: ${path} holds no frame`, 'CLI_USAGE');
  return frames;
}

/**
 * The frame `--frame I` names (default 0).
 * @throws CliError `CLI_USAGE` when the file has fewer frames
 */
export function pickFrame(command: string, frames: readonly Frame[], index: number, path: string): Frame {
  if (index >= frames.length) throw new CliError(`mddm ${command}: --frame ${index} but ${path} holds ${frames.length} frame${frames.length > 1 ? 's' : ''}`, 'CLI_USAGE');
  return frames[index];
}
