import { describeValue } from '@mddm/core';
import { MetricsError } from './errors';

/** Options of {@link entropicTransport} and {@link sinkhornDivergence}. */
export interface SinkhornOptions {
  /**
   * Blur (length units of the points, default 0.05): `eps = blur^2`, the convention of GeomLoss's
   * `SamplesLoss("sinkhorn", p=2, blur)` (SPEC §6). Ignored when `eps` is given.
   */
  blur?: number;
  /** Entropic regularisation (squared length units); default `blur^2` = 0.0025. */
  eps?: number;
  /**
   * Convergence tolerance: stop when every marginal of the plan is within this relative error of
   * its weight, `max_i |sum_j P_ij / a_i - 1| <= tolerance` (default 1e-3: the divergence is then accurate to ~1e-6 relative; it converges much faster than the marginals).
   */
  tolerance?: number;
  /** Iterations at the final eps before `METRICS_NO_CONVERGENCE` (default 20000). */
  maxIterations?: number;
  /** eps-scaling factor per annealing stage, in (0, 1): eps goes `diameter^2 -> eps` by `scaling^2` (default 0.9; GeomLoss uses 0.5 with one iteration per stage). */
  scaling?: number;
}

/** Result of {@link entropicTransport}. */
export interface EntropicTransport {
  /**
   * `OT_eps(a, b) = min_P <P, C> + eps KL(P | a x b)` over plans with marginals `a` (uniform on x)
   * and `b` (uniform on y), `C_ij = |x_i - y_j|^2 / 2` (squared length units). Equal to the dual
   * value `<a, f> + <b, g>` at convergence.
   */
  value: number;
  /** Dual potential on x, `[n]` (squared length units). */
  f: Float64Array;
  /** Dual potential on y, `[m]`. */
  g: Float64Array;
  /** The eps used. */
  eps: number;
  /** Sinkhorn iterations (annealing + final). */
  iterations: number;
  /** Largest relative marginal error of the plan at exit. */
  marginalError: number;
  /**
   * The entropic plan `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)`, `[n, m]` row-major
   * (rows sum to `1/n`, columns to `1/m`). Allocates `n m` doubles.
   */
  plan(): Float64Array;
}

/** @internal Validates a flat `[N, 3]` finite point cloud; returns N. */
export function checkCloud(x: unknown, name: string, fn: string): number {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    throw new MetricsError(`${fn}: ${name} must be a Float64Array or Float32Array [N * 3], got ${describeValue(x)}`, 'METRICS_BAD_INPUT');
  }
  if (x.length === 0 || x.length % 3 !== 0) {
    throw new MetricsError(`${fn}: ${name}.length must be a positive multiple of 3, got ${x.length}`, 'METRICS_BAD_INPUT');
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new MetricsError(`${fn}: ${name}[${i}] must be finite, got ${describeValue(x[i])}`, 'METRICS_BAD_INPUT');
  }
  return x.length / 3;
}

/** @internal Resolved options. */
export interface ResolvedSinkhorn {
  eps: number;
  tolerance: number;
  maxIterations: number;
  scaling: number;
}

/** @internal Validates {@link SinkhornOptions}. */
export function resolveSinkhorn(o: SinkhornOptions, fn: string): ResolvedSinkhorn {
  if (!o || typeof o !== 'object') throw new MetricsError(`${fn}: options must be an object, got ${describeValue(o)}`, 'METRICS_BAD_INPUT');
  const positive = (v: unknown, name: string, max = Infinity): number => {
    if (typeof v !== 'number' || !(v > 0) || !(v < max) || !Number.isFinite(v)) {
      throw new MetricsError(`${fn}: ${name} must be a finite number in (0, ${max}), got ${describeValue(v)}`, 'METRICS_BAD_INPUT');
    }
    return v;
  };
  const blur = positive(o.blur ?? 0.05, 'blur');
  const eps = positive(o.eps ?? blur * blur, 'eps');
  const tolerance = positive(o.tolerance ?? 1e-3, 'tolerance');
  const maxIterations = Math.floor(positive(o.maxIterations ?? 20000, 'maxIterations'));
  const scaling = positive(o.scaling ?? 0.9, 'scaling', 1);
  return { eps, tolerance, maxIterations, scaling };
}

/** Squared-distance cost `C_ij = |x_i - y_j|^2 / 2`, `[n, m]` row-major, its transpose `[m, n]`, and its maximum. */
function costMatrix(x: ArrayLike<number>, n: number, y: ArrayLike<number>, m: number): { C: Float64Array; Ct: Float64Array; max: number } {
  const C = new Float64Array(n * m);
  const Ct = new Float64Array(n * m);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    for (let j = 0; j < m; j++) {
      const dx = xi - y[3 * j], dy = yi - y[3 * j + 1], dz = zi - y[3 * j + 2];
      const c = 0.5 * (dx * dx + dy * dy + dz * dz);
      C[i * m + j] = c;
      Ct[j * n + i] = c;
      if (c > max) max = c;
    }
  }
  return { C, Ct, max };
}

/**
 * Soft-min update `out_i = -eps log sum_j w_j exp((h_j - C_ij) / eps)` over the rows of a
 * row-major `[rows, cols]` cost (pass the transpose for the other side), stable log-sum-exp, uniform
 * weights `w_j = 1 / cols`.
 */
function softmin(C: Float64Array, rows: number, cols: number, h: Float64Array, eps: number, out: Float64Array): void {
  const logW = -Math.log(cols);
  const inv = 1 / eps;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = h[j] - C[o + j];
      if (v > mx) mx = v;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const a = (h[j] - C[o + j] - mx) * inv;
      if (a > -40) s += Math.exp(a); // exp(-40) < 1e-17: below the sum's rounding (its largest term is 1)
    }
    out[i] = -(mx + eps * (Math.log(s) + logW));
  }
}

/** Descending eps schedule: `diameter^2, ... (x scaling^2) ..., eps` (GeomLoss's eps-scaling). */
function epsSchedule(maxCost: number, eps: number, scaling: number): number[] {
  const list: number[] = [];
  for (let e = Math.max(2 * maxCost, eps); e > eps; e *= scaling * scaling) list.push(e);
  list.push(eps);
  return list;
}

/**
 * Entropic optimal transport between two uniform point clouds, by log-domain Sinkhorn iterations
 * with eps-scaling (annealing from the squared diameter down to `eps`), then iterations at `eps`
 * until the plan's marginals are within `tolerance` (SPEC §6). Cost `|x - y|^2 / 2`, O(n m) memory.
 *
 * @param x - first cloud, flat `[n, 3]` (any length unit)
 * @param y - second cloud, flat `[m, 3]` (same unit)
 * @param options - see {@link SinkhornOptions}
 * @returns value, potentials and plan, see {@link EntropicTransport}
 * @throws {@link MetricsError} `METRICS_BAD_INPUT` / `METRICS_NO_CONVERGENCE`
 */
export function entropicTransport(x: Float32Array | Float64Array, y: Float32Array | Float64Array, options: SinkhornOptions = {}): EntropicTransport {
  const fn = 'entropicTransport';
  const n = checkCloud(x, 'x', fn);
  const m = checkCloud(y, 'y', fn);
  const o = resolveSinkhorn(options, fn);
  const { C, Ct, max } = costMatrix(x, n, y, m);
  const f = new Float64Array(n);
  const g = new Float64Array(m);
  const t = new Float64Array(n);
  let iterations = 0;
  let err = Infinity;
  const schedule = epsSchedule(max, o.eps, o.scaling);
  for (const e of schedule.slice(0, -1)) {
    softmin(C, n, m, g, e, f);
    softmin(Ct, m, n, f, e, g);
    iterations++;
  }
  const eps = o.eps;
  softmin(C, n, m, g, eps, f);
  // Over-relaxed Sinkhorn (Thibault et al. 2017): f <- f + omega (T(g) - f); omega = 1 is plain
  // Sinkhorn. omega starts at 1.5 and moves halfway to 1.95 whenever the error fell by less than
  // 25% over the last 25 iterations (slow, near-permutation plans at small eps); it drops back to 1
  // if the error grows. The stopping test is on the marginals, so omega only changes the speed.
  let omega = 1.5;
  let errAtProbe = NaN;
  const probe = 25;
  for (let k = 0; ; k++) {
    softmin(Ct, m, n, f, eps, g); // columns exact for (f, g)
    iterations++;
    softmin(C, n, m, g, eps, t); // row sums of (f, g) are a_i exp((f_i - t_i) / eps)
    const prev = err;
    err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(Math.expm1((f[i] - t[i]) / eps)));
    if (err <= o.tolerance) break;
    if (k + 1 >= o.maxIterations) {
      throw new MetricsError(`${fn}: no convergence after ${o.maxIterations} iterations at eps = ${eps} (marginal error ${err.toExponential(2)} > ${o.tolerance}); raise maxIterations or tolerance`, 'METRICS_NO_CONVERGENCE');
    }
    if (k > 0 && err > prev * 1.5) {
      omega = 1;
      errAtProbe = NaN;
    } else if (k % probe === 0) {
      if (errAtProbe > 0 && err > 0.75 * errAtProbe && omega >= 1.5) omega += (1.95 - omega) / 2;
      errAtProbe = err;
    }
    for (let i = 0; i < n; i++) f[i] += omega * (t[i] - f[i]);
  }
  f.set(t); // rows exact; columns within the tolerance
  let value = 0;
  for (let i = 0; i < n; i++) value += f[i] / n;
  for (let j = 0; j < m; j++) value += g[j] / m;
  return {
    value, f, g, eps, iterations, marginalError: err,
    plan() {
      const P = new Float64Array(n * m);
      const w = 1 / (n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) P[i * m + j] = w * Math.exp((f[i] + g[j] - C[i * m + j]) / eps);
      return P;
    },
  };
}

/**
 * `OT_eps(a, a)` of one uniform cloud with itself, by the symmetric (averaged) Sinkhorn update
 * `f <- (f + T(f)) / 2` that converges in a few iterations (GeomLoss's debiasing term).
 * @internal
 */
export function selfTransport(x: Float32Array | Float64Array, o: ResolvedSinkhorn, fn: string): number {
  const n = x.length / 3;
  const { C, max } = costMatrix(x, n, x, n);
  const f = new Float64Array(n);
  const t = new Float64Array(n);
  for (const e of epsSchedule(max, o.eps, o.scaling).slice(0, -1)) {
    softmin(C, n, n, f, e, t);
    for (let i = 0; i < n; i++) f[i] = 0.5 * (f[i] + t[i]);
  }
  for (let k = 0; ; k++) {
    softmin(C, n, n, f, o.eps, t);
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(Math.expm1((f[i] - t[i]) / o.eps)));
    for (let i = 0; i < n; i++) f[i] = 0.5 * (f[i] + t[i]);
    if (err <= o.tolerance) break;
    if (k + 1 >= o.maxIterations) {
      throw new MetricsError(`${fn}: symmetric Sinkhorn did not converge after ${o.maxIterations} iterations (marginal error ${err.toExponential(2)})`, 'METRICS_NO_CONVERGENCE');
    }
  }
  let value = 0;
  for (let i = 0; i < n; i++) value += (2 * f[i]) / n;
  return value;
}
