import { describe, expect, it } from 'vitest';
import { RdfError, rdf, rdfSvg } from '@mddm/rdf';
import { uniformPoints } from './helpers';

/** Minimal XML well-formedness check: balanced tags, quoted attributes, only known entity references. */
function checkXml(s: string): void {
  const stack: string[] = [];
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = s.slice(i, lt === -1 ? s.length : lt);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & in text: ${text}`);
    if (text.includes('>')) throw new Error(`bare > in text: ${text}`);
    if (lt === -1) break;
    const gt = s.indexOf('>', lt);
    if (gt === -1) throw new Error('unterminated tag');
    const tag = s.slice(lt + 1, gt);
    if (tag.includes('<')) throw new Error(`< inside tag: ${tag}`);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`closing </${name}> but open <${open}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*$/.exec(body);
      if (!m) throw new Error(`malformed tag <${tag}>`);
      if (!selfClosing) stack.push(m[1]);
    }
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
}

describe('rdfSvg', () => {
  const a = rdf(uniformPoints(300, 10, 1), 10), b = rdf(uniformPoints(300, 10, 2), 10);
  const curves = [
    { label: 'MD <replica> & co', r: a.centers, g: a.g },
    { label: "MDDM 'sample'", r: b.centers, g: b.g },
    { label: 'third "curve"', r: [0.5, 1, 2], g: [0, 3.5, 1] },
  ];

  it('is a well-formed standalone SVG with axes, labels, legend, title and one polyline per curve', () => {
    const svg = rdfSvg(curves, { title: 'g(r) <test> & "quotes"' });
    expect(() => checkXml(svg)).not.toThrow();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('MD &lt;replica&gt; &amp; co');
    expect(svg).toContain('MDDM &apos;sample&apos;');
    expect(svg).toContain('third &quot;curve&quot;');
    expect(svg).toContain('g(r) &lt;test&gt; &amp; &quot;quotes&quot;');
    expect(svg).toContain('>r</text>');
    expect(svg).toContain('>g(r)</text>');
    const polylines = svg.match(/<polyline [^>]*>/g) ?? [];
    expect(polylines.length).toBe(3);
    const colors = polylines.map((p) => /stroke="([^"]+)"/.exec(p)![1]);
    expect(new Set(colors).size).toBe(3);
    const pts = /points="([^"]+)"/.exec(polylines[0] as string)![1].trim().split(' ');
    expect(pts.length).toBe(100);
    for (const p of pts) expect(p).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
    // tick labels along x: 0 .. 5 (data up to 4.975, axis rounded up to the next tick)
    for (const t of ['0', '1', '4', '5']) expect(svg).toContain(`>${t}</text>`);
    expect(svg).not.toContain('>6</text>');
    expect(() => checkXml('<a><b></a></b>')).toThrow(); // the checker itself can fail
    expect(() => checkXml('<a>x & y</a>')).toThrow();
  });

  it('maps data into the plot area (higher g -> smaller y), respects size and options', () => {
    const svg = rdfSvg([{ label: 'x', r: [0, 1, 2], g: [0, 2, 1] }], { width: 300, height: 200, xLabel: 'r / sigma', yLabel: 'g', referenceLine: false });
    expect(() => checkXml(svg)).not.toThrow();
    expect(svg).toContain('width="300" height="200"');
    expect(svg).toContain('>r / sigma</text>');
    expect(svg).not.toContain('class="reference"');
    const pts = /points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(pts[1][0]).toBeGreaterThan(pts[0][0]);
    expect(pts[1][1]).toBeLessThan(pts[2][1]);
    expect(pts[2][1]).toBeLessThan(pts[0][1]);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(300);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(200);
    }
    expect(rdfSvg([{ label: 'x', r: [0, 1], g: [0, 2] }])).toContain('class="reference"');
    expect(rdfSvg([{ label: 'flat', r: [1], g: [0] }])).toContain('<polyline');
  });

  it('rejects bad input with RdfError', () => {
    expect(() => rdfSvg([])).toThrow(RdfError);
    expect(() => rdfSvg([{ label: 'x', r: [1, 2], g: [1] }])).toThrow(/2 r values but 1 g values/);
    expect(() => rdfSvg([{ label: 'x', r: [], g: [] }])).toThrow(RdfError);
    expect(() => rdfSvg([{ label: 'x', r: [1], g: [NaN] }])).toThrow(/g\[0\] must be finite/);
    expect(() => rdfSvg([{ label: 3 as never, r: [1], g: [1] }])).toThrow(RdfError);
    expect(() => rdfSvg([{ label: 'x', r: [1], g: [1] }], { width: 0 })).toThrow(/width/);
  });
});
