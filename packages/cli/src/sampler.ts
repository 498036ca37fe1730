import { BALANCED_SAMPLER, FAST_SAMPLER, QUALITY_SAMPLER, RESTART_SAMPLER, type SampleOptions } from '@mddm/model';
import { numberFlag, type FlagSpec, type ParsedArgs } from './args';
import { CliError } from './errors';
import type { CliModel } from './models';

/** Levels of each ODE sampler when `--steps` is not given (`sample` of `@mddm/model`, `'karras'` grid). */
export const ODE_STEPS = { heun: 18, edm: 18, dpm2m: 40, euler: 100 } as const;

const ODE_STEPS_TEXT = Object.entries(ODE_STEPS).map(([k, v]) => `${k} ${v}`).join(', ');

/** Sampler flags shared by `mddm sample` and `mddm evaluate`. */
export const SAMPLER_FLAGS: FlagSpec = { sampler: { type: 'string' }, steps: { type: 'string' }, corrector: { type: 'string' }, restart: { type: 'string' }, guidance: { type: 'string' } };

/** Help lines of {@link SAMPLER_FLAGS}. */
export const SAMPLER_HELP = `Sampler:
  --sampler NAME     pc (default): the model's recommended predictor-corrector sampler (its manifest's,
                     else balanced); the measured presets of @mddm/model: fast (DPM-Solver++(2M) 11 levels
                     + 22 Langevin steps below 0.075 LJ, ~100 NFE), balanced (12 levels + 47 Langevin steps
                     below 0.06 LJ, ~200 NFE), quality (ancestral 60 log-spaced steps + 30 Langevin steps
                     below 0.8 LJ, ~1,600 NFE), restart (balanced, then 5 restarts: noised again to 0.12 LJ
                     and denoised on 8 levels; ~1,400 NFE, the best measured structure);
                     ancestral, heun (EDM Alg. 1, 2 NFE/step), edm (EDM Alg. 2, churn), dpm2m
                     (DPM-Solver++(2M), 1 NFE/step) or euler; the ODE samplers use EDM's rho = 7 grid (--steps levels)
  --steps N          predictor steps (default: the chosen sampler's; ODE samplers alone: ${ODE_STEPS_TEXT})
  --corrector C      Langevin corrector steps per level in the sampler's corrector band (below 0.3 LJ when
                     it has none); 0 turns the corrector off
  --restart N        restart sampling: after the sampler, N times noise the sample again to the restart level
                     (0.12 LJ unless the sampler has its own) and denoise it with the same sampler; 0 = none
  --guidance W       classifier-free guidance weight (conditional models with a null condition;
                     default: the model's recommended one, else 0 = none; doubles the network evaluations)`;

/** The names `--sampler` takes. */
export const SAMPLER_NAMES = ['pc', 'fast', 'balanced', 'quality', 'restart', 'ancestral', 'heun', 'edm', 'dpm2m', 'euler'] as const;

/** A resolved sampler: its name and the `sample` options it sets. */
export interface CliSampler {
  name: string;
  options: Partial<SampleOptions>;
}

/** The sampler a model recommends: its manifest's, else `BALANCED_SAMPLER` of `@mddm/model`. */
export function recommendedSampler(model: CliModel): Partial<SampleOptions> {
  return model.manifest?.sampler ?? { ...BALANCED_SAMPLER, corrector: { ...BALANCED_SAMPLER.corrector } };
}

/**
 * Applies `--sampler`, `--steps`, `--corrector` and `--guidance` on top of the recommended settings.
 * @throws CliError `CLI_USAGE` for an unknown sampler or out-of-range numbers
 */
export function samplerFromFlags(
  command: string, values: ParsedArgs['values'], base: Partial<SampleOptions>, model?: CliModel, conditions?: ArrayLike<number>,
): CliSampler {
  const name = (values.sampler as string | undefined) ?? 'pc';
  if (!(SAMPLER_NAMES as readonly string[]).includes(name)) {
    throw new CliError(`mddm ${command}: unknown --sampler '${name}'; expected one of ${SAMPLER_NAMES.join(', ')}`, 'CLI_USAGE');
  }
  const recommendedGuidance = base.guidance ?? 0;
  const preset = name === 'fast' ? FAST_SAMPLER : name === 'balanced' ? BALANCED_SAMPLER : name === 'quality' ? QUALITY_SAMPLER : name === 'restart' ? RESTART_SAMPLER : undefined;
  if (preset) base = { ...preset, corrector: { ...preset.corrector } };
  if (preset === RESTART_SAMPLER) base.restart = { ...RESTART_SAMPLER.restart };
  const ode = name in ODE_STEPS || preset !== undefined;
  // a preset (pc: the model's recommended; fast, balanced, quality) is taken as it is; a named ODE sampler other than the recommended one starts from its own levels
  const options: Partial<SampleOptions> = ode && !preset && base.sampler !== name
    ? { sampler: name as SampleOptions['sampler'], steps: ODE_STEPS[name as keyof typeof ODE_STEPS], spacing: 'karras' as const }
    : { ...base };
  // --sampler ancestral on a model that recommends an ODE sampler: the ancestral predictor on the quality preset's levels
  if (name === 'ancestral' && base.sampler !== undefined && base.sampler !== 'ancestral') {
    for (const key of Object.keys(options) as (keyof SampleOptions)[]) delete options[key];
    Object.assign(options, { sampler: 'ancestral', steps: QUALITY_SAMPLER.steps, spacing: QUALITY_SAMPLER.spacing });
  }
  const steps = numberFlag(command, values, 'steps', { integer: true, min: 1 });
  if (steps !== undefined) options.steps = steps;
  const corrector = numberFlag(command, values, 'corrector', { integer: true, min: 0 });
  if (ode) {
    if (corrector !== undefined) options.corrector = corrector === 0 ? undefined : { r: 0.4, sigmaMaxLj: 0.3, ...(base.corrector ?? {}), steps: corrector };
  } else if (name === 'ancestral') {
    if (corrector !== undefined && corrector > 0) throw new CliError(`mddm ${command}: --corrector needs --sampler pc`, 'CLI_USAGE');
    delete options.corrector;
  } else if (corrector !== undefined) {
    options.corrector = corrector === 0 ? undefined : { r: 0.4, sigmaMaxLj: 0.3, ...(base.corrector ?? {}), steps: corrector };
  }
  const restarts = numberFlag(command, values, 'restart', { integer: true, min: 0 });
  if (restarts !== undefined) options.restart = restarts === 0 ? undefined : { ...(base.restart ?? RESTART_SAMPLER.restart), count: restarts };
  // --guidance overrides the recommended weight (a manifest's sampler may carry one); only conditional runs use it
  const w = numberFlag(command, values, 'guidance', { min: 0 }) ?? (conditions ? recommendedGuidance : 0);
  delete options.guidance;
  if (w > 0) {
    if (model && !model.denoiser.nullCondition) {
      throw new CliError(`mddm ${command}: --guidance needs a model trained with a null condition (classifier-free guidance); '${model.name}' has none`, 'CLI_USAGE');
    }
    if (!conditions) throw new CliError(`mddm ${command}: --guidance needs a conditional model and its conditions`, 'CLI_USAGE');
    options.guidance = w;
  }
  return { name: w ? `${name}+cfg${w}` : name, options };
}
