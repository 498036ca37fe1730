import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, MddmError, checkNumber, describeLimits, describeValue, withinLimits, type NumberLimits } from '../src/index';

const fail = (m: string) => new CoreError(m, 'CORE_BAD_ARG');

describe('describeLimits', () => {
  it('reads like the sentence a user expects, never printing the safe-integer range', () => {
    expect(describeLimits({ integer: true, min: 1 })).toBe('an integer >= 1');
    expect(describeLimits({ integer: true, min: 1, max: Number.MAX_SAFE_INTEGER })).toBe('an integer >= 1');
    expect(describeLimits({ integer: true, min: 2, max: 64 })).toBe('an integer in [2, 64]');
    expect(describeLimits({ min: 0, max: 1 })).toBe('a finite number in [0, 1]');
    expect(describeLimits({ above: 0 })).toBe('a finite number > 0');
    expect(describeLimits({ above: 0, max: 1 })).toBe('a finite number > 0 and <= 1');
    expect(describeLimits({ min: -Infinity, max: Infinity })).toBe('a finite number');
    expect(describeLimits({ integer: true, min: 0, below: 10 })).toBe('an integer >= 0 and < 10');
  });
});

describe('withinLimits / checkNumber', () => {
  const limits = fc.record(
    {
      integer: fc.boolean(),
      min: fc.double({ min: -100, max: 100, noNaN: true }),
      above: fc.double({ min: -100, max: 100, noNaN: true }),
      max: fc.double({ min: -100, max: 100, noNaN: true }),
      below: fc.double({ min: -100, max: 100, noNaN: true }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<NumberLimits>;

  it('accepts exactly the values that satisfy every bound', () => {
    fc.assert(
      fc.property(limits, fc.oneof(fc.double(), fc.integer({ min: -200, max: 200 })), (l, v) => {
        const ok =
          Number.isFinite(v) && (!l.integer || Number.isSafeInteger(v)) &&
          (l.min === undefined || v >= l.min) && (l.above === undefined || v > l.above) &&
          (l.max === undefined || v <= l.max) && (l.below === undefined || v < l.below);
        expect(withinLimits(v, l)).toBe(ok);
        if (ok) expect(checkNumber(v, 'x', l, fail)).toBe(v);
        else expect(() => checkNumber(v, 'x', l, fail)).toThrow(CoreError);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects non-numbers and names the value once, with the readable limits', () => {
    for (const v of ['3', null, undefined, NaN, Infinity, [1]]) expect(withinLimits(v, {})).toBe(false);
    expect(() => checkNumber(0, 'options.steps', { integer: true, min: 1 }, fail)).toThrow('options.steps must be an integer >= 1, got 0');
    expect(() => checkNumber('2', 'rMax', { above: 0 }, fail)).toThrow('rMax must be a finite number > 0, got "2"');
    expect(() => checkNumber(1.5, 'k', { integer: true, min: 1, max: 4 }, fail)).toThrow('k must be an integer in [1, 4], got 1.5');
  });
});

describe('MddmError', () => {
  it('keeps code, name and cause, and subclasses are MddmErrors', () => {
    const low = new CoreError('low', 'CORE_BAD_SEED');
    const e = new MddmError('high', 'X_BAD', { cause: low });
    expect(e.code).toBe('X_BAD');
    expect(e.name).toBe('MddmError');
    expect(e.cause).toBe(low);
    expect(low).toBeInstanceOf(MddmError);
    expect(low.name).toBe('CoreError');
    expect(new MddmError('m').code).toBe('MDDM_ERROR');
    expect('cause' in new MddmError('m')).toBe(false);
  });
});

describe('describeValue', () => {
  it('prints each kind of value on one line', () => {
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2, 3, 4, 5, 6, 7])).toBe('[1, 2, 3, 4, 5, 6, ...]');
    expect(describeValue(new Float64Array(3000))).toBe('Float64Array(length 3000)');
    expect(describeValue(new Map())).toBe('Map');
    expect(describeValue(Object.create(null))).toBe('object');
    expect(describeValue(() => 1)).toBe('function');
  });

  it('never throws and never spans lines', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        expect(describeValue(v)).not.toMatch(/\n/);
      }),
    );
  });
});
