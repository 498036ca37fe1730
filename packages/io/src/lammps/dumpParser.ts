import { IoError } from '../errors';
import { parseInteger, parseReal, splitFields } from '../format/numbers';
import type { Frame, FrameInfoValue, FrameProperty } from '../frame';

/** How positions are stored in a dump: `x y z`, `xs ys zs`, `xu yu zu` or `xsu ysu zsu`. */
export type DumpCoordinates = 'wrapped' | 'scaled' | 'unwrapped' | 'scaled-unwrapped';

const COORD_COLUMNS: Record<DumpCoordinates, [string, string, string]> = {
  wrapped: ['x', 'y', 'z'],
  scaled: ['xs', 'ys', 'zs'],
  unwrapped: ['xu', 'yu', 'zu'],
  'scaled-unwrapped': ['xsu', 'ysu', 'zsu'],
};

/** Column names per coordinate style. @internal */
export const DUMP_COORD_COLUMNS = COORD_COLUMNS;

interface Layout {
  coords: DumpCoordinates;
  pos: [number, number, number];
  id: number;
  type: number;
  element: number;
  /** Extra numeric columns grouped into properties: name, column indices. */
  extras: { name: string; cols: number[] }[];
  width: number;
}

function layout(cols: string[], where: { file: string; line: number }): Layout {
  let coords: DumpCoordinates | undefined;
  let pos: [number, number, number] = [-1, -1, -1];
  for (const c of Object.keys(COORD_COLUMNS) as DumpCoordinates[]) {
    const idx = COORD_COLUMNS[c].map((n) => cols.indexOf(n));
    if (idx.every((i) => i >= 0)) {
      coords = c;
      pos = idx as [number, number, number];
      break;
    }
  }
  if (!coords) {
    throw new IoError(`ITEM: ATOMS columns '${cols.join(' ')}' contain no complete coordinate triple (x y z, xs ys zs, xu yu zu or xsu ysu zsu)`, 'IO_PARSE', where);
  }
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c)) throw new IoError(`ITEM: ATOMS column '${c}' appears twice`, 'IO_PARSE', where);
    seen.add(c);
  }
  const used = new Set<number>([...pos, cols.indexOf('id'), cols.indexOf('type'), cols.indexOf('element')]);
  const extras: { name: string; cols: number[] }[] = [];
  for (let i = 0; i < cols.length; i++) {
    if (used.has(i)) continue;
    const m = /^(.+)\[(\d+)\]$/.exec(cols[i]);
    const last = extras[extras.length - 1];
    if (m && last && last.name === m[1] && Number(m[2]) === last.cols.length + 1 && last.cols[last.cols.length - 1] === i - 1) {
      last.cols.push(i);
    } else if (m && m[2] === '1') extras.push({ name: m[1], cols: [i] });
    else extras.push({ name: cols[i], cols: [i] });
  }
  return { coords, pos, id: cols.indexOf('id'), type: cols.indexOf('type'), element: cols.indexOf('element'), extras, width: cols.length };
}

/**
 * Line-driven LAMMPS text dump reader (`dump atom/custom` style: ITEM: TIMESTEP, NUMBER OF
 * ATOMS, BOX BOUNDS, ATOMS, plus optional UNITS/TIME sections). One frame in memory at a time.
 * @internal
 */
export class DumpFrameParser {
  private state: 'item' | 'value' | 'bounds' | 'atoms' = 'item';
  private section = '';
  private info: Record<string, FrameInfoValue> = {};
  private n = -1;
  private nLine = 0;
  private lo = [0, 0, 0];
  private box: [number, number, number] = [0, 0, 0];
  private pbc: [boolean, boolean, boolean] = [true, true, true];
  private boundsRead = -1;
  private lay!: Layout;
  private atom = 0;
  private ids!: Float64Array;
  private raw!: Float64Array;
  private species?: string[];
  private extras!: Float64Array[];
  private frameStart = 0;

  constructor(private readonly file: string, private readonly sortById = true) {}

  push(line: string, lineNo: number): Frame | null {
    const where = { file: this.file, line: lineNo };
    switch (this.state) {
      case 'item': {
        const t = line.trim();
        if (t.length === 0) return null;
        if (!t.startsWith('ITEM:')) {
          throw new IoError(`expected an 'ITEM:' line, got '${t.slice(0, 60)}'` + (this.nLine > 0 && this.section === 'ATOMS' ? ` (more atom lines than NUMBER OF ATOMS = ${this.n} at line ${this.nLine}?)` : ''), 'IO_PARSE', where);
        }
        const rest = t.slice(5).trim();
        if (this.frameStart === 0) this.beginFrame(lineNo);
        else if (rest === 'TIMESTEP') {
          throw new IoError(`new frame starts before the frame at line ${this.frameStart} has its ITEM: ATOMS`, 'IO_PARSE', where);
        }
        if (rest === 'TIMESTEP') {
          this.section = 'TIMESTEP';
          this.state = 'value';
        } else if (rest === 'NUMBER OF ATOMS') {
          this.section = 'NUMBER OF ATOMS';
          this.state = 'value';
        } else if (rest.startsWith('BOX BOUNDS')) {
          const flags = splitFields(rest.slice(10));
          if (flags.includes('xy') || flags.includes('xz') || flags.includes('yz')) {
            throw new IoError(`triclinic boxes (BOX BOUNDS ${flags.join(' ')}) are not supported; only orthorhombic`, 'IO_UNSUPPORTED', where);
          }
          const bf = flags.length === 3 ? flags : ['pp', 'pp', 'pp'];
          this.pbc = [bf[0] === 'pp', bf[1] === 'pp', bf[2] === 'pp'];
          this.section = 'BOX BOUNDS';
          this.boundsRead = 0;
          this.state = 'bounds';
        } else if (rest.startsWith('ATOMS')) {
          if (this.n < 0) throw new IoError(`ITEM: ATOMS before ITEM: NUMBER OF ATOMS`, 'IO_PARSE', where);
          if (this.boundsRead !== 3) throw new IoError(`ITEM: ATOMS before ITEM: BOX BOUNDS (the box is required)`, 'IO_PARSE', where);
          this.lay = layout(splitFields(rest.slice(5)), where);
          this.section = 'ATOMS';
          this.atom = 0;
          this.ids = new Float64Array(this.n);
          this.raw = new Float64Array(3 * this.n);
          this.species = this.lay.element >= 0 || this.lay.type >= 0 ? new Array<string>(this.n) : undefined;
          this.extras = this.lay.extras.map((e) => new Float64Array(this.n * e.cols.length));
          this.state = 'atoms';
          return this.n === 0 ? this.finish() : null;
        } else {
          // UNITS, TIME or another one-value section: kept as info.
          this.section = rest;
          this.state = 'value';
        }
        return null;
      }
      case 'value': {
        const t = line.trim();
        if (this.section === 'TIMESTEP') {
          const v = parseInteger(t);
          if (Number.isNaN(v)) throw new IoError(`TIMESTEP '${t}' is not an integer`, 'IO_PARSE', where);
          this.info.timestep = v;
        } else if (this.section === 'NUMBER OF ATOMS') {
          const v = parseInteger(t);
          if (!(v >= 0)) throw new IoError(`NUMBER OF ATOMS '${t}' is not a non-negative integer`, 'IO_PARSE', where);
          this.n = v;
          this.nLine = lineNo;
        } else {
          const key = this.section.toLowerCase().replace(/\s+/g, '_');
          const x = parseReal(t);
          this.info[key] = Number.isFinite(x) ? x : t;
        }
        this.state = 'item';
        return null;
      }
      case 'bounds': {
        const f = splitFields(line);
        const d = this.boundsRead;
        const lo = parseReal(f[0] ?? '');
        const hi = parseReal(f[1] ?? '');
        if (f.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi)) {
          if (f[0] === 'ITEM:') throw new IoError(`BOX BOUNDS has ${d} of 3 lines`, 'IO_PARSE', where);
          throw new IoError(`BOX BOUNDS line ${d + 1} must be 'lo hi' (two numbers), got '${line.trim().slice(0, 60)}'`, 'IO_PARSE', where);
        }
        if (!(hi > lo)) throw new IoError(`BOX BOUNDS line ${d + 1}: hi ${hi} must exceed lo ${lo}`, 'IO_PARSE', where);
        this.lo[d] = lo;
        this.box[d] = hi - lo;
        this.boundsRead++;
        if (this.boundsRead === 3) this.state = 'item';
        return null;
      }
      case 'atoms': {
        const f = splitFields(line);
        const L = this.lay;
        if (f.length !== L.width) {
          throw new IoError(
            `atom ${this.atom + 1} of ${this.n}: expected ${L.width} fields, got ${f.length}` +
              (f[0] === 'ITEM:' || f.length === 0 ? ` (fewer atom lines than NUMBER OF ATOMS = ${this.n} at line ${this.nLine}?)` : ''),
            'IO_PARSE',
            where,
          );
        }
        const a = this.atom;
        for (let d = 0; d < 3; d++) {
          const x = parseReal(f[L.pos[d]]);
          if (!Number.isFinite(x)) throw this.fieldError(where, f[L.pos[d]], COORD_COLUMNS[L.coords][d], 'a finite real number');
          this.raw[3 * a + d] = x;
        }
        if (L.id >= 0) {
          const id = parseInteger(f[L.id]);
          if (Number.isNaN(id)) throw this.fieldError(where, f[L.id], 'id', 'an integer');
          this.ids[a] = id;
        } else this.ids[a] = a + 1;
        if (this.species) {
          const s = f[L.element >= 0 ? L.element : L.type];
          if (L.element < 0 && Number.isNaN(parseInteger(s))) throw this.fieldError(where, s, 'type', 'an integer');
          this.species[a] = s;
        }
        for (let e = 0; e < L.extras.length; e++) {
          const cols = L.extras[e].cols;
          for (let c = 0; c < cols.length; c++) {
            const x = parseReal(f[cols[c]]);
            if (!Number.isFinite(x)) throw this.fieldError(where, f[cols[c]], L.extras[e].name, 'a finite real number');
            this.extras[e][a * cols.length + c] = x;
          }
        }
        this.atom++;
        return this.atom === this.n ? this.finish() : null;
      }
    }
  }

  end(lineNo: number): void {
    const where = { file: this.file, line: lineNo };
    if (this.state === 'atoms') throw new IoError(`truncated frame: expected ${this.n} atom lines (NUMBER OF ATOMS at line ${this.nLine}), found ${this.atom}`, 'IO_PARSE', where);
    if (this.frameStart > 0) throw new IoError(`truncated frame starting at line ${this.frameStart}: file ends in section ${this.section} before ITEM: ATOMS is complete`, 'IO_PARSE', where);
  }

  private beginFrame(lineNo: number): void {
    this.frameStart = lineNo;
    this.info = {};
    this.n = -1;
    this.boundsRead = -1;
  }

  private fieldError(where: { file: string; line: number }, text: string, column: string, expected: string): IoError {
    return new IoError(`atom ${this.atom + 1}: field '${text}' of column '${column}' is not ${expected}`, 'IO_PARSE', where);
  }

  private finish(): Frame {
    const n = this.n;
    const L = this.lay;
    // Order atoms by id (dumps are often unsorted); ids 1..N in order need no permutation.
    let order: Int32Array | null = null;
    let plainIds = true;
    for (let i = 0; i < n; i++) if (this.ids[i] !== i + 1) plainIds = false;
    if (!plainIds && this.sortById && L.id >= 0) {
      const o = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.ids[a] - this.ids[b]);
      for (let i = 1; i < n; i++) {
        if (this.ids[o[i]] === this.ids[o[i - 1]]) {
          throw new IoError(`duplicate atom id ${this.ids[o[i]]} in the frame`, 'IO_PARSE', { file: this.file, line: this.frameStart });
        }
      }
      order = Int32Array.from(o);
    }
    const src = (i: number) => (order ? order[i] : i);
    const scaled = L.coords === 'scaled' || L.coords === 'scaled-unwrapped';
    const positions = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const s = src(i);
      for (let d = 0; d < 3; d++) {
        const x = this.raw[3 * s + d];
        positions[3 * i + d] = scaled ? x * this.box[d] : this.lo[d] === 0 ? x : x - this.lo[d];
      }
    }
    const info = this.info;
    info.coordinates = L.coords;
    const frame: Frame = { positions, box: [this.box[0], this.box[1], this.box[2]], info };
    if (this.species) frame.species = order ? Array.from(order, (s) => this.species![s]) : this.species;
    const props: Record<string, FrameProperty> = {};
    let anyProp = false;
    if (L.id >= 0) {
      // Keep ids unless they are exactly 1..N in the returned order.
      const ids = new Float64Array(n);
      let trivial = true;
      for (let i = 0; i < n; i++) {
        ids[i] = this.ids[src(i)];
        if (ids[i] !== i + 1) trivial = false;
      }
      if (!trivial) {
        props.id = { type: 'I', columns: 1, values: ids };
        anyProp = true;
      }
    }
    L.extras.forEach((e, k) => {
      const c = e.cols.length;
      const vals = new Float64Array(n * c);
      for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) vals[i * c + j] = this.extras[k][src(i) * c + j];
      props[e.name] = { type: 'R', columns: c, values: vals };
      anyProp = true;
    });
    if (anyProp) frame.properties = props;
    if (!(this.pbc[0] && this.pbc[1] && this.pbc[2])) frame.pbc = [...this.pbc];
    this.state = 'item';
    this.frameStart = 0;
    return frame;
  }
}
