/** The U(r) plot of the oscillating pair potential (`oppEnergy` of @mddm/io), as an SVG string. */
import { oppEnergy } from '@mddm/io/browser';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** r range of the plot (sigma): from where r^-15 dominates to the LAMMPS table cutoff 3 sigma. */
export const R_MIN = 0.85;
export const R_MAX = 3;

/**
 * U(r) = r^-15 + r^-3 cos(k (r - 1.25) - phi) on [R_MIN, R_MAX] with labelled axes (r in sigma,
 * U in epsilon), a dashed U = 0 line and the well minimum marked.
 */
export function potentialSvg(k: number, phi: number, width = 560, height = 300): string {
  const M = 400;
  const r: number[] = [];
  const u: number[] = [];
  for (let i = 0; i <= M; i++) {
    const x = R_MIN + ((R_MAX - R_MIN) * i) / M;
    r.push(x);
    u.push(oppEnergy(x, { k, phi }));
  }
  let iMin = 0;
  for (let i = 1; i <= M; i++) if (u[i]! < u[iMin]!) iMin = i;
  const yMinRaw = Math.min(-0.2, u[iMin]!);
  const yStep = niceStep(1.5 - yMinRaw, 5);
  const yMin = Math.floor((yMinRaw - 0.05) / yStep) * yStep;
  const yMax = Math.max(1.5, Math.ceil(1 / yStep) * yStep);
  const left = 62, right = 16, top = 30, bottom = 46;
  const pw = width - left - right, ph = height - top - bottom;
  const X = (x: number) => left + ((x - R_MIN) / (R_MAX - R_MIN)) * pw;
  const Y = (y: number) => top + ((yMax - Math.min(Math.max(y, yMin - 1), yMax + 1)) / (yMax - yMin)) * ph;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="potential-plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-label="pair potential U(r)">`);
  out.push(`<defs><clipPath id="u-clip"><rect x="${left}" y="${top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="white" stroke="#444"/>`);
  const xStep = 0.25;
  for (let x = 1; x <= R_MAX + 1e-9; x += xStep) {
    const gx = X(x);
    out.push(`<line x1="${f(gx)}" y1="${top}" x2="${f(gx)}" y2="${top + ph}" stroke="#eee"/>`);
    if (Math.abs(x * 2 - Math.round(x * 2)) < 1e-9) out.push(`<text x="${f(gx)}" y="${top + ph + 16}" text-anchor="middle">${x.toFixed(1)}</text>`);
  }
  const yDecimals = Math.max(0, -Math.floor(Math.log10(yStep) + 1e-9));
  for (let y = yMin; y <= yMax + 1e-9; y += yStep) {
    const gy = Y(y);
    out.push(`<line x1="${left}" y1="${f(gy)}" x2="${left + pw}" y2="${f(gy)}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${f(gy + 4)}" text-anchor="end">${(Math.abs(y) < 1e-12 ? 0 : y).toFixed(yDecimals)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${f(Y(0))}" x2="${left + pw}" y2="${f(Y(0))}" stroke="#888" stroke-dasharray="4 3"/>`);
  const pts = r.map((x, i) => `${f(X(x))},${f(Y(u[i]!))}`).join(' ');
  out.push(`<polyline clip-path="url(#u-clip)" fill="none" stroke="#1f77b4" stroke-width="2" points="${pts}"/>`);
  const mx = X(r[iMin]!), my = Y(u[iMin]!);
  out.push(`<circle cx="${f(mx)}" cy="${f(my)}" r="3.5" fill="#d62728"/>`);
  out.push(`<text x="${f(Math.min(mx + 8, left + pw - 110))}" y="${f(Math.min(my + 16, top + ph - 6))}" fill="#d62728">min ${u[iMin]!.toFixed(3)} ε at r = ${r[iMin]!.toFixed(3)} σ</text>`);
  out.push(`<text x="${left + pw / 2}" y="18" text-anchor="middle" font-size="13">${esc(`U(r) = r⁻¹⁵ + r⁻³ cos(k (r − 1.25) − φ),  k = ${k}, φ = ${phi}`)}</text>`);
  out.push(`<text x="${left + pw / 2}" y="${height - 8}" text-anchor="middle" font-size="13">r (σ)</text>`);
  out.push(`<text x="16" y="${top + ph / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${top + ph / 2})">U(r) (ε)</text>`);
  out.push('</svg>');
  return out.join('');
}
