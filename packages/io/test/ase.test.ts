import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLammpsDump, writeXyz, type Frame } from '../src/index';

// ASE (the Atomic Simulation Environment, `apt-get install python3-ase` or `pip install ase`) is an
// optional cross-check of our extended XYZ output; the test is skipped when no python has it.
function findPythonWithAse(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3', 'python']) {
    const r = spawnSync(py, ['-c', 'import ase'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}
const python = findPythonWithAse();
if (!python) console.warn('[io] ASE not found (python3 -c "import ase" fails): skipping the ASE interoperability test');

describe.skipIf(!python)('extended XYZ is readable by ASE', () => {
  it('ase.io.read gets the cell, pbc, positions, species, info and extra arrays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mddm-io-ase-'));
    try {
      const frames: Frame[] = [0, 1].map((f) => ({
        positions: new Float64Array([0.1, 0.2, 0.3, 9.999999999999998, 1e-12, 5 + f]),
        box: [10, 11, 12],
        info: { k: 7, phi: 1.5, T: 0.03, engine: 'LAMMPS', protocol: 'melt 2 x 2000; hold x 5000', ok: true },
        species: ['Ar', 'Ne'],
        properties: { forces: { type: 'R', columns: 3, values: new Float64Array([1, 2, 3, 4, 5, 6]) } },
      }));
      const path = join(dir, 'ase.xyz');
      await writeXyz(path, frames);
      const script = [
        'import sys, json, ase.io',
        'fs = ase.io.read(sys.argv[1], ":")',
        'print(json.dumps([{"n": len(a), "cell": a.cell.lengths().tolist(), "pbc": a.pbc.tolist(), "pos": a.positions.tolist(),',
        '  "sym": a.get_chemical_symbols(), "k": a.info["k"], "phi": a.info["phi"], "T": a.info["T"], "engine": a.info["engine"],',
        '  "protocol": a.info["protocol"], "ok": bool(a.info["ok"]), "forces": a.arrays["forces"].tolist()} for a in fs], default=lambda o: o.item()))',
      ].join('\n');
      const r = spawnSync(python!, ['-c', script, path], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as Record<string, unknown>[];
      expect(out).toHaveLength(2);
      out.forEach((a, f) => {
        expect(a.n).toBe(2);
        expect(a.cell).toEqual([10, 11, 12]);
        expect(a.pbc).toEqual([true, true, true]);
        expect((a.pos as number[][]).flat()).toEqual(Array.from(frames[f].positions)); // bit-exact through numpy
        expect(a.sym).toEqual(['Ar', 'Ne']);
        expect([a.k, a.phi, a.T, a.engine, a.protocol, a.ok]).toEqual([7, 1.5, 0.03, 'LAMMPS', 'melt 2 x 2000; hold x 5000', true]);
        expect((a.forces as number[][]).flat()).toEqual([1, 2, 3, 4, 5, 6]);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ase.io.read parses our LAMMPS dump (lammps-dump-text)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mddm-io-ase-'));
    try {
      const frames: Frame[] = [3, 4].map((t) => ({ positions: new Float64Array([0.5, 1.25, 2, 3.5, 0.1, 9.75]), box: [10, 10, 10], info: { timestep: t } }));
      const path = join(dir, 'ase.dump');
      await writeLammpsDump(path, frames);
      const script = 'import sys, json, ase.io\nfs = ase.io.read(sys.argv[1], ":", format="lammps-dump-text")\nprint(json.dumps([{"pos": a.positions.tolist(), "cell": a.cell.lengths().tolist()} for a in fs]))';
      const r = spawnSync(python!, ['-c', script, path], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { pos: number[][]; cell: number[] }[];
      expect(out).toHaveLength(2);
      for (const a of out) {
        expect(a.cell).toEqual([10, 10, 10]);
        expect(a.pos.flat()).toEqual([0.5, 1.25, 2, 3.5, 0.1, 9.75]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
