/**
 * Where a shapes model's error sits: ideal points on the shape are noised at several sigma (radius
 * units), denoised once (`x0_hat = x_t - sigma eps_hat`), and the eps-MSE and the mean distance to the
 * surface before and after are printed (docs/shapes-and-baseline.md). A model trained with `--scale S`
 * is handled (its unit is read from its schedule).
 *
 *   pnpm exec tsx examples/shapes-denoising.ts out/shapes-torus-mddm/model torus
 */
import { createRng } from '@mddm/schedules';
import { loadDenoiser, selectBackend, timeInputAtSigma } from '@mddm/model';
import { modelScale, shapeSample } from './shapes';
await selectBackend();
const d = await loadDenoiser(process.argv[2]);
const shape = process.argv[3] as 'sphere' | 'torus';
const n = 1024;
const S = modelScale(d);
const x0 = shapeSample(shape, n, 7).map((v) => v * S);
const rng = createRng(12345);
const signed = (p: number[]) => shape === 'sphere' ? Math.hypot(p[0], p[1], p[2]) - 1 : Math.hypot(Math.hypot(p[0], p[1]) - 1, p[2]) - 0.4;
const dist = (p: number[]) => Math.abs(signed(p));
for (const sigma of [0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1, 2]) {
  const xt = new Float64Array(3 * n), eps = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) { eps[i] = rng.normal(); xt[i] = x0[i] + S * sigma * eps[i]; }
  const tau = timeInputAtSigma(d, S * sigma);
  const e = d.predict(xt, null, tau);
  let loss = 0, dNoisy = 0, dHat = 0, bias = 0;
  for (let i = 0; i < n; i++) {
    const h = [0, 1, 2].map((c) => (xt[3 * i + c] - S * sigma * e[3 * i + c]) / S);
    dNoisy += dist([xt[3 * i] / S, xt[3 * i + 1] / S, xt[3 * i + 2] / S]) / n;
    dHat += dist(h) / n;
    bias += signed(h) / n;
    for (let c = 0; c < 3; c++) loss += (e[3 * i + c] - eps[3 * i + c]) ** 2 / (3 * n);
  }
  console.log(`sigma ${sigma}: eps-MSE ${loss.toFixed(3)}  mean distance to surface: noisy ${dNoisy.toFixed(3)} -> denoised ${dHat.toFixed(3)} (signed mean ${bias.toFixed(3)})`);
}
