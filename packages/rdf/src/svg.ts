import { describeValue } from '@mddm/core';
import { RdfError } from './errors';

/** One curve of {@link rdfSvg}. */
export interface RdfCurve {
  /** Legend text (escaped in the output). */
  label: string;
  /** Abscissae `[M]` (LJ length units), e.g. `RdfResult.centers`. */
  r: ArrayLike<number>;
  /** Ordinates `[M]`, e.g. `RdfResult.g`. */
  g: ArrayLike<number>;
  /** Optional stroke color (any SVG color); default from a 10-color palette. */
  color?: string;
}

/** Options of {@link rdfSvg}. */
export interface RdfSvgOptions {
  /** Title above the plot (escaped). */
  title?: string;
  /** Width in px (default 640). */
  width?: number;
  /** Height in px (default 400). */
  height?: number;
  /** x-axis label (default `'r'`). */
  xLabel?: string;
  /** y-axis label (default `'g(r)'`). */
  yLabel?: string;
  /** Upper end of the x axis (default: the largest r rounded up to a tick). */
  xMax?: number;
  /** Upper end of the y axis (default: the largest g rounded up to a tick). */
  yMax?: number;
  /** Draw a dashed line at g = 1 (default true). */
  referenceLine?: boolean;
}

/** Tableau-10 palette: distinct, colorblind-friendly-ish. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** @internal Escape text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` intervals on [0, max]. */
function niceStep(max: number, target: number): number {
  const raw = max / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function fmt(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 10));
}

function positive(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
    throw new RdfError(`rdfSvg: ${name} must be a finite number > 0, got ${describeValue(v)}`, 'RDF_BAD_VALUE');
  }
  return v;
}

/**
 * Plot one or more g(r) curves as a standalone SVG document (a string): axes with ticks and labels,
 * one polyline per curve in distinct colors, a legend, an optional title and a dashed g = 1 line.
 * All text is XML-escaped. Write it to a `.svg` file or inline it in HTML / Markdown.
 *
 * @param curves - one or more curves `{ label, r, g }` (`r` and `g` of equal length >= 1, finite)
 * @param options - title, size in px, axis labels, axis ranges
 * @returns the SVG document
 * @throws {@link RdfError} on an empty curve list, mismatched / empty / non-finite curve data or a bad
 *   size
 *
 * @example
 * ```ts
 * const svg = rdfSvg([{ label: 'MD', r: md.centers, g: md.g }, { label: 'MDDM', r: gen.centers, g: gen.g }], { title: 'g(r)' });
 * writeFileSync('rdf.svg', svg);
 * ```
 */
export function rdfSvg(curves: readonly RdfCurve[], options: RdfSvgOptions = {}): string {
  if (!Array.isArray(curves) || curves.length === 0) {
    throw new RdfError(`rdfSvg: expected a non-empty array of curves { label, r, g }, got ${describeValue(curves)}`, 'RDF_EMPTY');
  }
  const width = positive(options.width ?? 640, 'width');
  const height = positive(options.height ?? 400, 'height');
  let rMaxData = 0, gMaxData = 0;
  curves.forEach((c, k) => {
    if (c === null || typeof c !== 'object') throw new RdfError(`rdfSvg: curves[${k}] must be an object { label, r, g }, got ${describeValue(c)}`, 'RDF_BAD_VALUE');
    if (typeof c.label !== 'string') throw new RdfError(`rdfSvg: curves[${k}].label must be a string, got ${describeValue(c.label)}`, 'RDF_BAD_VALUE');
    const r = c.r, g = c.g;
    if (!r || !g || typeof r.length !== 'number' || typeof g.length !== 'number') {
      throw new RdfError(`rdfSvg: curves[${k}] needs arrays r and g`, 'RDF_BAD_VALUE');
    }
    if (r.length !== g.length) throw new RdfError(`rdfSvg: curves[${k}] ("${c.label}") has ${r.length} r values but ${g.length} g values; they must match`, 'RDF_MISMATCH');
    if (r.length === 0) throw new RdfError(`rdfSvg: curves[${k}] ("${c.label}") is empty`, 'RDF_BAD_VALUE');
    for (let i = 0; i < r.length; i++) {
      const x = r[i], y = g[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new RdfError(`rdfSvg: curves[${k}].r[${i}] must be finite, got ${describeValue(x)}`, 'RDF_BAD_VALUE');
      if (typeof y !== 'number' || !Number.isFinite(y)) throw new RdfError(`rdfSvg: curves[${k}].g[${i}] must be finite, got ${describeValue(y)}`, 'RDF_BAD_VALUE');
      if (x > rMaxData) rMaxData = x;
      if (y > gMaxData) gMaxData = y;
    }
  });
  const xRaw = options.xMax !== undefined ? positive(options.xMax, 'xMax') : rMaxData > 0 ? rMaxData : 1;
  const xStep = niceStep(xRaw, 5);
  // default: round the data range up to the next tick (bin centers 0.025 .. 4.975 -> axis 0 .. 5)
  const xMax = options.xMax !== undefined ? xRaw : Math.ceil(xRaw / xStep - 1e-9) * xStep;
  const yRaw = options.yMax !== undefined ? positive(options.yMax, 'yMax') : Math.max(gMaxData, 1) * 1.05;
  const yStep = niceStep(yRaw, 5);
  const yMax = options.yMax !== undefined ? yRaw : Math.ceil(yRaw / yStep - 1e-9) * yStep;

  const title = options.title;
  const left = 62, right = 16, top = title ? 40 : 16, bottom = 48;
  const pw = Math.max(width - left - right, 10), ph = Math.max(height - top - bottom, 10);
  const X = (v: number) => left + (Math.min(Math.max(v, 0), xMax) / xMax) * pw;
  const Y = (v: number) => top + ph - (Math.min(Math.max(v, 0), yMax) / yMax) * ph;
  const p = (v: number) => (Math.round(v * 100) / 100).toString();

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${p(width)}" height="${p(height)}" viewBox="0 0 ${p(width)} ${p(height)}" font-family="sans-serif" font-size="12">`);
  if (title) out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${p(width)}" height="${p(height)}" fill="white"/>`);
  if (title) out.push(`<text x="${p(left + pw / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  // ticks and grid
  out.push('<g class="ticks" stroke="#000" stroke-width="1">');
  const nx = Math.floor(xMax / xStep + 1e-9), ny = Math.floor(yMax / yStep + 1e-9);
  for (let i = 0; i <= nx; i++) {
    const x = X(i * xStep);
    out.push(`<line x1="${p(x)}" y1="${p(top + ph)}" x2="${p(x)}" y2="${p(top + ph + 5)}"/>`);
    out.push(`<line x1="${p(x)}" y1="${p(top)}" x2="${p(x)}" y2="${p(top + ph)}" stroke="#e5e5e5"/>`);
  }
  for (let i = 0; i <= ny; i++) {
    const y = Y(i * yStep);
    out.push(`<line x1="${p(left - 5)}" y1="${p(y)}" x2="${p(left)}" y2="${p(y)}"/>`);
    out.push(`<line x1="${p(left)}" y1="${p(y)}" x2="${p(left + pw)}" y2="${p(y)}" stroke="#e5e5e5"/>`);
  }
  out.push('</g>');
  out.push('<g class="tick-labels" fill="#000">');
  for (let i = 0; i <= nx; i++) {
    out.push(`<text x="${p(X(i * xStep))}" y="${p(top + ph + 18)}" text-anchor="middle">${fmt(i * xStep, xStep)}</text>`);
  }
  for (let i = 0; i <= ny; i++) {
    out.push(`<text x="${p(left - 8)}" y="${p(Y(i * yStep) + 4)}" text-anchor="end">${fmt(i * yStep, yStep)}</text>`);
  }
  out.push('</g>');
  // axes
  out.push(`<path class="axes" d="M${p(left)},${p(top)} V${p(top + ph)} H${p(left + pw)}" fill="none" stroke="#000" stroke-width="1.2"/>`);
  out.push(`<text class="x-label" x="${p(left + pw / 2)}" y="${p(height - 10)}" text-anchor="middle" font-size="14">${escapeXml(options.xLabel ?? 'r')}</text>`);
  out.push(`<text class="y-label" x="16" y="${p(top + ph / 2)}" text-anchor="middle" font-size="14" transform="rotate(-90 16 ${p(top + ph / 2)})">${escapeXml(options.yLabel ?? 'g(r)')}</text>`);
  if (options.referenceLine !== false && yMax >= 1) {
    out.push(`<line class="reference" x1="${p(left)}" y1="${p(Y(1))}" x2="${p(left + pw)}" y2="${p(Y(1))}" stroke="#888" stroke-dasharray="4 3"/>`);
  }
  // curves
  curves.forEach((c, k) => {
    const color = escapeXml(c.color ?? PALETTE[k % PALETTE.length]);
    const pts: string[] = new Array(c.r.length);
    for (let i = 0; i < c.r.length; i++) pts[i] = `${p(X(c.r[i]))},${p(Y(c.g[i]))}`;
    out.push(`<polyline class="curve" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round" points="${pts.join(' ')}"><title>${escapeXml(c.label)}</title></polyline>`);
  });
  // legend (top right)
  const lineH = 18;
  const longest = curves.reduce((m, c) => Math.max(m, c.label.length), 0);
  const lw = Math.min(36 + 7 * longest, pw);
  const lx = left + pw - lw - 8, ly = top + 8;
  out.push(`<g class="legend"><rect x="${p(lx)}" y="${p(ly)}" width="${p(lw)}" height="${p(lineH * curves.length + 8)}" fill="white" fill-opacity="0.85" stroke="#999"/>`);
  curves.forEach((c, k) => {
    const color = escapeXml(c.color ?? PALETTE[k % PALETTE.length]);
    const y = ly + 4 + lineH * k + lineH / 2;
    out.push(`<line x1="${p(lx + 6)}" y1="${p(y)}" x2="${p(lx + 26)}" y2="${p(y)}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${p(lx + 32)}" y="${p(y + 4)}">${escapeXml(c.label)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
