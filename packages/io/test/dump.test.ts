import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IoError, readLammpsDump, readLammpsDumpText, writeLammpsDump, writeLammpsDumpText, type Frame } from '../src/index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-io-dump-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
function ioErrorOf(fn: () => unknown): IoError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IoError);
    return e as IoError;
  }
  throw new Error('expected an IoError');
}

const header = (n: number, cols: string, bounds = 'pp pp pp', box = ['0 10', '0 10', '0 10']) => ['ITEM: TIMESTEP', '100', 'ITEM: NUMBER OF ATOMS', String(n), `ITEM: BOX BOUNDS ${bounds}`, ...box, `ITEM: ATOMS ${cols}`];

describe('LAMMPS dump', () => {
  it('round-trips wrapped and unwrapped coordinates bit-exactly (multi-frame)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 3, maxLength: 30 }), (xs) => {
        const m = xs.length - (xs.length % 3);
        const positions = new Float64Array(xs.slice(0, m));
        const frames: Frame[] = [
          { positions, box: [10, 11, 12], info: { timestep: 5 } },
          { positions, box: [10, 11, 12], info: {} },
        ];
        for (const coordinates of ['wrapped', 'unwrapped'] as const) {
          const back = readLammpsDumpText(writeLammpsDumpText(frames, { coordinates }));
          expect(back).toHaveLength(2);
          expect(sameBits(back[0].positions, positions)).toBe(true);
          expect(back[0].box).toEqual([10, 11, 12]);
          expect(back[0].info).toEqual({ timestep: 5, coordinates });
          expect(back[1].info.timestep).toBe(1);
          expect(back[0].properties).toBeUndefined();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('scaled coordinates round-trip to within rounding', () => {
    const positions = new Float64Array([0.1, 2.5, 9.99, 3.3, 4.4, 5.5]);
    const [back] = readLammpsDumpText(writeLammpsDumpText([{ positions, box: [10, 11, 12], info: {} }], { coordinates: 'scaled' }));
    expect(back.info.coordinates).toBe('scaled');
    back.positions.forEach((x, i) => expect(x).toBeCloseTo(positions[i], 13));
    expect(writeLammpsDumpText([{ positions, box: [10, 11, 12], info: {} }], { coordinates: 'scaled' })).toContain('ITEM: ATOMS id type xs ys zs\n1 1 0.01 ');
  });

  it('reads unsorted dumps (sorted by id), lo offsets, scaled/unwrapped styles, types, extras', () => {
    const text = [
      ...header(3, 'id type xs ys zs vx f[1] f[2]', 'pp pp ff', ['-5 5', '0 2', '1 3']),
      '3 2 0.5 0.5 0.5 -1 7 8',
      '1 1 0.1 0.25 0 1 3 4',
      '2 1 0 0 1 0 5 6',
    ].join('\n');
    const [f] = readLammpsDumpText(text);
    expect(Array.from(f.positions)).toEqual([1, 0.5, 0, 0, 0, 2, 5, 1, 1]);
    expect(f.box).toEqual([10, 2, 2]);
    expect(f.species).toEqual(['1', '1', '2']);
    expect(f.pbc).toEqual([true, true, false]);
    expect(f.info).toEqual({ timestep: 100, coordinates: 'scaled' });
    expect(f.properties!.vx).toEqual({ type: 'R', columns: 1, values: new Float64Array([1, 0, -1]) });
    expect(f.properties!.f).toEqual({ type: 'R', columns: 2, values: new Float64Array([3, 4, 5, 6, 7, 8]) });
    expect(f.properties!.id).toBeUndefined(); // ids are 1..N after sorting

    const [u] = readLammpsDumpText([...header(2, 'id xu yu zu', 'pp pp pp', ['-5 5', '-5 5', '-5 5']), '20 12 0 0', '10 -7 1 1'].join('\n'));
    expect(Array.from(u.positions)).toEqual([-2, 6, 6, 17, 5, 5]); // not wrapped
    expect(u.properties!.id.values).toEqual(new Float64Array([10, 20]));
    const [raw] = readLammpsDumpText([...header(2, 'id x y z'), '2 1 1 1', '1 2 2 2'].join('\n'), { sortById: false });
    expect(Array.from(raw.positions)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('writes species as types + element and non-trivial ids; reads them back', () => {
    const frame: Frame = {
      positions: new Float64Array([1, 2, 3, 4, 5, 6]),
      box: [7, 7, 7],
      info: {},
      species: ['Ar', 'Ne'],
      properties: { id: { type: 'I', columns: 1, values: new Float64Array([5, 9]) }, v: { type: 'R', columns: 3, values: new Float64Array([1, 2, 3, 4, 5, 6]) } },
    };
    const text = writeLammpsDumpText([frame]);
    expect(text).toContain('ITEM: ATOMS id type element x y z v[1] v[2] v[3]\n5 1 Ar 1 2 3 1 2 3\n9 2 Ne 4 5 6 4 5 6\n');
    const [back] = readLammpsDumpText(text);
    expect(back.species).toEqual(['Ar', 'Ne']);
    expect(back.properties).toEqual(frame.properties);
  });

  it('streams a multi-frame file from disk (plain and gzipped)', async () => {
    const frames: Frame[] = Array.from({ length: 4 }, (_, t) => ({ positions: new Float64Array([t, 1 / 3, 2, 0.1, 0.2, 0.3]), box: [5, 5, 5] as [number, number, number], info: { timestep: 1000 * t } }));
    for (const name of ['t.dump', 't.dump.gz']) {
      await writeLammpsDump(join(dir, name), frames);
      const back: Frame[] = [];
      for await (const f of readLammpsDump(join(dir, name))) back.push(f);
      expect(back.map((f) => f.info.timestep)).toEqual([0, 1000, 2000, 3000]);
      back.forEach((f, i) => expect(sameBits(f.positions, frames[i].positions)).toBe(true));
    }
  });

  it('malformed dumps: typed errors with line numbers', async () => {
    const ok = [...header(2, 'id type x y z'), '1 1 1 1 1', '2 1 2 2 2'];
    let e = ioErrorOf(() => readLammpsDumpText(ok.slice(0, 10).join('\n')));
    expect([e.line, e.message]).toEqual([10, '<text>:10: truncated frame: expected 2 atom lines (NUMBER OF ATOMS at line 4), found 1']);
    e = ioErrorOf(() => readLammpsDumpText([...ok, '3 1 3 3 3'].join('\n')));
    expect(e.line).toBe(12);
    expect(e.message).toMatch(/expected an 'ITEM:' line, got '3 1 3 3 3' \(more atom lines than NUMBER OF ATOMS = 2 at line 4\?\)/);
    e = ioErrorOf(() => readLammpsDumpText([...ok.slice(0, 10), ...ok].join('\n')));
    expect(e.line).toBe(11);
    expect(e.message).toMatch(/atom 2 of 2: expected 5 fields, got 2 \(fewer atom lines/);
    e = ioErrorOf(() => readLammpsDumpText([...ok.slice(0, 10), '2 1 2 x 2'].join('\n')));
    expect([e.line, e.message]).toEqual([11, "<text>:11: atom 2: field 'x' of column 'y' is not a finite real number"]);
    e = ioErrorOf(() => readLammpsDumpText(['ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '1', 'ITEM: ATOMS id x y z', '1 0 0 0'].join('\n')));
    expect(e.message).toMatch(/:5: ITEM: ATOMS before ITEM: BOX BOUNDS/);
    e = ioErrorOf(() => readLammpsDumpText(header(1, 'id x y z', 'xy xz yz pp pp pp').join('\n')));
    expect([e.code, e.line]).toEqual(['IO_UNSUPPORTED', 5]);
    e = ioErrorOf(() => readLammpsDumpText(header(1, 'id type q').join('\n')));
    expect(e.message).toMatch(/no complete coordinate triple/);
    e = ioErrorOf(() => readLammpsDumpText([...header(2, 'id x y z'), '1 0 0 0', '1 1 1 1'].join('\n')));
    expect(e.message).toMatch(/duplicate atom id 1/);
    e = ioErrorOf(() => readLammpsDumpText(['ITEM: TIMESTEP', 'abc'].join('\n')));
    expect(e.message).toMatch(/:2: TIMESTEP 'abc' is not an integer/);
    e = ioErrorOf(() => readLammpsDumpText(header(1, 'id x y z', 'pp pp pp', ['0 10', '0 10']).join('\n')));
    expect(e.message).toMatch(/:8: BOX BOUNDS has 2 of 3 lines/);
    e = ioErrorOf(() => readLammpsDumpText(header(1, 'id x y z').slice(0, 7).join('\n')));
    expect(e.message).toMatch(/:7: truncated frame starting at line 1: file ends in section BOX BOUNDS/);
    const path = join(dir, 'bad.dump');
    await writeFile(path, ok.slice(0, 10).join('\n'));
    await expect((async () => {
      for await (const _ of readLammpsDump(path)) void _;
    })()).rejects.toThrow(`${path}:10: truncated frame`);
  });
});
