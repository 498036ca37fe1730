import { ProgressBar } from '@mddm/io';
import type { TrainProgress } from '@mddm/model';

/** Resolution of the bar: it counts thousandths of the run. */
const UNITS = 1000;

/**
 * A progress bar for `train` that stops where training stops: at the step count or at the time
 * budget, whichever comes first. Its position is `max(step / steps, elapsed / budget)`, so the ETA
 * is honest either way (a bar over the steps alone shows hours when a 12-minute budget will end the
 * run; a bar over the budget alone shows the budget when the steps end first). Resumed runs start
 * where they left off.
 */
export function trainingBar(label = 'train'): { onProgress(p: TrainProgress): void; done(): void } {
  let bar: ProgressBar | null = null;
  let at = 0;
  return {
    onProgress(p) {
      const fraction = Math.min(1, Math.max(p.step / p.steps, Number.isFinite(p.budgetMs) && p.budgetMs > 0 ? p.elapsedMs / p.budgetMs : 0));
      const units = Math.floor(fraction * UNITS);
      if (!bar) {
        // A resumed run starts part-way: the bar covers what is left, so the ETA is this call's.
        at = Math.min(UNITS - 1, Math.floor((Math.max(0, p.step - 1) / p.steps) * UNITS));
        bar = new ProgressBar(UNITS - at, { label });
      }
      if (units > at) {
        bar.tick(units - at, `step ${p.step}/${p.steps}  loss ${p.smoothLoss.toFixed(4)}  ${p.stepsPerSecond.toFixed(2)} steps/s  lr ${p.learningRate.toPrecision(3)}`);
        at = units;
      }
    },
    done() {
      bar?.done();
    },
  };
}
