import { IoError } from '../errors';

/** A stream the progress bar writes to (e.g. `process.stderr`); `isTTY` selects the display mode. */
export interface ProgressStream {
  /** Writes text (no newline added). */
  write(text: string): unknown;
  /** True for a terminal: the bar is redrawn in place. */
  isTTY?: boolean;
  /** Terminal width; longer lines are cut. */
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Text before the bar, e.g. `'generate'`. */
  label?: string;
  /** Output stream, default `process.stderr`. */
  stream?: ProgressStream | NodeJS.WriteStream;
  /** Force TTY mode (redrawn single line) or plain mode (one line per update); default `stream.isTTY`. */
  tty?: boolean;
  /** Bar width in characters (TTY mode), default 24. */
  width?: number;
  /** Minimum milliseconds between redraws in TTY mode, default 100. */
  redrawIntervalMs?: number;
  /** Minimum milliseconds between lines in plain mode (the final line is always written), default 2000; 0 = a line per tick. */
  plainIntervalMs?: number;
  /** Clock in milliseconds (for tests), default `performance.now`. */
  now?: () => number;
}

/**
 * Progress display with ETA. On a TTY it redraws one line (`\r`, throttled); otherwise (CI logs,
 * files) it writes plain lines, at most one per `plainIntervalMs`. The ETA is the mean time per
 * item so far times the items left.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(200, { label: 'train' });
 * for (let i = 0; i < 200; i++) { step(); bar.tick(1, `loss ${loss.toFixed(4)}`); }
 * bar.done();
 * ```
 */
export class ProgressBar {
  /** Total number of items (> 0). */
  readonly total: number;
  private readonly label: string;
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly width: number;
  private readonly redrawMs: number;
  private readonly plainMs: number;
  private readonly now: () => number;
  private readonly start: number;
  private count = 0;
  private extra = '';
  private lastDraw = -Infinity;
  private drawnLength = 0;
  private finished = false;

  /**
   * @param total - number of items (positive integer)
   * @param options - label, stream and display options
   * @throws {@link IoError} `IO_BAD_ARGUMENT` when `total` is not a positive integer
   */
  constructor(total: number, options: ProgressBarOptions = {}) {
    if (!Number.isSafeInteger(total) || total < 0) throw new IoError(`ProgressBar: total must be a non-negative integer, got ${total}`, 'IO_BAD_ARGUMENT');
    this.total = total;
    this.label = options.label ?? '';
    this.stream = (options.stream ?? process.stderr) as ProgressStream;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.width = options.width ?? 24;
    this.redrawMs = options.redrawIntervalMs ?? 100;
    this.plainMs = options.plainIntervalMs ?? 2000;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Items completed so far. */
  get value(): number {
    return this.count;
  }

  /** Seconds since construction. */
  elapsed(): number {
    return (this.now() - this.start) / 1000;
  }

  /** Estimated seconds left (mean time per item so far times items left); undefined before the first item. */
  eta(): number | undefined {
    if (this.count === 0) return undefined;
    return (this.elapsed() / this.count) * Math.max(0, this.total - this.count);
  }

  /**
   * Advances by `n` items (default 1) and redraws (throttled).
   * @param n - items completed since the last call (non-negative)
   * @param extra - short status text shown after the counters (e.g. the current loss)
   */
  tick(n = 1, extra?: string): void {
    if (!(Number.isFinite(n) && n >= 0)) throw new IoError(`ProgressBar.tick: n must be a non-negative number, got ${n}`, 'IO_BAD_ARGUMENT');
    this.count = Math.min(this.total, this.count + n);
    if (extra !== undefined) this.extra = extra;
    this.draw(this.count >= this.total);
  }

  /**
   * Prints a message on its own line without garbling the bar (the bar is redrawn after it in TTY mode).
   * @param message - text to print
   */
  log(message: string): void {
    if (this.tty && this.drawnLength > 0) this.stream.write('\r\x1b[K');
    this.stream.write(message + '\n');
    this.drawnLength = 0;
    if (this.tty && !this.finished) this.draw(true);
  }

  /**
   * Final draw (always written) and newline in TTY mode. Further calls are no-ops.
   * @param extra - final status text
   */
  done(extra?: string): void {
    if (this.finished) return;
    if (extra !== undefined) this.extra = extra;
    this.draw(true);
    this.finished = true;
    if (this.tty) this.stream.write('\n');
  }

  /** The status line as text (without control characters). */
  render(): string {
    const frac = this.total === 0 ? 1 : this.count / this.total;
    const el = this.elapsed();
    const eta = this.eta();
    const parts: string[] = [];
    if (this.label) parts.push(this.label);
    if (this.tty) {
      const filled = Math.round(frac * this.width);
      parts.push('[' + '#'.repeat(filled) + '.'.repeat(this.width - filled) + ']');
    }
    parts.push(`${this.count}/${this.total}`, `${(100 * frac).toFixed(1)}%`, `elapsed ${formatDuration(el)}`);
    if (this.count < this.total) parts.push(`ETA ${eta === undefined ? '--:--' : formatDuration(eta)}`);
    if (this.count > 0) {
      const per = el / this.count;
      parts.push(per >= 1 ? `${per.toFixed(1)} s/it` : `${(1 / Math.max(per, 1e-9)).toFixed(1)} it/s`);
    }
    if (this.extra) parts.push(this.extra);
    return parts.join(' ');
  }

  private draw(force: boolean): void {
    if (this.finished) return;
    const t = this.now();
    const interval = this.tty ? this.redrawMs : this.plainMs;
    if (!force && t - this.lastDraw < interval) return;
    this.lastDraw = t;
    let line = this.render();
    if (this.tty) {
      const cols = this.stream.columns;
      if (cols && line.length > cols - 1) line = line.slice(0, cols - 1);
      this.stream.write('\r' + line + '\x1b[K');
      this.drawnLength = line.length;
    } else {
      this.stream.write(line + '\n');
    }
  }
}

/** `h:mm:ss` or `m:ss`. @internal */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}
