import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@mddm/data';
import { writeXyz } from '@mddm/io';
import { census, shellOf, structureClass } from '../ordering';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mddm-ordering-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A cubic lattice with a basis, m^3 cells of side a, each site jittered uniformly by +-jitter. */
function lattice(m: number, a: number, basis: number[][], jitter: number, seed = 1): Float64Array {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const out: number[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    for (const b of basis) out.push((i + b[0]) * a + jitter * r(), (j + b[1]) * a + jitter * r(), (k + b[2]) * a + jitter * r());
  }
  return Float64Array.from(out);
}

describe('examples/ordering.ts', () => {
  it('classes a thermal bcc lattice as bcc, a thermal fcc lattice as crystal and uniform points as disordered', () => {
    const bcc = lattice(8, 1.25, [[0, 0, 0], [0.5, 0.5, 0.5]], 0.1);
    expect(structureClass(shellOf(bcc, [10, 10, 10]))).toBe('bcc');
    const fcc = lattice(6, 10 / 6, [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], 0.1);
    const f = shellOf(fcc, [10, 10, 10]);
    expect(f.coordination).toBeGreaterThan(11);
    expect(structureClass(f)).toBe('crystal');
    let s = 7;
    const uniform = Float64Array.from({ length: 3000 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 10);
    expect(structureClass(shellOf(uniform, [10, 10, 10]))).toBe('disordered');
  });

  it('census pairs every MD frame of a set (original and replicas) with every sample of that set', async () => {
    // a "sample" that is one of the MD frames of opp-test 0019 (all four MD frames there are bcc)
    const md = [...(await loadDataset('opp-test')), ...(await loadDataset('opp-test-replicas'))].filter((c) => String(c.info.id).startsWith('0019'));
    expect(md).toHaveLength(4);
    const classes = md.map((c) => structureClass(shellOf(c.positions, c.box)));
    await writeXyz(join(dir, 'opp-test__0019_k8.4319_phi3.4954_T0.02816_seed0_h0.xyz'), [{ positions: md[1].positions, box: md[1].box, info: {} } as never]);
    const { counts, perSet } = await census(dir);
    expect(perSet).toEqual([{ key: 'opp-test__0019', md: classes, samples: [classes[1]] }]);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(4);
    expect(counts[`${classes[1]} -> ${classes[1]}`]).toBeGreaterThanOrEqual(1);
  });
});

describe('examples/structureConditions.ts', () => {
  it('totalVariation: closed forms', async () => {
    const { totalVariation } = await import('../structureConditions');
    expect(totalVariation(['bcc', 'bcc'], ['bcc'])).toBe(0);
    expect(totalVariation(['bcc'], ['crystal'])).toBe(1);
    expect(totalVariation(['bcc', 'crystal'], ['bcc', 'disordered', 'disordered', 'disordered'])).toBeCloseTo(0.75, 12);
  });

  it('cross-validation holds out whole parameter sets and scores their neighbours (hand-computed on 5 frames)', async () => {
    const { drawCrossValidation, withStructureConditions } = await import('../structureConditions');
    const bcc = lattice(8, 1.25, [[0, 0, 0], [0.5, 0.5, 0.5]], 0.1);
    const fcc = lattice(6, 10 / 6, [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], 0.1);
    const box: [number, number, number] = [10, 10, 10];
    const at = (positions: Float64Array, k: number) => ({ positions, box, info: { k, phi: 1, T: 0.03 } });
    // bcc at k = 2 (two runs: one set), bcc at k = 3, fcc at k = 13 and k = 14
    const frames = [at(bcc, 2), at(bcc, 2), at(bcc, 3), at(fcc, 13), at(fcc, 14)];
    const rows = drawCrossValidation(frames, [1, 2], [1]);
    expect(rows.map((r) => r.sets)).toEqual([4, 4]);
    // M = 1: every held-out set's nearest other frame has its class (k 2 <-> 3, 13 <-> 14): 0
    expect(rows[0].meanTv).toBe(0);
    // M = 2: k 2 set -> {k 3 bcc, k 13 fcc}: 0.5; k 3 -> {k 2 bcc, k 2 bcc}: 0; k 13 -> {k 14 fcc, k 3 bcc}: 0.5; k 14 -> {k 13, k 3}: 0.5
    expect(rows[1].meanTv).toBeCloseTo(1.5 / 4, 12);
    const withShell = withStructureConditions([at(bcc, 2)]);
    expect(withShell[0].info).toEqual({ k: 2, phi: 1, T: 0.03, ...shellOf(bcc, box) });
  });
});

describe('examples/retrieval.ts', () => {
  it('nearestFrames: nearest first, frames at the requested parameters left out, k weighted by kScale', async () => {
    const { nearestFrames } = await import('../retrieval');
    const at = (k: number, phi: number, T: number) => ({ positions: new Float64Array(3), box: [10, 10, 10] as [number, number, number], info: { k, phi, T } });
    const pool = [at(7, 1, 0.03), at(8, 1, 0.03), at(7, 1.5, 0.03), at(3, 1, 0.03), at(7, 1, 0.05)];
    // from (7, 1, 0.03): itself excluded; k 8 is 1/14 = 0.071 away and k 3 4/14 = 0.286 (times kScale), phi 1.5 is
    // 2 sin(0.25) = 0.495, T 0.05 is ln(5/3)/ln 5 = 0.317
    expect(nearestFrames(pool, [7, 1, 0.03], 4, [1, 1, 1])).toEqual([1, 3, 4, 2]);
    expect(nearestFrames(pool, [7, 1, 0.03], 4, [8, 1, 1])).toEqual([4, 2, 1, 3]); // k 8: 8/14 = 0.571 > 0.495; k 3: 2.29
  });
});

describe('examples/retrievalDraw.ts', () => {
  it('wellPositions: both are minima of the oscillation (cos = -1), the first beyond 0.95 and the one before it not', async () => {
    const { wellPositions } = await import('../retrievalDraw');
    for (const [k, phi] of [[1, 0], [7, 1], [15, 6], [2.5, 3.2], [12, 0.01]]) {
      const [r1, r2] = wellPositions(k, phi);
      for (const r of [r1, r2]) expect(Math.cos(k * (r - 1.25) - phi)).toBeCloseTo(-1, 12);
      expect(r1).toBeGreaterThanOrEqual(0.95);
      expect(r1 - (2 * Math.PI) / k).toBeLessThan(0.95);
      expect(r2 - r1).toBeCloseTo((2 * Math.PI) / k, 12);
    }
  });

  it('drawCrossValidation: held-out sets scored against their nearest other frames (brute force on 5 frames)', async () => {
    const { drawCrossValidation } = await import('../retrievalDraw');
    const { rdf, rdfMse } = await import('@mddm/rdf');
    const bcc = lattice(8, 1.25, [[0, 0, 0], [0.5, 0.5, 0.5]], 0.1);
    const bcc2 = lattice(8, 1.25, [[0, 0, 0], [0.5, 0.5, 0.5]], 0.2, 5);
    const fcc = lattice(6, 10 / 6, [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]], 0.1);
    const box: [number, number, number] = [10, 10, 10];
    const at = (positions: Float64Array, k: number, T = 0.03) => ({ positions, box, info: { k, phi: 1, T } });
    // sets: k 2 (bcc, fcc: two frames), k 3 (bcc2), k 13 (fcc, bcc2: two frames); only k 2 and k 13 are held out
    const frames = [at(bcc, 2), at(fcc, 2), at(bcc2, 3), at(fcc, 13), at(bcc2, 13)];
    const g = frames.map((f) => rdf(f.positions, box, { bins: 100, rMax: 5 }));
    const d = (a: number, b: number) => rdfMse(g[a], g[b]);
    const [m1, m2] = drawCrossValidation(frames, [{ distance: 'encoded', neighbours: 1, scale: [1, 1, 1] }, { distance: 'encoded', neighbours: 2, scale: [1, 1, 1] }]);
    expect(m1.sets).toBe(2);
    // M = 1: set k 2 -> frame 2 (k 3); set k 13 -> frame 2 (k 3 is nearer than k 2)
    expect(m1.paperStyle).toBeCloseTo((d(2, 0) + d(2, 3)) / 2, 12);
    expect(m1.paperFloor).toBeCloseTo((d(1, 0) + d(4, 3)) / 2, 12);
    expect(m1.precision).toBeCloseTo((Math.min(d(2, 0), d(2, 1)) + Math.min(d(2, 3), d(2, 4))) / 2, 12);
    expect(m1.coverage).toBeCloseTo(((d(2, 0) + d(2, 1)) / 2 + (d(2, 3) + d(2, 4)) / 2) / 2, 12);
    // M = 2: set k 2 -> frames 2, 3 (k 3, then k 13, index order on the tie 3 / 4); set k 13 -> frames 2, 0
    const ps = ((d(2, 0) + d(3, 0)) / 2 + (d(2, 3) + d(0, 3)) / 2) / 2;
    expect(m2.paperStyle).toBeCloseTo(ps, 12);
    const cov2 = ((Math.min(d(2, 0), d(3, 0)) + Math.min(d(2, 1), d(3, 1))) / 2 + (Math.min(d(2, 3), d(0, 3)) + Math.min(d(2, 4), d(0, 4))) / 2) / 2;
    expect(m2.coverage).toBeCloseTo(cov2, 12);
    expect(m2.paperStyle).not.toBeCloseTo(m1.paperStyle, 6);
    // batchCoverage: a stratified batch of 2 among 2 neighbours uses both (the cross-validation's coverage); an
    // independent one leaves one out half the time: min with probability 3/4, the other 1/4
    const { batchCoverage } = await import('../retrievalDraw');
    const bc = batchCoverage(frames, { distance: 'encoded', neighbours: 2, scale: [1, 1, 1] }, 2);
    expect(bc.sets).toBe(2);
    expect(bc.stratified).toBeCloseTo(m2.coverage, 12);
    const ind = (a: number, b: number) => 0.75 * Math.min(a, b) + 0.25 * Math.max(a, b);
    expect(bc.independent).toBeCloseTo(((ind(d(2, 0), d(3, 0)) + ind(d(2, 1), d(3, 1))) / 2 + (ind(d(2, 3), d(0, 3)) + ind(d(2, 4), d(0, 4))) / 2) / 2, 12);
    // pairedDifference: per-set differences of the two settings (sets 2,... and 13,...), mean and standard error
    const { pairedDifference } = await import('../retrievalDraw');
    const diffs = [(d(2, 0) + d(3, 0)) / 2 - d(2, 0), (d(2, 3) + d(0, 3)) / 2 - d(2, 3)];
    const pd = pairedDifference(m1, m2, 'paperStyle');
    expect(pd.sets).toBe(2);
    expect(pd.mean).toBeCloseTo((diffs[0] + diffs[1]) / 2, 12);
    expect(pd.se).toBeCloseTo(Math.abs(diffs[0] - diffs[1]) / 2, 12); // two values: sd |a - b| / sqrt 2, over sqrt 2
    // poolCurve: the whole pool is the cross-validation itself; with part of it, only kept sets are neighbours
    const { poolCurve } = await import('../retrievalDraw');
    const [part, whole] = poolCurve(frames, { distance: 'encoded', neighbours: 1, scale: [1, 1, 1] }, [0.5, 1], 20);
    expect(whole).toMatchObject({ fraction: 1, poolSets: 3, paperStyle: m1.paperStyle, precision: m1.precision, coverage: m1.coverage });
    expect(part.poolSets).toBeGreaterThan(0.5);
    expect(part.poolSets).toBeLessThan(2.5);
    // every neighbour it can draw is another frame of the pool: its paper-style lies within the brute-force range
    const all = [0, 1, 2, 3, 4].flatMap((j) => [d(j, 0), d(j, 3)]).filter((v) => v > 0);
    expect(part.paperStyle).toBeGreaterThanOrEqual(Math.min(...all) - 1e-12);
    expect(part.paperStyle).toBeLessThanOrEqual(Math.max(...all) + 1e-12);
  });

  it('expectedBatchMin: exact expectation of the batch min under both draws (brute-force enumeration of every draw)', async () => {
    const { expectedBatchMin } = await import('../retrievalDraw');
    const perms = (a: number[]): number[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])));
    for (const d of [[0.3, 0.01, 0.5], [0.2, 0.2, 0.7, 0.05], [0.4], [0.9, 0.1]]) {
      const k = d.length;
      for (const M of [1, 2, 3, 4, 5]) {
        // independent: all k^M sequences of starts, equally likely
        let sum = 0;
        for (let code = 0; code < k ** M; code++) {
          let c = code;
          let m = Infinity;
          for (let s = 0; s < M; s++) {
            m = Math.min(m, d[c % k]);
            c = Math.floor(c / k);
          }
          sum += m;
        }
        expect(expectedBatchMin(d, M, 'independent')).toBeCloseTo(sum / k ** M, 12);
        // stratified: every order of the neighbours, equally likely, used in turn
        const all = perms(d.map((_, i) => i));
        const strat = all.reduce((a, p) => a + Math.min(...Array.from({ length: M }, (_, j) => d[p[j % k]])), 0) / all.length;
        expect(expectedBatchMin(d, M, 'stratified')).toBeCloseTo(strat, 12);
        expect(expectedBatchMin(d, M, 'stratified')).toBeLessThanOrEqual(expectedBatchMin(d, M, 'independent') + 1e-15);
      }
    }
    // the committed run: 175 held-out sets, batches of 4, the stratified draw covers better
    const { readFile } = await import('node:fs/promises');
    const b = JSON.parse(await readFile(new URL('../../training/retrieval-batch-cv.json', import.meta.url), 'utf8'));
    expect(b.samples).toBe(4);
    expect(b.stratified).toBeLessThan(b.independent);
    expect(b.perSet.every((p: { stratified: number; independent: number }) => p.stratified <= p.independent + 1e-12)).toBe(true);
  });

  it('chooseDraw: lowest paper-style within the coverage slack; the committed cross-validation picks CROSS_VALIDATED_DRAW', async () => {
    const { chooseDraw, SHIPPED_DRAW, CROSS_VALIDATED_DRAW } = await import('../retrievalDraw');
    const r = (neighbours: number, k: number, paperStyle: number, coverage: number, distance: 'encoded' | 'wells' = 'encoded') => ({ distance, neighbours, scale: [k, 1, 1], paperStyle, paperFloor: 0, precision: 0, coverage, sets: 1, perSet: [] });
    const results = [r(3, 4, 0.1, 0.04), r(1, 4, 0.05, 0.08), r(2, 8, 0.07, 0.049), r(2, 12, 0.06, 0.051), r(2, 4, 0.01, 0.04, 'wells')];
    expect(chooseDraw(results, SHIPPED_DRAW)).toBe(results[2]); // 0.05 and 0.06 exceed the slack, wells is another distance
    expect(chooseDraw(results, SHIPPED_DRAW, 0.02)).toBe(results[3]);
    expect(() => chooseDraw(results.slice(1), SHIPPED_DRAW)).toThrow(/not among the results/);
    const { readFile } = await import('node:fs/promises');
    const cv = JSON.parse(await readFile(new URL('../../training/retrieval-draw-cv.json', import.meta.url), 'utf8'));
    const chosen = chooseDraw(cv.results, SHIPPED_DRAW);
    expect({ neighbours: chosen.neighbours, scale: chosen.scale }).toEqual({ neighbours: CROSS_VALIDATED_DRAW.neighbours, scale: [...CROSS_VALIDATED_DRAW.scale] });
  });
});

describe('examples/retrievalRank.ts', () => {
  it('rankedLookup: the m nearest by distance, the m lowest scores among the first candidates otherwise (brute force)', async () => {
    const { rankedLookup } = await import('../retrievalRank');
    const c = (energy: number, classifier: number, rdfMse: number[]) => ({ energy, classifier, rdfMse });
    const targets = [
      [c(3, 0.1, [0.5, 0.2]), c(1, 0.3, [0.1, 0.4]), c(2, -0.2, [0.3, 0.3]), c(0, -1, [0.9, 0.8])],
      [c(1, 0, [0.2, 0.1]), c(2, -1, [0.4, 0.6]), c(0, 1, [0.6, 0.5]), c(-5, -5, [1, 1])],
    ];
    // distance, m = 1: the first of each -> paper-style (0.5 + 0.2) / 2, precision (0.2 + 0.1) / 2
    const d = rankedLookup(targets, 'distance', 3, 1);
    expect(d.paperStyle).toBeCloseTo(0.35, 12);
    expect(d.precision).toBeCloseTo(0.15, 12);
    // energy among the first 3 (the 4th is never a candidate): target 1 -> index 1 (0.1, 0.1); target 2 -> index 2 (0.6, 0.5)
    const e = rankedLookup(targets, 'energy', 3, 1);
    expect(e.paperStyle).toBeCloseTo((0.1 + 0.6) / 2, 12);
    expect(e.precision).toBeCloseTo((0.1 + 0.5) / 2, 12);
    // classifier, m = 2 among the first 3: target 1 -> indices 2, 0; target 2 -> indices 1, 0
    const k = rankedLookup(targets, 'classifier', 3, 2);
    expect(k.paperStyle).toBeCloseTo(((0.3 + 0.5) / 2 + (0.4 + 0.2) / 2) / 2, 12);
    expect(k.precision).toBeCloseTo(((0.3 + 0.2) / 2 + (0.4 + 0.1) / 2) / 2, 12);
    // all four candidates: the 4th wins on both scores
    expect(rankedLookup(targets, 'energy', 4, 1).paperStyle).toBeCloseTo((0.9 + 1) / 2, 12);
  });

  it('classifierScore: the per-component error difference of two predictions on the wrapped noisy frame; periodic in the box', async () => {
    const { classifierScore } = await import('../retrievalRank');
    const { loadModel } = await import('../loadModel');
    const { timeInputAtSigma } = await import('@mddm/model');
    const { denoiser } = await loadModel('opp-conditional');
    const frame = (await loadDataset('opp-train'))[0];
    const box = frame.box as [number, number, number];
    const n3 = frame.positions.length;
    let s = 3;
    const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const eps = Float64Array.from({ length: n3 }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
    const given = [Number(frame.info.k), Number(frame.info.phi), Number(frame.info.T)];
    const score = classifierScore(denoiser, frame.positions, box, given, 0.1, eps);
    // independently: noise, wrap with %, predict at the given and the null condition
    const noisy = Float64Array.from(frame.positions, (x, i) => (((x + 0.1 * eps[i]) % 10) + 10) % 10);
    const tau = timeInputAtSigma(denoiser, 0.1);
    const a = denoiser.predict(noisy, box, tau, { conditions: given });
    const b = denoiser.predict(noisy, box, tau, { conditions: null });
    let ref = 0;
    for (let i = 0; i < n3; i++) ref += (a[i] - eps[i]) ** 2 - (b[i] - eps[i]) ** 2;
    expect(score).toBeCloseTo(ref / n3, 6);
    expect(score).not.toBe(0);
    // shifting every particle by a box vector changes nothing
    const shifted = Float64Array.from(frame.positions, (x, i) => x + (i % 3 === 1 ? 10 : -20));
    expect(classifierScore(denoiser, shifted, box, given, 0.1, eps)).toBeCloseTo(score, 5);
  }, 60_000);
});
