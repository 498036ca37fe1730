import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * Root directory of the installed `@mddm/io` package (the folder holding its package.json),
 * found by walking up from this module's file: works from `src/` (vitest, tsx) and from the built
 * `dist/` (ESM and CJS).
 * @internal
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === '@mddm/io') return (cachedRoot = dir);
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // Fallback: the layout of both src/<sub>/ and dist/.
  return (cachedRoot = join(dirname(fileURLToPath(import.meta.url)), '..'));
}

/**
 * Directory where the generator writes per-conformation files for the shipped sets
 * (`<package>/data-raw`, one sub-folder per set; not published).
 *
 * @returns absolute path of the raw data directory
 */
export function defaultRawDir(): string {
  return join(packageRoot(), 'data-raw');
}
