import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@mddm/data';
import { writeXyz } from '@mddm/io';
import { census, shellOf, structureClass } from '../ordering';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-ordering-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A cubic lattice with a basis, m^3 cells of side a, each site jittered uniformly by +-jitter. */
function lattice(m: number, a: number, basis: number[][], jitter: number, seed = 1): Float64Array {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    for (const b of basis) out.push((i + b[0]) * a + jitter * r(), (j + b[1]) * a + jitter * r(), (k + b[2]) * a + jitter * r());
  }
  return Float64Array.from(out);
}

describe('examples/ordering.ts', () => {
  it('classes a thermal bcc lattice as bcc, a thermal fcc lattice as crystal and uniform points as disordered', () => {
    const bcc = lattice(8, 1.25, [[0, 0, 0], [0.5, 0.5, 0.5]], 0.1);
    expect(structureClass(shellOf(bcc, [10, 10, 10]))).toBe('bcc');
    const fcc = lattice(6, 10 / 6, [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], 0.1);
    const f = shellOf(fcc, [10, 10, 10]);
    expect(f.coordination).toBeGreaterThan(11);
    expect(structureClass(f)).toBe('crystal');
    let s = 7;
    const uniform = Float64Array.from({ length: 3000 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 10);
    expect(structureClass(shellOf(uniform, [10, 10, 10]))).toBe('disordered');
  });

  it('census pairs every MD frame of a set (original and replicas) with every sample of that set', async () => {
    // a "sample" that is one of the MD frames of opp-test 0019 (all four MD frames there are bcc)
    const md = [...(await loadDataset('opp-test')), ...(await loadDataset('opp-test-replicas'))].filter((c) => String(c.info.id).startsWith('0019'));
    expect(md).toHaveLength(4);
    const classes = md.map((c) => structureClass(shellOf(c.positions, c.box)));
    await writeXyz(join(dir, 'opp-test__0019_k8.4319_phi3.4954_T0.02816_seed0_h0.xyz'), [{ positions: md[1].positions, box: md[1].box, info: {} } as never]);
    const { counts, perSet } = await census(dir);
    expect(perSet).toEqual([{ key: 'opp-test__0019', md: classes, samples: [classes[1]] }]);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(4);
    expect(counts[`${classes[1]} -> ${classes[1]}`]).toBeGreaterThanOrEqual(1);
  });
});
