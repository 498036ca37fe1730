import { IoError } from '../errors';
import { parseInteger, parseReal } from '../format/numbers';
import type { Frame, FrameInfoValue, FrameProperty } from '../frame';
import { infoValue, parseLogical, tokenizeKeyValues } from './keyValue';

/** One column group of the `Properties` key, e.g. `pos:R:3`. @internal */
export interface PropertySpec {
  name: string;
  type: 'R' | 'I' | 'S' | 'L';
  columns: number;
}

/** Parses `species:S:1:pos:R:3:...` into column groups. @internal */
export function parseProperties(text: string, where: { file: string; line: number }): PropertySpec[] {
  const parts = text.split(':');
  if (parts.length % 3 !== 0 || parts.length === 0) {
    throw new IoError(`Properties='${text}' must be name:type:columns triples (e.g. species:S:1:pos:R:3)`, 'IO_PARSE', where);
  }
  const specs: PropertySpec[] = [];
  for (let i = 0; i < parts.length; i += 3) {
    const name = parts[i];
    const type = parts[i + 1].toUpperCase();
    const columns = parseInteger(parts[i + 2]);
    if (name.length === 0 || !['R', 'I', 'S', 'L'].includes(type) || !(columns >= 1)) {
      throw new IoError(`Properties entry '${parts.slice(i, i + 3).join(':')}' must be name:R|I|S|L:columns (columns >= 1)`, 'IO_PARSE', where);
    }
    specs.push({ name, type: type as PropertySpec['type'], columns });
  }
  return specs;
}

const RESERVED = new Set(['lattice', 'properties', 'pbc', 'origin']);

interface Header {
  box: [number, number, number];
  origin: [number, number, number];
  pbc?: [boolean, boolean, boolean];
  specs: PropertySpec[];
  info: Record<string, FrameInfoValue>;
  fieldsPerLine: number;
  posSpec: number;
  speciesSpec: number;
}

/** Parses an extended XYZ comment line. @internal */
export function parseXyzHeader(line: string, where: { file: string; line: number }): Header {
  const toks = tokenizeKeyValues(line, where);
  let lattice: string | undefined;
  let properties = 'species:S:1:pos:R:3';
  let pbcText: string | undefined;
  let originText: string | undefined;
  const info: Record<string, FrameInfoValue> = {};
  for (const t of toks) {
    const lk = t.key.toLowerCase();
    if (RESERVED.has(lk)) {
      if (t.value === undefined) throw new IoError(`key '${t.key}' needs a value`, 'IO_PARSE', where);
      if (lk === 'lattice') lattice = t.value;
      else if (lk === 'properties') properties = t.value;
      else if (lk === 'pbc') pbcText = t.value;
      else originText = t.value;
    } else {
      if (Object.prototype.hasOwnProperty.call(info, t.key)) throw new IoError(`key '${t.key}' appears twice in the comment line`, 'IO_PARSE', where);
      info[t.key] = infoValue(t);
    }
  }
  if (lattice === undefined) {
    throw new IoError(`missing Lattice="Lx 0 0 0 Ly 0 0 0 Lz" in the comment line (a periodic box is required)`, 'IO_PARSE', where);
  }
  const lv = lattice.trim().split(/[\s,]+/).map(parseReal);
  if (lv.length !== 9 || lv.some((x) => !Number.isFinite(x))) {
    throw new IoError(`Lattice="${lattice}" must hold 9 numbers (three cell vectors)`, 'IO_PARSE', where);
  }
  if (lv[1] !== 0 || lv[2] !== 0 || lv[3] !== 0 || lv[5] !== 0 || lv[6] !== 0 || lv[7] !== 0) {
    throw new IoError(`Lattice="${lattice}" is not orthorhombic (off-diagonal entries must be 0); triclinic cells are not supported`, 'IO_UNSUPPORTED', where);
  }
  const box: [number, number, number] = [lv[0], lv[4], lv[8]];
  if (!box.every((x) => x > 0)) throw new IoError(`Lattice="${lattice}" must have positive box lengths, got [${box.join(', ')}]`, 'IO_PARSE', where);
  let origin: [number, number, number] = [0, 0, 0];
  if (originText !== undefined) {
    const o = originText.trim().split(/[\s,]+/).map(parseReal);
    if (o.length !== 3 || o.some((x) => !Number.isFinite(x))) throw new IoError(`Origin="${originText}" must hold 3 numbers`, 'IO_PARSE', where);
    origin = [o[0], o[1], o[2]];
  }
  let pbc: [boolean, boolean, boolean] | undefined;
  if (pbcText !== undefined) {
    const b = pbcText.trim().split(/[\s,]+/).map(parseLogical);
    if (b.length !== 3 || b.some((x) => x === undefined)) throw new IoError(`pbc="${pbcText}" must hold 3 logicals (T/F)`, 'IO_PARSE', where);
    if (!(b[0] && b[1] && b[2])) pbc = b as [boolean, boolean, boolean];
  }
  const specs = parseProperties(properties, where);
  let posSpec = -1;
  let speciesSpec = -1;
  let fieldsPerLine = 0;
  specs.forEach((s, i) => {
    fieldsPerLine += s.columns;
    const ln = s.name.toLowerCase();
    if ((ln === 'pos' || ln === 'positions') && posSpec < 0) posSpec = i;
    if (ln === 'species' && speciesSpec < 0) speciesSpec = i;
  });
  if (posSpec < 0 || specs[posSpec].type !== 'R' || specs[posSpec].columns !== 3) {
    throw new IoError(`Properties='${properties}' must contain pos:R:3`, 'IO_PARSE', where);
  }
  if (speciesSpec >= 0 && (specs[speciesSpec].type !== 'S' || specs[speciesSpec].columns !== 1)) {
    throw new IoError(`Properties='${properties}': species must be species:S:1`, 'IO_PARSE', where);
  }
  return { box, origin, pbc, specs, info, fieldsPerLine, posSpec, speciesSpec };
}

/**
 * Line-driven extended XYZ reader: feed lines with {@link XyzFrameParser.push}, which returns a
 * frame when one is complete; call {@link XyzFrameParser.end} at end of input. Memory is one frame.
 * @internal
 */
export class XyzFrameParser {
  private state: 'count' | 'comment' | 'atoms' = 'count';
  private n = 0;
  private countLine = 0;
  private atom = 0;
  private header!: Header;
  private positions!: Float64Array;
  private species?: string[];
  private props: (FrameProperty | null)[] = [];

  constructor(private readonly file: string) {}

  /** Consumes one line (without its newline); returns a completed frame or null. */
  push(line: string, lineNo: number): Frame | null {
    const where = { file: this.file, line: lineNo };
    if (this.state === 'count') {
      const t = line.trim();
      if (t.length === 0) return null;
      const n = parseInteger(t);
      if (!(n >= 0)) {
        throw new IoError(
          `expected the atom count of a new frame, got '${t.slice(0, 60)}'` +
            (this.countLine > 0 ? ` (more atom lines than the count ${this.n} at line ${this.countLine}?)` : ''),
          'IO_PARSE',
          where,
        );
      }
      this.n = n;
      this.countLine = lineNo;
      this.state = 'comment';
      return null;
    }
    if (this.state === 'comment') {
      this.header = parseXyzHeader(line, where);
      this.positions = new Float64Array(3 * this.n);
      this.species = this.header.speciesSpec >= 0 ? new Array<string>(this.n) : undefined;
      this.props = this.header.specs.map((s, i) => {
        if (i === this.header.posSpec || i === this.header.speciesSpec) return null;
        const len = this.n * s.columns;
        if (s.type === 'R' || s.type === 'I') return { type: s.type, columns: s.columns, values: new Float64Array(len) } as FrameProperty;
        if (s.type === 'S') return { type: 'S', columns: s.columns, values: new Array<string>(len) };
        return { type: 'L', columns: s.columns, values: new Array<boolean>(len) };
      });
      this.atom = 0;
      this.state = 'atoms';
      return this.n === 0 ? this.finishFrame() : null;
    }
    const f = line.trim().split(/\s+/);
    const h = this.header;
    if (f.length !== h.fieldsPerLine || (f.length === 1 && f[0] === '')) {
      const got = f[0] === '' ? 0 : f.length;
      throw new IoError(
        `atom ${this.atom + 1} of ${this.n}: expected ${h.fieldsPerLine} fields (${h.specs.map((s) => `${s.name}:${s.type}:${s.columns}`).join(':')}), got ${got}` +
          (got === 0 || got === 1 ? ` (fewer atom lines than the count ${this.n} at line ${this.countLine}?)` : ''),
        'IO_PARSE',
        where,
      );
    }
    const a = this.atom;
    let c = 0;
    for (let s = 0; s < h.specs.length; s++) {
      const spec = h.specs[s];
      if (s === h.posSpec) {
        for (let d = 0; d < 3; d++) {
          const x = parseReal(f[c + d]);
          if (!Number.isFinite(x)) throw this.fieldError(where, f[c + d], spec.name, 'a finite real number');
          this.positions[3 * a + d] = h.origin[d] === 0 ? x : x - h.origin[d];
        }
      } else if (s === h.speciesSpec) {
        this.species![a] = f[c];
      } else {
        const p = this.props[s]!;
        for (let d = 0; d < spec.columns; d++) {
          const txt = f[c + d];
          const k = a * spec.columns + d;
          if (p.type === 'R' || p.type === 'I') {
            const x = p.type === 'R' ? parseReal(txt) : parseInteger(txt);
            if (!Number.isFinite(x)) throw this.fieldError(where, txt, spec.name, p.type === 'R' ? 'a finite real number' : 'an integer');
            p.values[k] = x;
          } else if (p.type === 'S') p.values[k] = txt;
          else {
            const b = parseLogical(txt);
            if (b === undefined) throw this.fieldError(where, txt, spec.name, 'a logical (T or F)');
            p.values[k] = b;
          }
        }
      }
      c += spec.columns;
    }
    this.atom++;
    return this.atom === this.n ? this.finishFrame() : null;
  }

  /** Call at end of input: throws if a frame is incomplete. */
  end(lineNo: number): void {
    if (this.state === 'count') return;
    const where = { file: this.file, line: lineNo };
    if (this.state === 'comment') throw new IoError(`truncated frame: file ends after the atom count line ${this.countLine} (no comment line)`, 'IO_PARSE', where);
    throw new IoError(`truncated frame: expected ${this.n} atom lines after line ${this.countLine + 1}, found ${this.atom}`, 'IO_PARSE', where);
  }

  private fieldError(where: { file: string; line: number }, text: string, column: string, expected: string): IoError {
    return new IoError(`atom ${this.atom + 1}: field '${text}' of column '${column}' is not ${expected}`, 'IO_PARSE', where);
  }

  private finishFrame(): Frame {
    const h = this.header;
    const frame: Frame = { positions: this.positions, box: h.box, info: h.info };
    if (this.species) frame.species = this.species;
    const props: Record<string, FrameProperty> = {};
    let any = false;
    h.specs.forEach((s, i) => {
      const p = this.props[i];
      if (p) {
        props[s.name] = p;
        any = true;
      }
    });
    if (any) frame.properties = props;
    if (h.pbc) frame.pbc = h.pbc;
    this.state = 'count';
    return frame;
  }
}
