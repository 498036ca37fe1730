import { describe, expect, it } from 'vitest';
import { IoError, ProgressBar } from '../src/index';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } };
}

describe('ProgressBar', () => {
  it('plain mode: one line per update (throttled), ETA from the mean time per item', () => {
    let t = 0;
    const { out, stream } = sink(false);
    const bar = new ProgressBar(4, { label: 'gen', stream, now: () => t, plainIntervalMs: 0 });
    t = 10_000;
    bar.tick(1, 'a');
    expect(out[0]).toBe('gen 1/4 25.0% elapsed 0:10 ETA 0:30 10.0 s/it a\n');
    expect(bar.eta()).toBe(30);
    t = 20_000;
    bar.tick(3);
    expect(out[1]).toBe('gen 4/4 100.0% elapsed 0:20 5.0 s/it a\n');
    bar.done();
    bar.done();
    expect(out).toHaveLength(3);
  });

  it('plain mode throttles lines but always writes the last one', () => {
    let t = 0;
    const { out, stream } = sink(false);
    const bar = new ProgressBar(100, { stream, now: () => t });
    for (let i = 0; i < 100; i++) {
      t += 10; // 1 s total, below the 2 s interval
      bar.tick();
    }
    expect(out).toHaveLength(2); // first tick + final
    expect(out[1]).toMatch(/^100\/100 100\.0% elapsed 0:01 100\.0 it\/s\n$/);
  });

  it('TTY mode redraws one line with a bar, logs above it, and ends with a newline', () => {
    let t = 0;
    const { out, stream } = sink(true);
    const bar = new ProgressBar(2, { label: 'x', stream, width: 4, now: () => t });
    t = 3_600_000;
    bar.tick();
    expect(out[0]).toBe('\rx [##..] 1/2 50.0% elapsed 1:00:00 ETA 1:00:00 3600.0 s/it\x1b[K');
    bar.log('FAILED y');
    expect(out.slice(1, 3)).toEqual(['\r\x1b[K', 'FAILED y\n']);
    expect(out[3]).toMatch(/^\rx \[##\.\.\] 1\/2/);
    bar.done();
    expect(out[out.length - 1]).toBe('\n');
  });

  it('rejects bad totals and counts', () => {
    expect(() => new ProgressBar(-1)).toThrow(IoError);
    expect(() => new ProgressBar(1.5)).toThrow(/total must be a non-negative integer, got 1.5/);
    expect(() => new ProgressBar(3, { stream: sink(false).stream }).tick(NaN)).toThrow(/n must be a non-negative number, got NaN/);
  });
});
