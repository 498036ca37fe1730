/**
 * Thermal frames at the unconditional state point (k = 7, phi = 1, T = 0.03) for the force training
 * of issue 13: LAMMPS continues each of the 21 shipped frames of that state point
 * (`opp-unconditional` + `opp-state-frames`) with Nose-Hoover NVT at T from fresh velocities
 * (`runOppLammpsThermal`) and keeps a frame every `--every` steps. A denoiser's force is the score
 * of the thermal ensemble (SPEC §8); one annealing run (~100 s) gives one frame of it, a thermal run
 * gives `--steps / --every` frames of the same structure for a few seconds each. Frames of one run
 * are correlated in their structure (the same crystal / polymorph) but not in their vibrations once
 * `--every` is past the vibrational correlation time (500 steps = 2.5 LJ time units).
 *
 *   pnpm exec tsx examples/thermal-frames.ts --steps 5000 --every 500 --out training/opp-state-thermal/frames.xyz.gz
 *
 * The held-out replicas (`opp-replicas`, which `examples/forces.ts` measures on) are not used.
 * Velocity seeds 70000 + i for start frame i (`--seed-base B`: B + i, for a further independent set).
 * Written atomically (extended XYZ, gzipped by name).
 *
 *   pnpm exec tsx examples/thermal-frames.ts --steps 10000 --every 500 --seed-base 71000 --out training/opp-state-thermal/frames-2.xyz.gz
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { loadDataset } from '@mddm/data';
import { ProgressBar, runOppLammpsThermal, writeXyz, type Frame } from '@mddm/io';

/** Options of {@link runThermalFrames}. */
export interface ThermalFramesOptions {
  /** MD steps per start frame (default 5000). */
  steps?: number;
  /** Steps between kept frames (default 500; must divide `steps`). */
  every?: number;
  /** Output file (`.xyz` or `.xyz.gz`). */
  out: string;
  /** Use only the first `starts` start frames (default all 21). */
  starts?: number;
  /** Velocity seed of start frame 0 (default 70000; frame i uses seedBase + i): another seed base gives another set of frames. */
  seedBase?: number;
  /** Print progress (default true). */
  verbose?: boolean;
}

/** Default velocity seed of start frame 0 (disjoint from the annealing runs' seeds: 1-5, 90000-90019). */
const SEED_BASE = 70000;

/** Runs the thermal continuations and writes the frames. @returns the number of frames written */
export async function runThermalFrames(options: ThermalFramesOptions): Promise<number> {
  const steps = options.steps ?? 5000;
  const every = options.every ?? 500;
  const starts = [...(await loadDataset('opp-unconditional')), ...(await loadDataset('opp-state-frames'))].slice(0, options.starts ?? Infinity);
  const bar = options.verbose === false ? null : new ProgressBar(starts.length, { label: 'LAMMPS thermal' });
  const out: Frame[] = [];
  for (const [i, start] of starts.entries()) {
    const { k, phi, T } = start.info as { k: number; phi: number; T: number };
    const seed = (options.seedBase ?? SEED_BASE) + i;
    const frames = await runOppLammpsThermal({ k, phi, T, seed }, start.positions, start.box, { steps, every });
    for (const f of frames) {
      out.push({
        positions: f.positions,
        box: start.box,
        info: { set: 'opp-state-thermal', id: `${String(start.info.id)}_nvt${seed}_step${f.step}`, start: String(start.info.id), k, phi, T, seed, step: f.step, engine: 'LAMMPS', potential: 'OPP', thermostat: 'Nose-Hoover NVT, damp 100 dt, dt 0.005' },
      });
    }
    bar?.tick(1, `${out.length} frames`);
  }
  bar?.done();
  await mkdir(dirname(options.out), { recursive: true });
  await writeXyz(options.out, out);
  return out.length;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const { values } = parseArgs({ args: args[0] === '--' ? args.slice(1) : args, options: { steps: { type: 'string' }, every: { type: 'string' }, out: { type: 'string' }, starts: { type: 'string' }, 'seed-base': { type: 'string' } } });
  const int = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return x;
  };
  const out = values.out ?? 'out/opp-state-thermal.xyz.gz';
  const t0 = performance.now();
  const n = await runThermalFrames({ steps: int(values.steps, 'steps'), every: int(values.every, 'every'), starts: int(values.starts, 'starts'), seedBase: int(values['seed-base'], 'seed-base'), out });
  console.log(`${n} frames in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
