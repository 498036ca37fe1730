/**
 * The shipped MD frames for the issue-13 examples, read straight from the packed files
 * (`<name>.xyz.gz`, the files `loadDataset` of the data package serves) so the examples do not depend
 * on which package hosts the loader.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readXyz, type Frame } from '@mddm/io';

const CANDIDATES = ['../packages/data/data', '../packages/io/data'];

/** All frames of a shipped set (`'opp-unconditional'`, `'opp-replicas'`, ...). */
export async function mdFrames(name: string): Promise<Frame[]> {
  for (const dir of CANDIDATES) {
    const path = fileURLToPath(new URL(`${dir}/${name}.xyz.gz`, import.meta.url));
    if (!existsSync(path)) continue;
    const frames: Frame[] = [];
    for await (const f of readXyz(path)) frames.push(f);
    return frames;
  }
  throw new Error(`shipped data set ${name} not found under ${CANDIDATES.join(', ')}`);
}
