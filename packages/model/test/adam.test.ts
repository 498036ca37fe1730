import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, selectBackend } from '../src/index';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Float64 reference Adam (PyTorch formula). */
function reference(w: number[], grads: (w: number[]) => number[], steps: number, lr: number): number[] {
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const x = [...w];
  for (let t = 1; t <= steps; t++) {
    const g = grads(x);
    for (let i = 0; i < x.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const mh = m[i] / (1 - 0.9 ** t);
      const vh = v[i] / (1 - 0.999 ** t);
      x[i] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return x;
}

describe('Adam', () => {
  it('leaves a variable without gradient (null) and its moments alone; the others follow the reference', () => {
    const a = tf.variable(tf.tensor1d([0, 0]));
    const b = tf.variable(tf.tensor1d([3, 4]));
    const opt = new Adam([a, b]);
    for (let s = 0; s < 10; s++) {
      const g = tf.tidy(() => tf.mul(tf.scalar(2), tf.sub(a, tf.tensor1d([1, -1]))));
      opt.apply([g, null], 0.1);
      g.dispose();
    }
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(Array.from(opt.getState().m[1])).toEqual([0, 0]);
    expect(Array.from(opt.getState().v[1])).toEqual([0, 0]);
    const ref = reference([0, 0], (x) => x.map((v, i) => 2 * (v - [1, -1][i])), 10, 0.1);
    Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  it('matches a float64 reference on a quadratic', () => {
    const target = [1, -2, 0.5];
    const w = tf.variable(tf.tensor1d([0, 0, 0]));
    const opt = new Adam([w]);
    for (let s = 0; s < 20; s++) {
      const g = tf.tidy(() => tf.mul(tf.scalar(2), tf.sub(w, tf.tensor1d(target))));
      opt.apply([g], 0.1);
      g.dispose();
    }
    const ref = reference([0, 0, 0], (x) => x.map((v, i) => 2 * (v - target[i])), 20, 0.1);
    const got = Array.from(w.dataSync());
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(ref[i], 5);
    opt.dispose();
    w.dispose();
  });

  it('restores its state exactly (continuation is bit-identical)', () => {
    const run = (split: boolean) => {
      const w = tf.variable(tf.tensor1d([0.3, -0.7]));
      let opt = new Adam([w]);
      const grad = () => tf.tidy(() => tf.sin(tf.mul(w, tf.scalar(3))));
      for (let s = 0; s < 5; s++) {
        const g = grad();
        opt.apply([g], 0.05);
        g.dispose();
      }
      if (split) {
        const st = opt.getState();
        opt.dispose();
        opt = new Adam([w]);
        opt.setState(st);
      }
      for (let s = 0; s < 5; s++) {
        const g = grad();
        opt.apply([g], 0.05);
        g.dispose();
      }
      const out = Array.from(w.dataSync());
      opt.dispose();
      w.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });
});
