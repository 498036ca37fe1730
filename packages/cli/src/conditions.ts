import { conditionsOutOfRange, drawConditions, drawnConditionCount } from '@mddm/model';
import { createRng } from '@mddm/schedules';
import { numberFlag, type FlagSpec, type ParsedArgs } from './args';
import { CliError } from './errors';
import { conditionNames, type CliModel } from './models';
import type { CliIo } from './io';

/**
 * The condition flags of the pretrained OPP models (`--k`, `--phi`, `--T`), and the structure conditions
 * of a model trained with them (`--gPeak`, `--coordination`: drawn from the training frames nearest in
 * k, phi, T when not given; see `drawConditions` of @mddm/model).
 */
export const CONDITION_FLAGS: FlagSpec = { k: { type: 'string' }, phi: { type: 'string' }, T: { type: 'string' }, gPeak: { type: 'string' }, coordination: { type: 'string' } };

/**
 * The raw conditions of a run, validated once for every command: from the flags named after the
 * model's conditions (`--k --phi --T`), else from the input frame's info (an MD frame records its
 * k, phi, T), warning when a value lies outside the training range (extrapolation).
 *
 * Conditions a model draws (its structure conditions, `TrainingInfo.drawnConditions`) may be left out:
 * then the result holds only the given ones and `sample` draws the rest per conformation (or
 * {@link completeConditions} for commands that need a full row).
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
  const unknown = Object.entries(given).filter(([k, v]) => v !== undefined && !names.includes(k)).map(([k]) => `--${k}`);
  if (unknown.length) throw new CliError(`mddm ${command}: model '${model.name}' takes --${names.join(', --')}; remove ${unknown.join(', ')}`, 'CLI_USAGE');
  const firstDrawn = d.conditions - drawnConditionCount(d);
  const found = names.map((name) => given[name] ?? (typeof frameInfo?.[name] === 'number' ? (frameInfo[name] as number) : undefined));
  const drawnGiven = found.slice(firstDrawn).filter((v) => v !== undefined).length;
  if (drawnGiven > 0 && drawnGiven < names.length - firstDrawn) {
    throw new CliError(`mddm ${command}: give all of --${names.slice(firstDrawn).join(', --')} or none (then they are drawn from the training frames nearest in ${names.slice(0, firstDrawn).join(', ')})`, 'CLI_USAGE');
  }
  const conditions = names.slice(0, drawnGiven > 0 ? names.length : firstDrawn).map((name, c) => {
    const v = found[c];
    if (v === undefined) {
      const from = frameInfo ? ' or an input frame that records them' : '';
      throw new CliError(`mddm ${command}: model '${model.name}' is conditional: give --${names.join(', --')}${from} (missing --${name})`, 'CLI_USAGE');
    }
    return v;
  });
  d.conditionEncoders.slice(0, conditions.length).forEach((e, c) => {
    if (e.kind === 'log' && !(conditions[c] > 0)) throw new CliError(`mddm ${command}: --${names[c]} must be > 0 (log-encoded condition), got ${conditions[c]}`, 'CLI_USAGE');
  });
  for (const c of conditionsOutOfRange(conditions, d.conditionEncoders.slice(0, conditions.length))) {
    const e = d.conditionEncoders[c];
    const range = e.kind === 'periodic' ? '' : ` [${e.range[0]}, ${e.range[1]}]`;
    io.warn(`warning: ${names[c]} = ${conditions[c]} is outside the training range${range}: extrapolation, expect lower quality`);
  }
  return conditions;
}

/** The conditions as frame info (`{ k, phi, T }`, and the drawn ones when the row has them), for the frames a command writes. */
export function conditionInfo(model: CliModel, conditions: readonly number[] | undefined): Record<string, number> {
  if (!conditions) return {};
  const names = conditionNames(model);
  return Object.fromEntries(names.slice(0, conditions.length).map((name, c) => [name, conditions[c]]));
}

/**
 * A full condition row for commands that evaluate the network directly (`inpaint`, `forces`, `dynamics`):
 * the drawn conditions a {@link resolveConditions} result left out are drawn from the nearest training
 * frames with `seed`, and announced on stderr.
 */
export function completeConditions(command: string, model: CliModel, conditions: number[] | undefined, seed: number, io: CliIo): number[] | undefined {
  if (!conditions || conditions.length === model.denoiser.conditions) return conditions;
  const row = drawConditions(model.denoiser, conditions, createRng(seed))[0];
  const names = conditionNames(model);
  const drawn = names.slice(conditions.length).map((name, c) => `${name} = ${row[conditions.length + c].toPrecision(4)}`).join(', ');
  io.warn(`mddm ${command}: drew ${drawn} from the training frames nearest in ${names.slice(0, conditions.length).join(', ')} (give --${names.slice(conditions.length).join(' --')} to choose)`);
  return row;
}
