import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPP_CONDITION_ENCODERS, createDenoiser, saveDenoiser, selectBackend } from '@mddm/model';
import { frames, mddm } from './helpers';

let dir: string;
let model: string;
/** Training rows (k, phi, T, gPeak, coordination): two structures near k = 7, one far away. */
const ROWS = [[7, 1, 0.03, 7.5, 12], [7.2, 1, 0.03, 4.1, 11], [14, 4, 0.01, 3, 5]];

/** Saves a model with structure conditions (what `train({ drawnConditions: 2 })` records; untrained weights) trained on `n` particles in a box `L`. */
async function saveDrawnModel(path: string, n: number, L: number): Promise<void> {
  const d = createDenoiser({
    k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4], conditioning: 'film', nullCondition: true,
    conditionEncoders: [...OPP_CONDITION_ENCODERS, { kind: 'log', range: [2, 12] }, { kind: 'linear', range: [2, 20] }],
  });
  d.training = {
    n, box: [L, L, L], density: n / L ** 3, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps',
    conditionKeys: ['k', 'phi', 'T', 'gPeak', 'coordination'], drawnConditions: 2, conditionRows: ROWS,
  };
  await saveDenoiser(d, path);
  d.dispose();
}

beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'mddm-cli-drawn-'));
  model = join(dir, 'model');
  await saveDrawnModel(model, 64, 4);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = ['--n', '64', '--box', '4', '--steps', '2', '--corrector', '0'];

describe('a model with drawn structure conditions', () => {
  it('mddm sample draws gPeak and coordination per conformation from the nearest training frames and writes them', async () => {
    const out = join(dir, 's.xyz');
    const r = await mddm('sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', '--count', '12', ...BASE, '--out', out);
    expect(r.code, r.err).toBe(0);
    const f = await frames(out);
    expect(f.length).toBe(12);
    const drawn = f.map((x) => [x.info.gPeak, x.info.coordination]);
    for (const x of f) expect([x.info.k, x.info.phi, x.info.T]).toEqual([7, 1, 0.03]);
    // 4 neighbours of 3 rows: every row can be drawn; the two structures near k = 7 both appear (p(miss) ~ 2 (2/3)^12)
    for (const d of drawn) expect(ROWS.map((row) => JSON.stringify(row.slice(3)))).toContain(JSON.stringify(d));
    expect(drawn.some((d) => d[0] === 7.5)).toBe(true);
    expect(drawn.some((d) => d[0] === 4.1)).toBe(true);
  });

  it('--gPeak with --coordination fixes the structure; one of them alone is a usage error', async () => {
    const out = join(dir, 'fixed.xyz');
    const r = await mddm('sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', '--gPeak', '6', '--coordination', '8', '--count', '2', ...BASE, '--out', out);
    expect(r.code, r.err).toBe(0);
    for (const x of await frames(out)) expect([x.info.gPeak, x.info.coordination]).toEqual([6, 8]);
    const bad = await mddm('sample', '--model', model, '--k', '7', '--phi', '1', '--T', '0.03', '--gPeak', '6', ...BASE, '--out', join(dir, 'bad.xyz'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/give all of --gPeak, --coordination or none/);
    // a model without structure conditions refuses them instead of ignoring them
    const plain = join(dir, 'plain');
    const p = createDenoiser({ k: 6, layers: 1, width: 4, hidden: [4], headHidden: [4], conditionEncoders: [...OPP_CONDITION_ENCODERS] });
    p.training = { n: 64, box: [4, 4, 4], density: 1, schedule: { name: 'test', T: 20, a: Array.from({ length: 21 }, (_, t) => (t === 0 ? 1e-6 : (t / 20) ** 2)) }, target: 'eps', conditionKeys: ['k', 'phi', 'T'] };
    await saveDenoiser(p, plain);
    p.dispose();
    const refused = await mddm('sample', '--model', plain, '--k', '7', '--phi', '1', '--T', '0.03', '--gPeak', '6', '--coordination', '8', ...BASE, '--out', join(dir, 'bad.xyz'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/takes --k, --phi, --T; remove --gPeak, --coordination/);
  });

  it('mddm evaluate gives the model (k, phi, T) only and samples', async () => {
    const big = join(dir, 'big');
    await saveDrawnModel(big, 1000, 10);
    const r = await mddm('evaluate', '--model', big, '--set', 'opp-test', '--limit', '1', '--samples', '2', '--steps', '2', '--corrector', '0');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^set +k +phi +T +R/m);
    expect(r.out).not.toMatch(/gPeak/);
  });
});
