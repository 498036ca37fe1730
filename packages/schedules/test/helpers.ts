/** Test helpers: simple statistics, written independently of the package under test. */

/** One-sample Kolmogorov-Smirnov statistic of `xs` against a CDF. */
export function ksStatistic(xs: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Two-sample KS statistic. */
export function ks2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort(), y = Float64Array.from(b).sort();
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** Asymptotic KS critical value at significance 0.001 for sample size n (c(0.001) = 1.949). */
export const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

export function variance(a: ArrayLike<number>): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return s / (a.length - 1);
}

/** Minimum-image difference of two scalars in a period L. */
export function mic(d: number, L: number): number {
  return d - L * Math.round(d / L);
}

/** Standard normal CDF via erf (Abramowitz-Stegun 7.1.26 is too crude; use a series/continued fraction). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** erfc with ~1e-14 relative accuracy (W. J. Cody-style rational via continued fraction for large x). */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // Taylor series of erf
    let sum = x, term = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction (Lentz)
  let f = x, C = x, D = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    D = x + an * D; D = 1 / D;
    C = x + an / C;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/**
 * Brute-force log density of the wrapped normal: log sum_{|k|<=K} N(d + kL; 0, sigma^2),
 * via log-sum-exp (independent of the package's series).
 */
export function bruteLogWrapped(d: number, sigma: number, L: number, K = 60): number {
  let mx = -Infinity;
  for (let k = -K; k <= K; k++) mx = Math.max(mx, -((d + k * L) ** 2) / (2 * sigma * sigma));
  let s = 0;
  for (let k = -K; k <= K; k++) s += Math.exp(-((d + k * L) ** 2) / (2 * sigma * sigma) - mx);
  return mx + Math.log(s) - Math.log(Math.sqrt(2 * Math.PI) * sigma);
}
