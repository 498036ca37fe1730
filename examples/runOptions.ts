/**
 * The train options and the ending shared by the examples that continue or start a model from the
 * command line (`train-forces.ts`, `train-expert.ts`): weight average, time budget, checkpoints every
 * 250 steps in `OUT/checkpoint` (resumable), a progress line every 100 steps; then save to `OUT`.
 */
import { join } from 'node:path';
import { saveDenoiser, type DenoiserLike, type TrainOptions } from '@mddm/model';

/** The flags these examples share. */
export interface RunFlags {
  ema?: string;
  minutes?: string;
  resume?: boolean;
}

/** `ema`, `timeBudgetMs`, checkpointing and progress of `train` for `--ema`, `--minutes`, `--resume` and output folder `out`. */
export function runOptions(values: RunFlags, out: string, steps: number): Pick<TrainOptions, 'ema' | 'timeBudgetMs' | 'checkpointDir' | 'checkpointEvery' | 'resume' | 'onProgress'> {
  return {
    ema: values.ema ? Number(values.ema) : undefined,
    timeBudgetMs: values.minutes ? Number(values.minutes) * 60_000 : undefined,
    checkpointDir: join(out, 'checkpoint'), checkpointEvery: 250, resume: values.resume ?? false,
    onProgress: (p) => void (p.step % 100 === 0 && console.log(`step ${p.step}/${steps} loss ${p.smoothLoss.toFixed(4)} ${p.stepsPerSecond.toFixed(2)} steps/s`)),
  };
}

/** Saves the trained model to `out` (what `loadDenoiser(out)` reads) and frees it. */
export async function saveAndDispose(denoiser: DenoiserLike, out: string): Promise<void> {
  await saveDenoiser(denoiser, out);
  console.log(`saved ${out}`);
  denoiser.dispose();
}
