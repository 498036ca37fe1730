import { describe, expect, it } from 'vitest';
import { parseFlags } from '../src/args';
import { CliError } from '../src/errors';

describe('parseFlags', () => {
  const flags = { phi: { type: 'string' as const }, floors: { type: 'boolean' as const } };

  it('takes a negative number after a flag that has a value as that value (as --flag=value)', () => {
    expect(parseFlags('t', ['--phi', '-1'], flags).values.phi).toBe('-1');
    expect(parseFlags('t', ['--phi', '-.25'], flags).values.phi).toBe('-.25');
    expect(parseFlags('t', ['--phi=-2e-3'], flags).values.phi).toBe('-2e-3');
  });

  it('does not attach a flag, or anything after a boolean flag: those stay usage errors', () => {
    expect(() => parseFlags('t', ['--phi', '--floors'], flags)).toThrow(CliError);
    expect(() => parseFlags('t', ['--floors', '-1'], flags)).toThrow(/mddm t: .*see mddm t --help/);
    expect(() => parseFlags('t', ['--phi', '-x'], flags)).toThrow(CliError);
  });
});
