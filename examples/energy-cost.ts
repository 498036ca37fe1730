/**
 * Cost of the energy parameterisation (issue 13): CPU time (process, all threads; stable under load)
 * of one force call (`predict`, N = 1000) and of one training step (forward + backward + Adam, batch 1)
 * for the same 3 x 32 network as a direct denoiser (relu on the fused wasm kernel, silu on the fused
 * TypeScript kernel, relu on composed tfjs ops) and as an energy denoiser (composed ops, double backprop).
 *
 *   nice -n 15 pnpm exec tsx examples/energy-cost.ts [--repeats 5]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createDenoiser, createEnergyDenoiser, selectBackend, train, type DenoiserLike } from '@mddm/model';
import { geometricSchedule } from '@mddm/schedules';
import { mdFrames } from './mdData';

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

export async function runEnergyCost(repeats = 5): Promise<{ model: string; forceCallCpuMs: number; trainStepCpuMs: number }[]> {
  await selectBackend();
  const [md] = await mdFrames('opp-unconditional');
  const schedule = geometricSchedule(100, { sigmaMinBox: 0.002, sigmaMaxBox: 0.03 });
  const arch = { k: 12, layers: 3, width: 32, hidden: [32], headHidden: [64] };
  const models: [string, () => DenoiserLike][] = [
    ['direct relu (fused wasm)', () => createDenoiser({ ...arch, timeEncoding: 'log-sigma' })],
    ['direct silu (fused TS)', () => createDenoiser({ ...arch, activation: 'silu', aggregation: 'mean', timeEncoding: 'log-sigma' })],
    ['direct relu (composed)', () => createDenoiser({ ...arch, kernel: 'composed', timeEncoding: 'log-sigma' })],
    ['energy (composed, double backprop)', () => createEnergyDenoiser({ ...arch, schedule, boxLength: 10 })],
  ];
  const rows = [];
  for (const [name, make] of models) {
    const d = make();
    d.predict(md.positions, md.box, 0.5); // warm-up
    let c = cpuMs();
    for (let r = 0; r < repeats; r++) d.predict(md.positions, md.box, 0.5);
    const forceCallCpuMs = (cpuMs() - c) / repeats;
    await train(d, { data: [md], schedule, steps: 1, batchSize: 1 }); // warm-up
    c = cpuMs();
    await train(d, { data: [md], schedule, steps: repeats, batchSize: 1 });
    const trainStepCpuMs = (cpuMs() - c) / repeats;
    rows.push({ model: name, forceCallCpuMs, trainStepCpuMs });
    d.dispose();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { repeats: { type: 'string' } } });
  const rows = await runEnergyCost(Number(values.repeats ?? 5));
  console.log('model | force call, CPU ms | training step, CPU ms');
  for (const r of rows) console.log(`${r.model} | ${r.forceCallCpuMs.toFixed(0)} | ${r.trainStepCpuMs.toFixed(0)}`);
}
