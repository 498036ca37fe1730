import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readXyzText, writeXyzText, type Frame } from '@mddm/io/browser';
import { xyzFrameSpans as spansOfBytes } from '../src/frameSpans';

const utf8 = new TextEncoder();
// the tests write text; the offsets are bytes, equal to characters for this ASCII text
const xyzFrameSpans = (text: string, source: string) => spansOfBytes(utf8.encode(text), source);

const frame = (n: number, seed: number): Frame => ({
  positions: Float64Array.from({ length: 3 * n }, (_, i) => ((seed * 7919 + i * 104729) % 1000) / 100),
  box: [10, 10, 10],
  info: { id: `f${seed}`, k: seed + 0.5 },
});

describe('xyzFrameSpans', () => {
  it('finds every frame: each span parses alone to the frame the whole-text parser reads there (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 0, maxLength: 6 }), fc.constantFrom('', '\n', '\n\n  \n'), (sizes, tail) => {
      const text = writeXyzText(sizes.map((n, i) => frame(n, i))) + tail;
      const whole = readXyzText(text);
      const spans = xyzFrameSpans(text, 't');
      expect(spans.length).toBe(whole.length);
      spans.forEach(([a, b], i) => {
        const [alone] = readXyzText(text.slice(a, b));
        expect(alone.info).toEqual(whole[i].info);
        expect(Array.from(alone.positions)).toEqual(Array.from(whole[i].positions));
      });
      // contiguous from the start: nothing between frames is skipped
      spans.forEach(([a], i) => expect(a).toBe(i === 0 ? 0 : spans[i - 1][1]));
    }), { numRuns: 60 });
  });

  it('a text without a final newline, and the errors: a bad count line, a truncated frame', () => {
    const text = writeXyzText([frame(2, 1), frame(3, 2)]);
    expect(xyzFrameSpans(text.trimEnd(), 't').map(([a, b]) => [a, b])).toEqual([[0, xyzFrameSpans(text, 't')[0][1]], [xyzFrameSpans(text, 't')[1][0], text.length - 1]]);
    expect(() => xyzFrameSpans(`x\n${text}`, 'bad.xyz')).toThrow(/line 1: expected a frame's atom count, got 'x'/);
    expect(() => xyzFrameSpans(text.split('\n').slice(0, -3).join('\n'), 't')).toThrow(/the frame of 3 atoms is truncated/);
    expect(() => xyzFrameSpans(`\n${text}`, 't')).toThrow(/line 1: empty line/);
    expect(() => xyzFrameSpans(`2.5\n${text}`, 't')).toThrow(/got '2\.5'/);
  });
});
