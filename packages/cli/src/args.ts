import { parseArgs } from 'node:util';
import { CliError } from './errors';

/** Flag definitions as `node:util` `parseArgs` takes them. */
export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parsed flags and positionals of one subcommand. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses a subcommand's arguments strictly: unknown flags and missing values become a
 * {@link CliError} `CLI_USAGE` whose message names the flag (node's own messages are long and
 * mention internals).
 */
export function parseFlags(command: string, args: readonly string[], flags: FlagSpec, positionals = false): ParsedArgs {
  try {
    const { values, positionals: pos } = parseArgs({ args: joinNegativeValues(args, flags), options: { ...flags, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals });
    return { values: values as ParsedArgs['values'], positionals: pos };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
    throw new CliError(`mddm ${command}: ${msg} (see mddm ${command} --help)`, 'CLI_USAGE', { cause: e });
  }
}

/**
 * `--phi -1` as `--phi=-1`: node's parser reads a value that starts with '-' as a flag and fails with
 * "argument is ambiguous", so a negative number after a flag that takes a value is attached to it
 * (the range checks of {@link numberFlag} then say what is allowed).
 */
function joinNegativeValues(args: readonly string[], flags: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    if (flags[name]?.type === 'string' && i + 1 < args.length && /^-(\d|\.\d)/.test(args[i + 1])) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

/** Limits of {@link numberFlag}. */
export interface NumberFlagLimits {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Require a whole number. */
  integer?: boolean;
  /** Require a value strictly greater than `min`. */
  exclusiveMin?: boolean;
}

/**
 * Reads a numeric flag: `undefined` when absent, else a finite number within the limits.
 * @throws CliError `CLI_USAGE` naming the flag, the text given and what was expected
 */
export function numberFlag(command: string, values: ParsedArgs['values'], name: string, limits: NumberFlagLimits = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const x = text === '' ? NaN : Number(text);
  const what = limits.integer ? 'an integer' : 'a number';
  const range = [
    limits.min !== undefined ? `${limits.exclusiveMin ? '>' : '>='} ${limits.min}` : '',
    limits.max !== undefined ? `<= ${limits.max}` : '',
  ].filter(Boolean).join(' and ');
  const ok = Number.isFinite(x) && (!limits.integer || Number.isInteger(x))
    && (limits.min === undefined || (limits.exclusiveMin ? x > limits.min : x >= limits.min))
    && (limits.max === undefined || x <= limits.max);
  if (!ok) throw new CliError(`mddm ${command}: --${name} must be ${what}${range ? ` ${range}` : ''}, got '${text}'`, 'CLI_USAGE');
  return x;
}

/** Reads a required string flag. @throws CliError `CLI_USAGE` when it is missing */
export function requiredFlag(command: string, values: ParsedArgs['values'], name: string, hint = ''): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new CliError(`mddm ${command}: --${name} is required${hint ? ` (${hint})` : ''}`, 'CLI_USAGE');
  return v;
}
