import { conditionsOutOfRange } from '@mddm/model';
import { numberFlag, type FlagSpec, type ParsedArgs } from './args';
import { CliError } from './errors';
import { conditionNames, type CliModel } from './models';
import type { CliIo } from './io';

/** The condition flags of the pretrained OPP models (`--k`, `--phi`, `--T`). */
export const CONDITION_FLAGS: FlagSpec = { k: { type: 'string' }, phi: { type: 'string' }, T: { type: 'string' } };

/**
 * The raw conditions of a run, validated once for every command: from the flags named after the
 * model's conditions (`--k --phi --T`), else from the input frame's info (an MD frame records its
 * k, phi, T), warning when a value lies outside the training range (extrapolation).
 *
 * @param frameInfo - info of the input frame, for commands that read one (`vary`, `inpaint`, `forces`)
 * @returns `undefined` for an unconditional model
 * @throws CliError `CLI_USAGE`: conditions given to an unconditional model, a missing condition, a non-numeric
 *   flag, a log-encoded condition (T) <= 0
 */
export function resolveConditions(
  command: string, model: CliModel, values: ParsedArgs['values'], io: CliIo, frameInfo?: Record<string, unknown>,
): number[] | undefined {
  const d = model.denoiser;
  const names = conditionNames(model);
  const given = Object.fromEntries(Object.keys(CONDITION_FLAGS).map((k) => [k, numberFlag(command, values, k)]));
  if (d.conditions === 0) {
    const extra = Object.entries(given).filter(([, v]) => v !== undefined).map(([k]) => `--${k}`);
    if (extra.length) throw new CliError(`mddm ${command}: model '${model.name}' is unconditional; remove ${extra.join(', ')}`, 'CLI_USAGE');
    return undefined;
  }
  const conditions = names.map((name) => {
    const v = given[name] ?? (typeof frameInfo?.[name] === 'number' ? (frameInfo[name] as number) : undefined);
    if (v === undefined) {
      const from = frameInfo ? ' or an input frame that records them' : '';
      throw new CliError(`mddm ${command}: model '${model.name}' is conditional: give --${names.join(', --')}${from} (missing --${name})`, 'CLI_USAGE');
    }
    return v;
  });
  d.conditionEncoders.forEach((e, c) => {
    if (e.kind === 'log' && !(conditions[c] > 0)) throw new CliError(`mddm ${command}: --${names[c]} must be > 0 (log-encoded condition), got ${conditions[c]}`, 'CLI_USAGE');
  });
  for (const c of conditionsOutOfRange(conditions, d.conditionEncoders)) {
    const e = d.conditionEncoders[c];
    const range = e.kind === 'periodic' ? '' : ` [${e.range[0]}, ${e.range[1]}]`;
    io.warn(`warning: ${names[c]} = ${conditions[c]} is outside the training range${range}: extrapolation, expect lower quality`);
  }
  return conditions;
}

/** The conditions as frame info (`{ k, phi, T }`), for the frames a command writes. */
export function conditionInfo(model: CliModel, conditions: readonly number[] | undefined): Record<string, number> {
  if (!conditions) return {};
  const names = conditionNames(model);
  return Object.fromEntries(names.map((name, c) => [name, conditions[c]]));
}
