import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IoError, readLammpsDumpText, readXyzText, writeLammpsDumpText, writeXyzText, type Frame } from '../src/index';

// Corrupting a valid file anywhere must give either frames or an IoError: never another
// exception, never NaN positions.
const frame: Frame = {
  positions: new Float64Array([0.5, 1.5, 2.5, 3.25, 0.125, 9.5, 1, 2, 3]),
  box: [10, 10, 10],
  info: { k: 7, phi: 1, T: 0.03, protocol: 'melt 2 x 2000; hold' },
  properties: { q: { type: 'R', columns: 1, values: new Float64Array([1, 2, 3]) } },
};
const files = { xyz: writeXyzText([frame, frame]), dump: writeLammpsDumpText([frame, frame]) };
const mutation = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 4, unit: fc.constantFrom(' ', '\n', '"', '=', 'x', '1', '-', '.', 'e', ':', '{', 'T', 'I', '\t') }));

describe('parsers on corrupted input', () => {
  for (const [kind, text] of Object.entries(files)) {
    it(`${kind}: frames or IoError, never anything else`, () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
          let t = text;
          for (const [pos, del, ins] of muts) {
            const p = pos % (t.length + 1);
            t = t.slice(0, p) + ins + t.slice(p + del);
          }
          try {
            const frames = kind === 'xyz' ? readXyzText(t) : readLammpsDumpText(t);
            for (const f of frames) {
              expect(f.positions.every(Number.isFinite)).toBe(true);
              expect(f.box.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
            }
          } catch (e) {
            if (!(e instanceof IoError)) throw e;
            expect(e.line === undefined || e.line >= 1).toBe(true);
          }
        }),
        { numRuns: 1000 },
      );
    });
  }
});
