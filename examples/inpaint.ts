/**
 * Inpainting with a trained model (issue 13; DynamicsDiffusion Algorithm 1 on the wrapped VE process):
 * keep the particles of an MD frame with x < L/2, regenerate the other half. Checks that the fixed
 * particles come back bit-exact and compares with MD (the 4 replicas at k = 7, phi = 1, T = 0.03):
 * RDF-MSE of the whole box, of the regenerated half (partial g(r): regenerated particles against all),
 * and, for reference, of unconditional samples with the same sampler.
 *
 *   nice -n 15 pnpm exec tsx examples/inpaint.ts [--model opp-unconditional] [--sampler fast|balanced|quality] [--count 2] [--resample 1] [--seed 1] [--corrector-fixed redraw|hold|move] [--corrector-steps N] [--out inpainted.xyz] [--json out/inpaint.json]
 *
 * `--out` writes the inpainted frames as extended XYZ (species F = fixed, G = generated; OVITO colours by it).
 * The sampler is the model's recommended one if it is ancestral, else `INPAINT_SAMPLER` for the
 * inpainting (`quality`'s 60 levels with 60 Langevin steps per level, 3,180 NFE; with the 12 of `balanced`
 * the regenerated half scored 9x the unconditional samples) against `quality` for the unconditional
 * reference, unless `--sampler` names a preset (then both use it; `--corrector-steps` changes the
 * inpainting's corrector only). `--resample > 1` (RePaint) needs an
 * ancestral sampler.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeXyz } from '@mddm/io';
import { RdfAccumulator, rdf, rdfMse } from '@mddm/rdf';
import { INPAINT_SAMPLER, inpaintSample, sample, selectBackend, type DenoiserLike } from '@mddm/model';
import { SAMPLER_PRESETS, loadModel, type ExampleModel } from './loadModel';
import { mdFrames } from './mdData';

/** Result of {@link runInpaint}. */
export interface InpaintReport {
  fixed: number;
  bitExact: boolean;
  /** RDF-MSE vs MD, per inpainted sample: whole box and regenerated half. */
  wholeMse: number[];
  halfMse: number[];
  /** RDF-MSE vs MD of unconditional samples (same sampler, same count). */
  unconditionalMse: number[];
  /** The same for the partial g(r) of the unconditional samples' particles with x >= L/2 (like for like with `halfMse`). */
  unconditionalHalfMse: number[];
  /**
   * Where the error sits: the partial g(r) of the regenerated particles at least 1.5 LJ from both
   * interfaces with the fixed half (x in (L/2 + 1.5, L - 1.5)), against all particles; and the same
   * slab of the unconditional samples.
   */
  interiorMse: number[];
  unconditionalInteriorMse: number[];
  /** RDF-MSE between MD replicas and the replica average (the noise floor of one frame). */
  replicaFloor: number[];
  nfe: number;
  seconds: number;
}

export async function runInpaint(denoiser: DenoiserLike, sampler: ExampleModel['sampler'], options: { count?: number; resample?: number; seed?: number; correctorFixed?: 'redraw' | 'hold' | 'move'; correctorSteps?: number; out?: string } = {}): Promise<InpaintReport> {
  const replicas = await mdFrames('opp-replicas');
  const ref = new RdfAccumulator();
  for (const f of replicas) ref.add(f.positions, f.box);
  const g = ref.result();
  const md = replicas[0];
  const L = md.box[0];
  const n = md.positions.length / 3;
  const indices: number[] = [];
  const regen: number[] = [];
  for (let i = 0; i < n; i++) (md.positions[3 * i] < L / 2 ? indices : regen).push(i);
  const count = options.count ?? 2;
  const t0 = performance.now();
  // --corrector-steps changes the inpainting's corrector only; the unconditional reference keeps the sampler
  const inpaintSampler = options.correctorSteps !== undefined && sampler.corrector ? { ...sampler, corrector: { ...sampler.corrector, steps: options.correctorSteps } } : sampler;
  const r = await inpaintSample(denoiser, {
    known: md.positions, indices, box: md.box, count, seed: options.seed ?? 1, resample: options.resample ?? 1, correctorFixed: options.correctorFixed, ...inpaintSampler,
  });
  const seconds = (performance.now() - t0) / 1000;
  const bitExact = r.positions.every((x) => indices.every((i) => [0, 1, 2].every((d) => x[3 * i + d] === md.positions[3 * i + d])));
  const interior = (x: Float64Array) => [...Array(n).keys()].filter((i) => x[3 * i] > L / 2 + 1.5 && x[3 * i] < L - 1.5);
  if (options.out) {
    const fixed = new Set(indices);
    const species = Array.from({ length: n }, (_, i) => (fixed.has(i) ? 'F' : 'G'));
    await writeXyz(options.out, r.positions.map((positions, f) => ({ positions, box: md.box, species, info: { sample: f, fixed: indices.length } })));
  }
  const u = await sample(denoiser, { n, box: md.box, count, seed: options.seed ?? 1, ...sampler });
  return {
    fixed: indices.length,
    bitExact,
    wholeMse: r.positions.map((x) => rdfMse(rdf(x, md.box), g)),
    halfMse: r.positions.map((x) => rdfMse(rdf(x, md.box, { indicesA: regen }), g)),
    unconditionalMse: u.positions.map((x) => rdfMse(rdf(x, md.box), g)),
    unconditionalHalfMse: u.positions.map((x) => rdfMse(rdf(x, md.box, { indicesA: [...Array(n).keys()].filter((i) => x[3 * i] >= L / 2) }), g)),
    interiorMse: r.positions.map((x) => rdfMse(rdf(x, md.box, { indicesA: interior(x) }), g)),
    unconditionalInteriorMse: u.positions.map((x) => rdfMse(rdf(x, md.box, { indicesA: interior(x) }), g)),
    replicaFloor: replicas.map((f) => rdfMse(rdf(f.positions, f.box), g)),
    nfe: r.evaluations,
    seconds,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { model: { type: 'string' }, sampler: { type: 'string' }, count: { type: 'string' }, resample: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' }, 'corrector-fixed': { type: 'string' }, 'corrector-steps': { type: 'string' }, out: { type: 'string' } } });
  await selectBackend();
  // inpainting needs many levels: an ODE recommendation (12 levels: 9x the unconditional error) is replaced by the quality preset
  const recommended = await loadModel(values.model ?? 'opp-unconditional', values.sampler);
  // by default: inpainting with INPAINT_SAMPLER (quality's levels, twice its Langevin steps), the
  // unconditional reference with QUALITY_SAMPLER (what the preset is measured against)
  const presetDefault = values.sampler === undefined && (recommended.sampler.sampler ?? 'ancestral') !== 'ancestral';
  const { denoiser, sampler } = presetDefault
    ? { denoiser: recommended.denoiser, sampler: structuredClone(SAMPLER_PRESETS.quality) as ExampleModel['sampler'] }
    : recommended;
  const correctorSteps = values['corrector-steps'] !== undefined ? Number(values['corrector-steps']) : presetDefault ? INPAINT_SAMPLER.corrector.steps : undefined;
  const rep = await runInpaint(denoiser, sampler, { count: Number(values.count ?? 2), resample: Number(values.resample ?? 1), seed: Number(values.seed ?? 1), correctorFixed: values['corrector-fixed'] as 'redraw' | 'hold' | 'move' | undefined,
    correctorSteps, out: values.out });
  console.log(JSON.stringify(rep, null, 2));
  if (values.json) await writeFile(values.json, JSON.stringify(rep, null, 2));
  denoiser.dispose();
}
