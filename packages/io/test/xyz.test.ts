import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError, readXyz, readXyzText, writeXyz, writeXyzText, type Frame } from '../src/index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-io-xyz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function expectIoError(fn: () => unknown, line: number | undefined, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(IoError);
  expect((err as IoError).line).toBe(line);
  expect((err as IoError).code).toMatch(/^IO_/);
  expect((err as Error).message).toMatch(pattern);
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('extended XYZ', () => {
  it('round-trips arbitrary doubles bit-exactly, including -0, subnormals and huge values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(finite, finite, finite), { minLength: 0, maxLength: 20 }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (pts, L) => {
        const positions = new Float64Array(pts.flat());
        const frame: Frame = { positions, box: [L, L * 2, 3], info: { k: 7, phi: 1, T: 0.03 } };
        const [back] = readXyzText(writeXyzText([frame]));
        expect(sameBits(back.positions, positions)).toBe(true);
        expect(back.box).toEqual([L, L * 2, 3]);
        expect(back.info).toEqual({ k: 7, phi: 1, T: 0.03 });
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips info of every type, species, extra columns and pbc', () => {
    const frame: Frame = {
      positions: new Float64Array([0.1, 0.2, 0.3, 9.999999999, 1e-300, -0]),
      box: [10, 10, 10],
      info: { k: 7.5, n: 3, neg: -0, flag: true, off: false, name: 'LAMMPS', text: 'melt 2 x 2000; "q" \\ end', numeric: '0001', tee: 'T', empty: '' },
      species: ['A', 'B'],
      properties: {
        forces: { type: 'R', columns: 3, values: new Float64Array([1, 2, 3, 4, 5, 6.5]) },
        id: { type: 'I', columns: 1, values: new Float64Array([7, -8]) },
        tag: { type: 'S', columns: 1, values: ['x', 'y'] },
        fixed: { type: 'L', columns: 1, values: [true, false] },
      },
      pbc: [true, true, false],
    };
    const text = writeXyzText([frame, frame]);
    const back = readXyzText(text);
    expect(back).toHaveLength(2);
    for (const b of back) {
      expect(sameBits(b.positions, frame.positions)).toBe(true);
      expect(b.info).toEqual(frame.info);
      expect(Object.is(b.info.neg, -0)).toBe(true);
      expect(b.species).toEqual(['A', 'B']);
      expect(b.properties).toEqual(frame.properties);
      expect(b.pbc).toEqual([true, true, false]);
    }
    expect(text.split('\n')[1]).toMatch(/^Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3:forces:R:3:id:I:1:tag:S:1:fixed:L:1 pbc="T T F" k=7.5 n=3 /);
  });

  it('property: info values round-trip (numbers, booleans, any string)', () => {
    const value = fc.oneof(finite, fc.boolean(), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), value, { maxKeys: 6 }), (info) => {
        delete (info as Record<string, unknown>)['pbc'];
        const frame: Frame = { positions: new Float64Array([1, 2, 3]), box: [5, 5, 5], info };
        const [back] = readXyzText(writeXyzText([frame]));
        expect(Object.keys(back.info)).toEqual(Object.keys(info));
        for (const k of Object.keys(info)) expect(Object.is(back.info[k], info[k]) || back.info[k] === info[k]).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reads ASE/OVITO style headers: spaces around =, braces, Origin, default Properties, no trailing newline', () => {
    const text = [
      '2',
      'Lattice = "4 0 0 0 5 0 0 0 6" energy=-1.5 config_type={bulk phase} Origin="1 1 1" is_ok',
      'Si 1.5 2.0 3.0',
      'O  2.5 3.0 4.0',
    ].join('\n');
    const [f] = readXyzText(text);
    expect(f.box).toEqual([4, 5, 6]);
    expect(Array.from(f.positions)).toEqual([0.5, 1, 2, 1.5, 2, 3]);
    expect(f.info).toEqual({ energy: -1.5, config_type: 'bulk phase', is_ok: true });
    expect(f.species).toEqual(['Si', 'O']);
  });

  it('writes the header the shipped data uses (bootstrap-compatible) and reads it back', () => {
    const frame: Frame = {
      positions: new Float64Array([0.103542135, 0.4742117752, 8.064327238]),
      box: [10, 10, 10],
      info: { k: 7, phi: 1, T: 0.03, seed: 1, engine: 'LAMMPS', potential: 'OPP', protocol: 'melt 2 x 2000; anneal 10T->T x 50000', seconds: 36.2 },
    };
    const text = writeXyzText([frame]);
    expect(text).toBe(
      '1\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3 pbc="T T T" k=7 phi=1 T=0.03 seed=1 engine=LAMMPS potential=OPP protocol="melt 2 x 2000; anneal 10T->T x 50000" seconds=36.2\nX 0.103542135 0.4742117752 8.064327238\n',
    );
  });

  it('streams multi-frame files (plain and gzipped) and writes atomically', async () => {
    const frames: Frame[] = Array.from({ length: 5 }, (_, i) => ({
      positions: new Float64Array(30).map((_, j) => Math.sin(i * 100 + j) * 3 + 3),
      box: [6, 6, 6] as [number, number, number],
      info: { frame: i },
    }));
    for (const name of ['a.xyz', 'a.xyz.gz']) {
      const path = join(dir, name);
      await writeXyz(path, frames);
      const back = await collect(readXyz(path));
      expect(back.map((f) => f.info.frame)).toEqual([0, 1, 2, 3, 4]);
      back.forEach((f, i) => expect(sameBits(f.positions, frames[i].positions)).toBe(true));
    }
    // async-iterable input, and no temp files left behind
    async function* gen() {
      yield* frames;
    }
    await writeXyz(join(dir, 'b.xyz'), gen());
    expect((await collect(readXyz(join(dir, 'b.xyz'))))).toHaveLength(5);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed write leaves the previous file intact and no temp file', async () => {
    const path = join(dir, 'keep.xyz');
    await writeFile(path, 'old');
    const bad: Frame = { positions: new Float64Array([1, 2, NaN]), box: [1, 1, 1], info: {} };
    await expect(writeXyz(path, [bad])).rejects.toThrow(/positions\[2\] must be a finite number, got NaN/);
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((f) => f.includes('keep.xyz.'))).toEqual([]);
    await expect(writeXyz(join(dir, 'no', 'such', 'dir.xyz'), [])).rejects.toBeInstanceOf(IoError);
  });

  it('rejects invalid frames with a typed error naming the value', () => {
    const ok = { positions: new Float64Array(3), box: [1, 1, 1] as [number, number, number], info: {} };
    expect(() => writeXyzText([{ ...ok, box: [1, 0, 1] }])).toThrow(/box must be \[Lx, Ly, Lz\] with positive finite lengths, got \[1,0,1\]/);
    expect(() => writeXyzText([{ ...ok, positions: new Float64Array(4) }])).toThrow(/length 3N, got Float64Array\(length 4\)/);
    expect(() => writeXyzText([{ ...ok, info: { Lattice: 'x' } }])).toThrow(/reserved/);
    expect(() => writeXyzText([{ ...ok, info: { k: Infinity } }])).toThrow(/info value 'k' must be a finite number/);
    expect(() => writeXyzText([{ ...ok, species: ['A B'] }])).toThrow(/species\[0\]/);
  });
});

describe('extended XYZ: malformed input gets IoError with file and line', () => {
  const good = ['2', 'Lattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3', 'X 1 1 1', 'X 2 2 2'];
  it('truncated frame', () => {
    expectIoError(() => readXyzText(good.slice(0, 3).join('\n')), 3, /truncated frame: expected 2 atom lines after line 2, found 1/);
    expectIoError(() => readXyzText('5\n'), 1, /truncated frame/);
  });
  it('wrong atom count (more lines than the count)', () => {
    expectIoError(() => readXyzText([...good, 'X 3 3 3'].join('\n')), 5, /expected the atom count of a new frame, got 'X 3 3 3' \(more atom lines than the count 2 at line 1\?\)/);
  });
  it('wrong atom count (fewer lines than the count, next frame follows)', () => {
    const text = ['3', good[1], 'X 1 1 1', 'X 2 2 2', '2', good[1], 'X 1 1 1', 'X 1 1 1'].join('\n');
    expectIoError(() => readXyzText(text), 5, /atom 3 of 3: expected 4 fields .* got 1 \(fewer atom lines than the count 3 at line 1\?\)/);
  });
  it('non-numeric field', () => {
    expectIoError(() => readXyzText([...good.slice(0, 3), 'X 2 abc 2'].join('\n')), 4, /atom 2: field 'abc' of column 'pos' is not a finite real number/);
    expectIoError(() => readXyzText([...good.slice(0, 3), 'X 2 nan 2'].join('\n')), 4, /'nan'/);
    expectIoError(() => readXyzText(['x', good[1]].join('\n')), 1, /expected the atom count/);
  });
  it('missing Lattice, bad Lattice, triclinic', () => {
    expectIoError(() => readXyzText(['1', 'Properties=species:S:1:pos:R:3 k=1', 'X 1 1 1'].join('\n')), 2, /missing Lattice/);
    expectIoError(() => readXyzText(['1', 'Lattice="1 0 0 0 1 0 0 0"', 'X 1 1 1'].join('\n')), 2, /must hold 9 numbers/);
    expectIoError(() => readXyzText(['1', 'Lattice="1 0 0 0.5 1 0 0 0 1"', 'X 1 1 1'].join('\n')), 2, /not orthorhombic/);
    expectIoError(() => readXyzText(['1', 'Lattice="1 0 0 0 1 0 0 0 1" k="unterminated', 'X 1 1 1'].join('\n')), 2, /unterminated quoted string/);
    expectIoError(() => readXyzText(['1', 'Lattice="1 0 0 0 1 0 0 0 1" Properties=species:S:1:pos:R', 'X 1 1 1'].join('\n')), 2, /triples/);
    expectIoError(() => readXyzText(['1', 'Lattice="1 0 0 0 1 0 0 0 1" Properties=species:S:1', 'X'].join('\n')), 2, /must contain pos:R:3/);
  });
  it('wrong number of fields on an atom line', () => {
    expectIoError(() => readXyzText([...good.slice(0, 3), 'X 2 2 2 2'].join('\n')), 4, /expected 4 fields/);
  });
  it('streaming reader reports the file name and line', async () => {
    const path = join(dir, 'bad.xyz');
    await writeFile(path, [...good, '2', good[1], 'X 1 1 1', 'X 1 q 1', ''].join('\n'));
    const seen: Frame[] = [];
    let err: unknown;
    try {
      for await (const f of readXyz(path)) seen.push(f);
    } catch (e) {
      err = e;
    }
    expect(seen).toHaveLength(1);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).file).toBe(path);
    expect((err as IoError).line).toBe(8);
    expect((err as Error).message).toContain(`${path}:8: atom 2: field 'q'`);
    await expect(collect(readXyz(join(dir, 'missing.xyz')))).rejects.toThrow(/no such file/);
    await expect(collect(readXyz(42 as unknown as string))).rejects.toThrow(/path must be a non-empty string, got number/);
    expect(() => readXyzText(undefined as unknown as string)).toThrow(/readXyzText: text must be a string, got undefined/);
  });
});
