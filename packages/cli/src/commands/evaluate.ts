import { loadDataset } from '@mddm/data';
import type { Frame } from '@mddm/io';
import { drawnConditionCount, retrievalNeighbours } from '@mddm/model';
import { INIT_FLAGS, INIT_HELP, initCacheLabel, loadPool, resolveInit, runInit, startsCacheLabel } from '../init';
import { ensembleMetrics, rdf, type EnsembleMetrics, type RdfResult } from '@mddm/rdf';
import { numberFlag, parseFlags, requiredFlag, type FlagSpec, type ParsedArgs } from '../args';
import { CliError } from '../errors';
import { checkWritable } from '../frames';
import { writeTextOutput } from '../output';
import type { CliIo } from '../io';
import { conditionNames, resolveModel } from '../models';
import { SampleCache } from '../sampleCache';
import { SAMPLER_FLAGS, SAMPLER_HELP, recommendedSampler, samplerFromFlags } from '../sampler';

export const EVALUATE_HELP = `mddm evaluate: the paper's Table 1 with the metrics of SPEC §5, against LAMMPS

Usage:
  mddm evaluate --model NAME|DIR --set opp-test|opp-train [--samples 4] [--limit N] [--seed S] [--json FILE]
                [--samples-dir DIR]
  mddm evaluate --floors --set opp-test|opp-train [--limit N] [--json FILE]

For every parameter set of the chosen set that has MD replicas (opp-test: all 25; opp-train: the 25
with replicas), generates M samples and compares their RDFs with the R MD frames (the set's frame and
its replicas): paper-style (vs the set's frame; floor: replicas vs that frame), precision (each sample
vs its nearest MD frame), coverage (each MD frame vs its nearest sample), each beside its MD floor.
Prints a per-set table, the means, and the paper's numbers (0.098 train, 0.126 test).

  --samples M    generated conformations per parameter set (default 4)
  --limit N      only the first N parameter sets
  --seed S       base seed (default 0): sample m of set i (its position in the dataset) uses seed S + 1000 i + m
                 (nearest-md, stratified draw: it is conformation m of the sequence of seed S + 1000 i, so a set's
                 samples start from its neighbours in turn), so --samples 4 extends a --samples 2 run (with
                 --samples-dir, only 2 more per set)
  --json FILE    also write every number as JSON
  --floors       no model: only what a perfect generator would score (MD replicas against each
                 other, SPEC §5), per set and on average: how much of the paper's number is MD's scatter
  --samples-dir DIR
                 keep every generated sample in DIR (extended XYZ, one file each, named by set, seed
                 and a hash of model, sampler and conditions) and reuse the ones already there: an
                 interrupted evaluation resumes, and re-running after more replicas are packed
                 re-scores without sampling again; a nearest-md sample is keyed by the frames it
                 starts from, so after a pool grows only the sets whose nearest frames changed
                 are sampled again
${INIT_HELP}
                 (nearest-md never starts from a frame at the evaluated set's own parameters)
${SAMPLER_HELP}`;

const FLAGS: FlagSpec = { model: { type: 'string' }, set: { type: 'string' }, samples: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' }, 'samples-dir': { type: 'string' }, floors: { type: 'boolean' }, ...SAMPLER_FLAGS, ...INIT_FLAGS };
const PAPER = { 'opp-test': 0.126, 'opp-train': 0.098 } as const;
/**
 * Sample m of parameter set i (its position in the dataset) uses seed `S + SEEDS_PER_SET i + m`: a run
 * with more samples extends one with fewer, and packing replicas for more training sets changes no seed.
 */
const SEEDS_PER_SET = 1000;
const RDF_OPTIONS = { bins: 100, rMax: 5 };

/** One parameter set: its MD frames (the set's own first) and the parameters. */
interface ParameterSet {
  id: string;
  /** Position of the set's frame in the dataset: its samples' seeds depend on it, not on which sets have replicas. */
  index: number;
  frames: Frame[];
}

/** The set's frames grouped with their replicas (replica ids are `<id>_s<seed>`, SPEC §5). */
async function parameterSets(set: 'opp-test' | 'opp-train'): Promise<ParameterSet[]> {
  const frames = await loadDataset(set);
  let replicas: Frame[] = [];
  try {
    replicas = await loadDataset(`${set}-replicas` as never);
  } catch (e) {
    if ((e as { code?: string }).code !== 'DATA_NOT_FOUND') throw e;
  }
  const byId = new Map<string, Frame[]>();
  for (const r of replicas) {
    const id = String(r.info.id).replace(/_s\d+$/, '');
    byId.set(id, [...(byId.get(id) ?? []), r]);
  }
  const all = frames.map((f, index) => ({ id: String(f.info.id), index, frames: [f, ...(byId.get(String(f.info.id)) ?? [])] }));
  // Training sets are evaluated only where replicas exist (the test set always: its floors may be missing).
  return set === 'opp-train' && replicas.length > 0 ? all.filter((p) => p.frames.length > 1) : all;
}

/** `--set`, required: `opp-test` or `opp-train`. @throws CliError `CLI_USAGE` */
function setFlag(values: ParsedArgs['values']): 'opp-test' | 'opp-train' {
  const set = requiredFlag('evaluate', values, 'set', 'opp-test or opp-train');
  if (set !== 'opp-test' && set !== 'opp-train') throw new CliError(`mddm evaluate: --set must be opp-test or opp-train, got '${set}'`, 'CLI_USAGE');
  return set;
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '  n/a ');

/** `mddm evaluate`: see {@link EVALUATE_HELP}. @returns the exit code */
export async function evaluateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('evaluate', args, FLAGS);
  if (values.help) return io.say(EVALUATE_HELP), 0;
  if (typeof values.json === 'string') checkWritable('evaluate', values.json);
  if (values.floors) return floorsCommand(values, io);
  const modelName = requiredFlag('evaluate', values, 'model', 'a pretrained name or a checkpoint directory');
  const set = setFlag(values);
  const M = numberFlag('evaluate', values, 'samples', { integer: true, min: 1, max: SEEDS_PER_SET }) ?? 4;
  const limit = numberFlag('evaluate', values, 'limit', { integer: true, min: 1 });
  const seed = numberFlag('evaluate', values, 'seed', { integer: true, min: 0 }) ?? 0;
  const model = await resolveModel('evaluate', modelName);
  try {
    const d = model.denoiser;
    // A model with drawn (structure) conditions is given only the others: sample draws the rest per conformation.
    const names = conditionNames(model).slice(0, d.conditions - drawnConditionCount(d));
    if (d.conditions === 0) throw new CliError(`mddm evaluate: model '${modelName}' is unconditional; evaluate a conditional model`, 'CLI_USAGE');
    const sets = (await parameterSets(set)).slice(0, limit);
    // One sampler for every set: the options depend on whether there are conditions, not on their values.
    const sampler = samplerFromFlags('evaluate', values, recommendedSampler(model), model, names.map(() => 0));
    const init = resolveInit('evaluate', model, values, 1000, 10);
    const loaded = init.kind === 'nearest-md' ? await loadPool(init) : undefined;
    const pool = loaded?.pool;
    // samples are cached under their start frames; the label of the whole pool is how earlier runs stored them
    const legacyInit = initCacheLabel(init, loaded?.ids);
    const table = pool?.map((f) => f.conditions);
    if (init.kind === 'nearest-md') io.say(`init: nearest-md (retrieval-initialised: start from one of the ${init.neighbours} nearest frames of ${init.sets.join(', ')}, noised to ${init.sigmaLj} LJ)`);
    const samplesDir = typeof values['samples-dir'] === 'string' ? values['samples-dir'] : undefined;
    const cache = samplesDir ? await SampleCache.open(samplesDir, d, sampler.options) : null;
    let reused = 0;
    const bar = io.progress(sets.length * M, 'evaluate');
    const rows: { id: string; conditions: number[]; R: number; metrics: EnsembleMetrics | null; paperStyle: number; evaluations: number }[] = [];
    for (const p of sets) {
      const conditions = names.map((n) => Number(p.frames[0].info[n]));
      const refs: RdfResult[] = p.frames.map((f) => rdf(f.positions, f.box, RDF_OPTIONS));
      const gens: RdfResult[] = [];
      let evaluations = 0;
      const n = p.frames[0].positions.length / 3;
      const starts = init.kind === 'nearest-md'
        ? retrievalNeighbours(d, table!, conditions, { neighbours: init.neighbours, scale: init.scale, excludeExact: true }).map((i) => loaded!.ids[i])
        : undefined;
      for (let m = 0; m < M; m++) {
        const key = { id: `${set}/${p.id}`, seed: seed + SEEDS_PER_SET * p.index + m, conditions, n, box: p.frames[0].box, init: init.kind === 'nearest-md' ? startsCacheLabel(init, starts!) : undefined };
        let stored = cache ? await cache.get(key) : null;
        if (!stored && cache && legacyInit !== undefined) {
          stored = await cache.get({ ...key, init: legacyInit });
          // stored again under its start frames, so the folder serves a pool that grows elsewhere
          if (stored) await cache.put(key, stored.positions, pickInfo(stored.info, ['evaluations', 'sampler', 'model', 'start']));
        }
        let positions: Float64Array;
        if (stored) {
          reused++;
          positions = stored.positions;
          evaluations = Number(stored.info.evaluations);
        } else {
          // excludeExact: a start frame at the set's own parameters could be one of its reference frames.
          // The stratified draw spreads a set's M samples over the neighbours: they are conformations 0..M-1 of one
          // sequence (seed S + 1000 i); the independent draw keeps the per-sample seeds of the runs made with it.
          const stratified = init.kind === 'nearest-md' && init.draw === 'stratified';
          const runSeed = stratified ? seed + SEEDS_PER_SET * p.index : key.seed;
          const r = await runInit(init, pool, d, { ...sampler.options, n, box: p.frames[0].box, seed: runSeed, conditions, onWarning: (w) => io.warn(`warning: ${w}`) }, true, stratified ? m : 0);
          evaluations = r.evaluations;
          positions = r.positions[0];
          await cache?.put(key, positions, { evaluations: r.evaluations, sampler: sampler.name, model: modelName, ...(r.starts && loaded ? { start: loaded.ids[r.starts[0]] } : {}) });
        }
        gens.push(rdf(positions, p.frames[0].box, RDF_OPTIONS));
        bar.tick(1, p.id);
      }
      const metrics = refs.length >= 2 ? ensembleMetrics(gens, refs) : null;
      const paperStyle = metrics?.paperStyle ?? ensembleMetrics(gens, [refs[0], refs[0]]).paperStyle;
      rows.push({ id: p.id, conditions, R: refs.length, metrics, paperStyle, evaluations });
    }
    bar.done();
    if (cache) io.say(`samples in ${samplesDir}: ${reused} reused, ${sets.length * M - reused} generated`);
    io.say(`${set}: ${rows.length} parameter sets, M = ${M} samples each, model ${modelName}, NFE ${rows[0]?.evaluations ?? 0} per sample (RDF-MSE, SPEC §3/§5)`);
    io.say(`${'set'.padEnd(34)} ${names.map((n) => n.padStart(7)).join(' ')}  R  paper  floor   prec  cover  mdfloor`);
    for (const r of rows) {
      const m = r.metrics;
      io.say(`${r.id.padEnd(34)} ${r.conditions.map((c) => c.toFixed(3).padStart(7)).join(' ')} ${String(r.R).padStart(2)} ${f4(r.paperStyle)} ${f4(m?.paperFloor ?? NaN)} ${f4(m?.precision ?? NaN)} ${f4(m?.coverage ?? NaN)} ${f4(m?.mdFloor ?? NaN)}`);
    }
    const withFloors = rows.filter((r) => r.metrics);
    const mean = (f: (r: (typeof rows)[number]) => number, rs = withFloors) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    io.say('');
    io.say(`mean paper-style ${f4(mean((r) => r.paperStyle, rows))} over ${rows.length} sets (paper, Table 1: ${PAPER[set]})`);
    if (withFloors.length) {
      // standard error of a mean over sets: sqrt(sum of the per-set squared errors) / sets (independent sets)
      const se = (f: (m: NonNullable<(typeof rows)[number]['metrics']>) => number) => Math.sqrt(withFloors.reduce((a, r) => a + f(r.metrics!) ** 2, 0)) / withFloors.length;
      const pm = (x: number) => (Number.isFinite(x) ? ` ± ${f4(x)}` : '');
      io.say(`over the ${withFloors.length} sets with replicas: paper-style ${f4(mean((r) => r.paperStyle))}${pm(se((m) => m.paperStyleSe))} (floor ${f4(mean((r) => r.metrics!.paperFloor))}${pm(se((m) => m.paperFloorSe))}), ` +
        `precision ${f4(mean((r) => r.metrics!.precision))}, coverage ${f4(mean((r) => r.metrics!.coverage))} (MD floor ${f4(mean((r) => r.metrics!.mdFloor))})`);
      io.say('(± : standard errors of the means from the spread over samples and replicas; MD at one parameter set can make two polymorphs, so a few samples leave a paper-style error of the order of its gap to the floor)');
      const far = withFloors.filter((r) => r.metrics!.precision - r.metrics!.mdFloor > 0.05).map((r) => r.id);
      if (far.length) io.say(`far from the floor (precision > MD floor + 0.05): ${far.join(', ')}`);
    } else {
      io.say(`no MD replicas for ${set} are packed: floors, precision and coverage need them (mddm data generate --preset replicas; mddm data pack)`);
    }
    if (typeof values.json === 'string') {
      await writeTextOutput('evaluate', values.json, JSON.stringify({ set, model: modelName, samples: M, rows }, null, 1));
      io.say(`wrote ${values.json}`);
    }
    return 0;
  } finally {
    model.denoiser.dispose();
  }
}

/** `mddm evaluate --floors`: the perfect-generator floors of SPEC §5 from the MD frames alone. */
async function floorsCommand(values: ParsedArgs['values'], io: CliIo): Promise<number> {
  if (typeof values.model === 'string') throw new CliError('mddm evaluate: --floors takes no --model (it scores MD against MD)', 'CLI_USAGE');
  const set = setFlag(values);
  const limit = numberFlag('evaluate', values, 'limit', { integer: true, min: 1 });
  const sets = (await parameterSets(set)).slice(0, limit).filter((p) => p.frames.length >= 2);
  if (sets.length === 0) {
    io.say(`no MD replicas for ${set} are packed: the floors need them (mddm data generate --preset replicas; mddm data pack)`);
    return 1;
  }
  io.say(`${set}: perfect-generator floors from ${sets.length} parameter sets with replicas (RDF-MSE, SPEC §3/§5)`);
  io.say(`${'set'.padEnd(34)}  R  paper-floor  md-floor`);
  const rows = sets.map((p) => {
    const refs = p.frames.map((f) => rdf(f.positions, f.box, RDF_OPTIONS));
    const m = ensembleMetrics([refs[0]], refs);
    io.say(`${p.id.padEnd(34)} ${String(refs.length).padStart(2)}  ${f4(m.paperFloor).padStart(11)}  ${f4(m.mdFloor).padStart(8)}`);
    return { id: p.id, R: refs.length, paperFloor: m.paperFloor, mdFloor: m.mdFloor };
  });
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  const paperFloor = mean((r) => r.paperFloor);
  io.say('');
  io.say(`mean paper-style floor ${f4(paperFloor)}, MD floor ${f4(mean((r) => r.mdFloor))} over ${rows.length} sets; ` +
    `the paper's ${PAPER[set]} is ${(paperFloor / PAPER[set] * 100).toFixed(0)}% floor`);
  if (typeof values.json === 'string') {
    await writeTextOutput('evaluate', values.json, JSON.stringify({ set, floors: rows }, null, 1));
    io.say(`wrote ${values.json}`);
  }
  return 0;
}

/** The entries of `info` at `keys` that are strings or numbers (a cached sample's record, stored again). */
function pickInfo(info: Frame['info'], keys: readonly string[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of keys) {
    const v = info[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out;
}
