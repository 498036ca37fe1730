/** Messages between the page and the sampling worker (`worker.ts`). */
import type { PretrainedManifest } from '@mddm/pretrained';

/** Page -> worker. */
export type ToWorker =
  | {
      type: 'load';
      /** URL of the models folder. */
      baseUrl: string;
      name: string;
      /** URL of the data folder (`@mddm/data`'s `data/`): the MD frames a `nearest-md` start draws from. */
      dataUrl: string;
    }
  | {
      type: 'generate';
      /** Particles. */
      n: number;
      /** Cubic box length (LJ sigma). */
      box: number;
      /** Raw conditions in the model's order (k, phi, T), or null for an unconditional model. */
      conditions: number[] | null;
      /** Predictor steps. */
      steps: number;
      /** Run the manifest's Langevin corrector. */
      corrector: boolean;
      seed: number;
      /**
       * How the sample starts: uniform noise, or `nearest-md` (the manifest's `init`: an MD frame near the
       * conditions, noised and denoised at them; `retrievalSample` of @mddm/model, N and box of the pool's frames).
       */
      init: 'noise' | 'nearest-md';
    };

/** What the page needs to know about the loaded model. */
export interface ModelInfo {
  name: string;
  manifest: PretrainedManifest;
  /** Number of conditioning inputs (0: unconditional). */
  conditions: number;
  /** Training density (particles per sigma^3), if recorded. */
  density: number | null;
  /** Training particles and box, if recorded. */
  trainingN: number | null;
  trainingBox: number[] | null;
  /** TensorFlow.js backend in use. */
  backend: string;
  /** Threads of the TensorFlow.js wasm backend (more than 1 when the page is cross-origin isolated). */
  threads: number;
  loadMs: number;
}

/** Worker -> page. */
export type FromWorker =
  | { type: 'loaded'; info: ModelInfo }
  | { type: 'progress'; step: number; steps: number; evaluations: number; elapsedMs: number }
  | { type: 'pool'; frames: number; elapsedMs: number }
  | {
      type: 'result'; positions: Float64Array; box: [number, number, number]; elapsedMs: number; evaluations: number; steps: number;
      /** The id of the MD frame a `nearest-md` sample started from. */
      start?: string;
    }
  | { type: 'warning'; message: string }
  | { type: 'error'; phase: 'load' | 'generate'; message: string; code: string | null };
