/** Extended XYZ for non-periodic point clouds: no `Lattice`, `pbc="F F F"` (ASE / OVITO read it). */
import { writeFile } from 'node:fs/promises';

/**
 * Writes one point cloud as an extended XYZ frame without a cell.
 * @param path - output file
 * @param positions - flat `[N, 3]`
 * @param info - extra `key=value` pairs for the comment line (numbers or strings without spaces)
 */
export async function writePointCloudXyz(path: string, positions: ArrayLike<number>, info: Record<string, string | number> = {}): Promise<void> {
  const n = positions.length / 3;
  const extra = Object.entries(info).map(([k, v]) => `${k}=${typeof v === 'number' ? String(v) : /\s/.test(v) ? `"${v}"` : v}`);
  const lines = [String(n), ['Properties=species:S:1:pos:R:3', 'pbc="F F F"', ...extra].join(' ')];
  for (let i = 0; i < n; i++) lines.push(`X ${positions[3 * i]} ${positions[3 * i + 1]} ${positions[3 * i + 2]}`);
  await writeFile(path, `${lines.join('\n')}\n`);
}
