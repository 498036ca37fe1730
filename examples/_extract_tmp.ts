import { loadDataset } from '@mddm/data';
import { writeXyz } from '@mddm/io';
const [set, prefix, out] = process.argv.slice(2);
const frames = (await loadDataset(set as never)).filter((f) => String(f.info.id).startsWith(prefix));
await writeXyz(out, frames);
console.log(frames.length);
