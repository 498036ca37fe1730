/**
 * `models/index.json`: which pretrained-model folders (`<name>/model.json`) a models directory
 * holds, so the page picks one without probing URLs (a 404 would show as a console error).
 * Written into `dist/models/` by the build and answered live by `serve.ts`.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the index inside the served models folder. */
export const MODELS_INDEX = 'index.json';

/** The index of `dir`: names of its subfolders holding a `model.json`, sorted. */
export async function modelsIndex(dir: string): Promise<{ models: string[] }> {
  if (!existsSync(dir)) return { models: [] };
  const entries = await readdir(dir, { withFileTypes: true });
  return { models: entries.filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'model.json'))).map((e) => e.name).sort() };
}
