/**
 * Energy-parameterised vs direct denoiser as force fields (issue 13, SPEC §8): the same graph network
 * (3 layers x 32, k = 12, silu/softplus, mean aggregation) trained for the same number of steps on the
 * shipped MD conformation, only on the small-noise band (0.02..0.3 LJ units), once predicting eps
 * directly and once as `sigma grad_x E`. Reports the cost per training step and per force call, and
 * the force agreement with the analytic OPP force on the 4 MD replicas neither model saw.
 *
 *   nice -n 15 pnpm exec tsx examples/energy-vs-direct.ts [--steps 300] [--json out/energy-vs-direct.json]
 *     [--data opp-unconditional,opp-state-frames] [--sigma-min 0.02] [--sigma-max 0.3] [--eval-sigmas 0.03,0.05,0.1,0.2]
 *
 * `--data` trains on several sets of the state point (k = 7, phi = 1, T = 0.03; checked as in
 * `train-unconditional.ts`); `--sigma-min` / `--sigma-max` (LJ units) set the training band and
 * `--eval-sigmas` the levels the forces are read at. The forces are only accurate below the thermal
 * width (~0.02 LJ at kT = 0.03, docs/seed-paper-tools.md), so the informative comparison is e.g.
 * `--data opp-unconditional,opp-state-frames --sigma-min 0.002 --sigma-max 0.02 --eval-sigmas 0.003,0.005,0.01`.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { oppForces } from '@mddm/io';
import { mdFrames } from './mdData';
import { createDenoiser, createEnergyDenoiser, forceAgreement, forces, selectBackend, train, type Denoiser } from '@mddm/model';
import { geometricSchedule } from '@mddm/schedules';
import { trainingFrames } from './train-unconditional';

/** Result of {@link runEnergyVsDirect}, one entry per model. */
export interface EnergyVsDirectRow {
  model: 'direct' | 'energy';
  steps: number;
  msPerTrainStep: number;
  msPerForceCall: number;
  /** Per sigma: mean cosine and median magnitude ratio vs OPP over the replicas. */
  agreement: { sigma: number; meanCosine: number; medianRatio: number }[];
}

/** Options of {@link runEnergyVsDirect}. */
export interface EnergyVsDirectOptions {
  /** Training steps of each model (default 300). */
  steps?: number;
  /** MD replicas the forces are compared on (default 4). */
  replicas?: number;
  verbose?: boolean;
  arch?: { k: number; layers: number; width: number; hidden: number[]; headHidden: number[] };
  /** Training sets at the state point (default `['opp-unconditional']`: one frame). */
  data?: string[];
  /** Training band in LJ units (default 0.02..0.3). */
  sigmaMinLj?: number;
  sigmaMaxLj?: number;
  /** Noise levels (LJ) the forces are read at (default 0.03, 0.05, 0.1, 0.2). */
  evalSigmas?: number[];
}

export async function runEnergyVsDirect(options: EnergyVsDirectOptions = {}): Promise<EnergyVsDirectRow[]> {
  await selectBackend();
  const steps = options.steps ?? 300;
  const data = options.data ? await trainingFrames(options.data) : (await mdFrames('opp-unconditional')).slice(0, 1);
  const md = data[0];
  const replicas = (await mdFrames('opp-replicas')).slice(0, options.replicas ?? 4);
  const L = md.box[0];
  const sigmaMin = options.sigmaMinLj ?? 0.02, sigmaMax = options.sigmaMaxLj ?? 0.3;
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) throw new Error(`need 0 < --sigma-min < --sigma-max, got ${sigmaMin}, ${sigmaMax}`);
  const evalSigmas = options.evalSigmas ?? [0.03, 0.05, 0.1, 0.2];
  const schedule = geometricSchedule(100, { sigmaMinBox: sigmaMin / L, sigmaMaxBox: sigmaMax / L }); // the training band, LJ units over L
  const arch = options.arch ?? { k: 12, layers: 3, width: 32, hidden: [32], headHidden: [64] };
  const make = (kind: 'direct' | 'energy'): Denoiser => kind === 'energy'
    ? createEnergyDenoiser({ ...arch, schedule, boxLength: L, seed: 1 })
    : createDenoiser({ ...arch, activation: 'silu', aggregation: 'mean', timeEncoding: 'log-sigma', seed: 1 });
  const rows: EnergyVsDirectRow[] = [];
  const ref = replicas.map((f) => oppForces(f.positions, f.box, { k: 7, phi: 1 }, { cutoff: 3 }).forces);
  for (const kind of ['direct', 'energy'] as const) {
    const d = make(kind);
    const t0 = performance.now();
    await train(d, {
      data, schedule, steps, batchSize: 1, lrSchedule: 'cosine', spacing: 'log-sigma', seed: 1,
      onProgress: (p) => void (options.verbose && p.step % 50 === 0 && console.log(`${kind} step ${p.step}/${steps} loss ${p.smoothLoss.toFixed(4)}`)),
    });
    const msPerTrainStep = (performance.now() - t0) / steps;
    const agreement: EnergyVsDirectRow['agreement'] = [];
    let calls = 0;
    const t1 = performance.now();
    for (const sigma of evalSigmas) {
      let cos = 0, ratio = 0;
      replicas.forEach((f, i) => {
        const a = forceAgreement(forces(d, f.positions, f.box, { sigma, kT: 0.03 }), ref[i]);
        calls++;
        cos += a.meanCosine / replicas.length;
        ratio += a.medianRatio / replicas.length;
      });
      agreement.push({ sigma, meanCosine: cos, medianRatio: ratio });
    }
    const row = { model: kind, steps, msPerTrainStep, msPerForceCall: (performance.now() - t1) / calls, agreement };
    if (options.verbose) console.log(JSON.stringify(row));
    rows.push(row);
    d.dispose();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: {
    steps: { type: 'string' }, json: { type: 'string' }, data: { type: 'string' },
    'sigma-min': { type: 'string' }, 'sigma-max': { type: 'string' }, 'eval-sigmas': { type: 'string' },
  } });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const rows = await runEnergyVsDirect({
    steps: num(values.steps), verbose: true, data: values.data?.split(','),
    sigmaMinLj: num(values['sigma-min']), sigmaMaxLj: num(values['sigma-max']), evalSigmas: values['eval-sigmas']?.split(',').map(Number),
  });
  if (values.json) await writeFile(values.json, JSON.stringify(rows, null, 2));
}
