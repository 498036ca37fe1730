import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { geometricSchedule } from '@mddm/schedules';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnergyDenoiser, ModelError, type EnergyOutput, createEnergyDenoiser, energyDenoiserFromSpec, forces, loadDenoiser, saveDenoiser, selectBackend, timeInputAtSigma, train } from '../src/index';
import { gatherRows, scatterRows } from '../src/energyDenoiser';

beforeAll(async () => {
  await selectBackend('wasm');
});

const schedule = geometricSchedule(30, { sigmaMinBox: 1e-2, sigmaMaxBox: 1 });
const L = 3;
const N = 20;

/** N generic positions in an L box (deterministic). */
function cloud(seed = 1): Float64Array {
  let s = seed;
  return Float64Array.from({ length: 3 * N }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * L);
}

/** k = N - 1: the graph holds every pair, so small displacements never change it (clean finite differences). */
function model(seed = 0, output: EnergyOutput = 'energy'): EnergyDenoiser {
  return createEnergyDenoiser({ k: N - 1, layers: 2, width: 8, hidden: [8], headHidden: [8], schedule, boxLength: L, seed, output });
}

describe('tfjs second derivatives (why the energy path uses softplus)', () => {
  it('d/dw of |d/dx f(w x)|^2 is right for softplus and wrong for sigmoid (tfjs drops the saved-output path)', () => {
    const x = tf.tensor1d([1.2, 0.5]);
    const exact = (act: (u: number) => number, w: number[]) => { // float64 closed forms via central differences of the analytic derivative
      const h = 1e-5;
      return w.reduce((s, wi, i) => { const u = wi * [1.2, 0.5][i]; const d = ((act(u + h) - act(u - h)) / (2 * h)) * wi; return s + d * d; }, 0);
    };
    const cases = [
      { op: tf.softplus, act: (u: number) => Math.log1p(Math.exp(u)), right: true },
      { op: tf.sigmoid, act: (u: number) => 1 / (1 + Math.exp(-u)), right: false },
    ];
    for (const c of cases) {
      const w = tf.variable(tf.tensor1d([0.7, -0.3]));
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(tf.grad((xx: tf.Tensor) => tf.sum(c.op(tf.mul(w, xx))))(x))) as tf.Scalar);
      const g = grads[w.name].dataSync()[0];
      const h = 1e-4;
      const fd = (exact(c.act, [0.7 + h, -0.3]) - exact(c.act, [0.7 - h, -0.3])) / (2 * h);
      expect(value.dataSync()[0]).toBeCloseTo(exact(c.act, [0.7, -0.3]), 5);
      expect(Math.abs(g - fd) < 1e-3 * Math.abs(fd)).toBe(c.right);
      tf.dispose([value, ...Object.values(grads)]);
      w.dispose();
    }
    x.dispose();
  });
});

describe('gatherRows / scatterRows', () => {
  it('are adjoint (<gather x, y> = <x, scatter y>) and differentiable twice', () => {
    const d = model();
    const graph = d.buildGraph(cloud(), L);
    const E = graph.n * graph.k;
    const x = tf.randomNormal([graph.n, 4], 0, 1, 'float32', 1);
    const y = tf.randomNormal([E, 4], 0, 1, 'float32', 2);
    const a = tf.sum(tf.mul(gatherRows(x, graph), y)).dataSync()[0];
    const b = tf.sum(tf.mul(x, scatterRows(y, graph))).dataSync()[0];
    expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.abs(a) + 1e-4);
    // second derivative of sum(gather(x)^3) w.r.t. x: 6 x_j times (in-degree of j) -> check via grad of grad
    const g2 = tf.grad((xx: tf.Tensor) => tf.sum(tf.grad((z: tf.Tensor) => tf.sum(tf.pow(gatherRows(z, graph), 3)))(xx)))(x);
    const deg = new Float64Array(graph.n);
    for (const j of graph.indices) deg[j]++;
    const xs = x.arraySync() as number[][];
    const g2s = g2.arraySync() as number[][];
    for (let j = 0; j < graph.n; j++) for (let c = 0; c < 4; c++) expect(g2s[j][c]).toBeCloseTo(6 * xs[j][c] * deg[j], 2);
    tf.dispose([x, y, g2]);
    d.dispose();
  });
});

describe('EnergyDenoiser', () => {
  it.each(['energy', 'sigma-energy'] as const)('eps_hat = sigma * grad_x E (central finite differences of the learned energy), network output %s', (output) => {
    const d = model(3, output);
    const x = cloud(2);
    const sigma = 0.1;
    const tau = (Math.log(sigma) - Math.log(d.sigmaRangeLj[0])) / Math.log(d.sigmaRangeLj[1] / d.sigmaRangeLj[0]);
    const eps = d.predict(x, L, tau);
    const h = 2e-3;
    let checked = 0;
    for (const i of [0, 5, 13, 19]) for (let c = 0; c < 3; c++) {
      const y = Float64Array.from(x);
      y[3 * i + c] += h;
      const ep = d.energy(y, L, tau)[0];
      y[3 * i + c] -= 2 * h;
      const em = d.energy(y, L, tau)[0];
      const fd = (sigma * (ep - em)) / (2 * h);
      expect(Math.abs(eps[3 * i + c] - fd)).toBeLessThan(2e-2 * Math.max(0.1, Math.abs(fd)));
      checked++;
    }
    expect(checked).toBe(12);
    d.dispose();
  });

  it('its Jacobian is symmetric: u . J w = w . J u for random u, w (exact, double backprop), and J_ij ~ J_ji by finite differences', () => {
    const d = model(5);
    const x = cloud(4);
    const graph = d.buildGraph(x, L);
    const g = tf.tensor2d(d.globalInput(0.3, 1), [1, d.globalFeatures]);
    const v = tf.tensor2d(graph.vectors, [graph.n * graph.k, 3]);
    const toX = (G: tf.Tensor) => tf.sub(scatterRows(G, graph), tf.sum(tf.reshape(G, [graph.n, graph.k, 3]), 1));
    const before = tf.memory().numTensors;
    for (let trial = 0; trial < 3; trial++) {
      const u = tf.randomNormal([N, 3], 0, 1, 'float32', 10 + trial);
      const w = tf.randomNormal([N, 3], 0, 1, 'float32', 20 + trial);
      const JTw = tf.tidy(() => toX(tf.grad((vv: tf.Tensor) => tf.sum(tf.mul(w, d.epsFromVectors(graph, g, vv as tf.Tensor2D))))(v)));
      const JTu = tf.tidy(() => toX(tf.grad((vv: tf.Tensor) => tf.sum(tf.mul(u, d.epsFromVectors(graph, g, vv as tf.Tensor2D))))(v)));
      const a = tf.tidy(() => tf.sum(tf.mul(u, JTw)).dataSync()[0]);
      const b = tf.tidy(() => tf.sum(tf.mul(w, JTu)).dataSync()[0]);
      expect(Math.abs(a - b)).toBeLessThan(1e-3 * (Math.abs(a) + Math.abs(b)) + 1e-5);
      tf.dispose([u, w, JTw, JTu]);
    }
    expect(tf.memory().numTensors).toBe(before);
    // finite differences of predict: d eps_i^a / d x_j^b = d eps_j^b / d x_i^a
    const h = 2e-3;
    const col = (j: number, b: number) => {
      const y = Float64Array.from(x);
      y[3 * j + b] += h;
      const p = d.predict(y, L, 0.3);
      y[3 * j + b] -= 2 * h;
      const m = d.predict(y, L, 0.3);
      return p.map((pv, q) => (pv - m[q]) / (2 * h));
    };
    for (const [i, a, j, b] of [[0, 0, 1, 1], [2, 1, 7, 2], [3, 2, 3, 0], [11, 0, 4, 2]]) {
      const Jij = col(j, b)[3 * i + a];
      const Jji = col(i, a)[3 * j + b];
      expect(Math.abs(Jij - Jji)).toBeLessThan(2e-2 * Math.max(0.05, Math.abs(Jij)));
    }
    tf.dispose([g, v]);
    d.dispose();
  });

  it('trains by double backprop: weight gradients equal finite differences of the loss; train() runs without leaks; forces() is -kT grad E', async () => {
    const d = model(7);
    const x = cloud(6);
    const graph = d.buildGraph(x, L);
    const g = tf.tensor2d(d.globalInput(0.2, 1), [1, d.globalFeatures]);
    const target = tf.randomNormal([N, 3], 0, 1, 'float32', 3);
    const loss = () => tf.mean(tf.squaredDifference(d.apply(graph, g), target)) as tf.Scalar;
    const W = d.layers[0].trainableWeights[0];
    const { grads, value } = tf.variableGrads(loss, [W]);
    const gw = grads[W.name].dataSync();
    const w0 = W.dataSync().slice();
    const h = 1e-2;
    for (const idx of [0, 4, 9]) {
      const wp = w0.slice(); wp[idx] += h;
      W.assign(tf.tensor(wp, W.shape));
      const lp = tf.tidy(() => loss().dataSync()[0]);
      const wm = w0.slice(); wm[idx] -= h;
      W.assign(tf.tensor(wm, W.shape));
      const lm = tf.tidy(() => loss().dataSync()[0]);
      W.assign(tf.tensor(w0, W.shape));
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(gw[idx] - fd)).toBeLessThan(3e-2 * Math.max(Math.abs(fd), 1e-3));
    }
    tf.dispose([value, ...Object.values(grads), g, target]);
    const before = tf.memory().numTensors;
    const r = await train(d, { data: [{ positions: x, box: L }], steps: 3, schedule, seed: 1 });
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const sigma = 0.1;
    const F = forces(d, x, L, { sigma, kT: 2 });
    const eps = d.predict(x, L, timeInputAtSigma(d, sigma));
    for (let i = 0; i < F.length; i++) expect(F[i]).toBeCloseTo((-2 * eps[i]) / sigma, 5);
    d.dispose();
  });

  it.each(['energy', 'sigma-energy'] as const)('round-trips a checkpoint: an EnergyDenoiser again, the same energy and eps, the same force field (output %s)', async (output) => {
    const d = model(3, output);
    const x = cloud(4);
    await train(d, { data: [{ positions: x, box: L }], steps: 2, schedule, seed: 1 });
    const dir = await mkdtemp(join(tmpdir(), 'mddm-energy-'));
    try {
      await saveDenoiser(d, dir);
      const back = await loadDenoiser(dir);
      expect(back).toBeInstanceOf(EnergyDenoiser);
      expect((back as EnergyDenoiser).sigmaRangeLj).toEqual(d.sigmaRangeLj);
      expect((back as EnergyDenoiser).output).toBe(output);
      expect(back.toSpec()).toEqual(d.toSpec());
      const tau = timeInputAtSigma(d, 0.2);
      expect(Array.from((back as EnergyDenoiser).energy(x, L, tau))).toEqual(Array.from(d.energy(x, L, tau)));
      expect(Array.from(back.predict(x, L, tau))).toEqual(Array.from(d.predict(x, L, tau)));
      back.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
      d.dispose();
    }
  });

  it('trains with a checkpoint (optimizer moments of the trainable weights only) and resumes from it', async () => {
    const x = cloud(5);
    const dir = await mkdtemp(join(tmpdir(), 'mddm-energy-ckpt-'));
    const opts = { data: [{ positions: x, box: L }], schedule, seed: 2, checkpointDir: dir, checkpointEvery: 1, ema: 0.9 };
    try {
      const a = model(4);
      await train(a, { ...opts, steps: 2 });
      const back = await loadDenoiser(dir); // reads (and verifies sizes of) weights, moments and average
      expect(back).toBeInstanceOf(EnergyDenoiser);
      back.dispose();
      const resumed = model(4);
      const r = await train(resumed, { ...opts, steps: 4, resume: true });
      expect(r.steps).toBe(4);
      const straight = model(4);
      await train(straight, { ...opts, checkpointDir: undefined, steps: 4 });
      const tau = timeInputAtSigma(straight, 0.2);
      const [er, es] = [resumed.energy(x, L, tau), straight.energy(x, L, tau)];
      for (let i = 0; i < er.length; i++) expect(er[i]).toBeCloseTo(es[i], 4);
      [a, resumed, straight].forEach((m) => m.dispose());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects other time encodings, a spec without its sigma range and a bad box with ModelError', () => {
    const d = model();
    const { sigmaRangeLj: _, ...spec } = d.toSpec();
    expect(() => energyDenoiserFromSpec(spec)).toThrow(/sigmaRangeLj/);
    expect(() => energyDenoiserFromSpec({ ...spec, sigmaRangeLj: [0.5, 0.1] })).toThrow(ModelError);
    expect(() => energyDenoiserFromSpec({ ...spec, sigmaRangeLj: [0.01, 1], timeEncoding: 't/T' })).toThrow(/log-sigma/);
    expect(() => createEnergyDenoiser({ schedule, boxLength: -1 })).toThrow(/boxLength/);
    expect(() => energyDenoiserFromSpec({ ...spec, sigmaRangeLj: [0.01, 1], energyOutput: 'force' as never })).toThrow(/energy output must be 'energy' or 'sigma-energy'/);
    expect(() => createEnergyDenoiser({ schedule, boxLength: 3, output: 'E' as never })).toThrow(ModelError);
    d.dispose();
  });
});
