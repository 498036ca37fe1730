import { join } from 'node:path';
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

/**
 * A tiny denoiser trained one step on `positions` (log-sigma time input, a 20-level geometric schedule)
 * saved as `dir/model`, and the frame as `dir/frame.xyz` with `info.T = 0.5`: for the commands that
 * read a frame and a model. The weights are meaningless; the plumbing does not depend on them.
 * @returns the model directory and the frame file
 */
export async function tinyModelAndFrame(dir: string, positions: Float64Array, L: number): Promise<{ model: string; frameFile: string }> {
  const { createDenoiser, saveDenoiser, train } = await import('@mddm/model');
  const { geometricSchedule } = await import('@mddm/schedules');
  const { writeXyz } = await import('@mddm/io');
  const d = createDenoiser({ k: 8, layers: 1, width: 8, hidden: [8], headHidden: [8], timeEncoding: 'log-sigma' });
  await train(d, { data: [{ positions, box: L }], steps: 1, schedule: geometricSchedule(20, { sigmaMinBox: 1e-2, sigmaMaxBox: 1 }) });
  const model = join(dir, 'model');
  await saveDenoiser(d, model);
  d.dispose();
  const frameFile = join(dir, 'frame.xyz');
  await writeXyz(frameFile, [{ positions, box: [L, L, L], info: { T: 0.5 } }]);
  return { model, frameFile };
}
