import { readXyz, type Frame } from '@mddm/io';
import { runMddm } from '../src/index';

/** Runs the CLI in-process, capturing stdout and stderr. */
export async function mddm(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runMddm(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** All frames of an extended XYZ file. */
export async function frames(path: string): Promise<Frame[]> {
  const all: Frame[] = [];
  for await (const f of readXyz(path)) all.push(f);
  return all;
}
