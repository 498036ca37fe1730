import { describeValue } from '@mddm/core';
import * as tf from '@tensorflow/tfjs-core';
import { pbcEdgeConv, type EdgeGraph } from '@mddm/edgeconv';
import type { BoxLike, Vec3Array } from '@mddm/pbc';
import type { NoiseSchedule } from '@mddm/schedules';
import { Denoiser, denoiserPartsFromSpec, type DenoiserSpec, type TrainingInfo } from './denoiser';
import { ModelError, checkInt } from './errors';
import { mlpHead } from './head';

/** The function type `tf.customGrad` accepts (not exported by tfjs-core's public index). */
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/**
 * Configuration of {@link createEnergyDenoiser}. The network is the MDDM graph network with smooth
 * activations and a scalar head: `E(x, sigma) = sum_i e_i` with `e_i` the sum of the head's outputs at
 * particle `i` (dimensionless: the free energy in units of kT at noise level sigma).
 */
export interface EnergyDenoiserConfig {
  /** Neighbours per particle (default 12). */
  k?: number;
  /** Message-passing layers (default 3). */
  layers?: number;
  /** Features per layer (default 32). */
  width?: number;
  /** Hidden widths of the edge MLP of each layer (default `[32]`). */
  hidden?: number[];
  /** Hidden widths of the per-particle energy head (default `[64]`). */
  headHidden?: number[];
  /** Aggregation over neighbours: `'mean'` (default) or `'sum'` (smooth; max would make the force jump). */
  aggregation?: 'mean' | 'sum';
  /** Weight seed (default 0). */
  seed?: number;
  /** What the network outputs (default `'energy'`); see {@link EnergyOutput}. */
  output?: EnergyOutput;
  /**
   * The training schedule and box, which fix `sigma(tau)`: the time input is `'log-sigma'`, so
   * `sigma_LJ = L sqrt(a_1) (sqrt(a_T / a_1))^tau` is known exactly from `tau`.
   */
  schedule: NoiseSchedule;
  /** Training box length L (LJ units) that turns `a_t` (box fractions) into LJ units. */
  boxLength: number;
}

/**
 * What the network of an {@link EnergyDenoiser} outputs; the same function class either way, the
 * force is `-kT grad_x E` in both.
 * - `'energy'`: `E` itself (units of kT), `eps_hat = sigma grad_x E`.
 * - `'sigma-energy'`: `sigma E` (LJ length), `eps_hat = grad_x (sigma E)`. The network's slope with
 *   respect to positions is then O(1) at every noise level, as a direct denoiser's output is; with
 *   `'energy'` it must grow like `1 / sigma` towards small noise, which a network trained over a
 *   150-fold range of sigma cannot start from (measured: the 8 x 32 network stayed at loss 1.00 for
 *   200 steps with `'energy'`, docs/seed-paper-tools.md).
 */
export type EnergyOutput = 'energy' | 'sigma-energy';

/** Shifted softplus `log(1 + e^x) - log 2` (smooth, 0 at 0). Its tfjs gradient is differentiable again. */
function ssp(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.softplus(x), Math.LN2);
}

const reverseCache = new WeakMap<EdgeGraph, Int32Array>();

/** Padded reverse adjacency `[n, maxDeg]` of a graph (edge ids with `indices[e] = j`; padding `E`). */
function reverseEdges(graph: EdgeGraph): Int32Array {
  let rev = reverseCache.get(graph);
  if (rev) return rev;
  const { n, k, indices } = graph;
  const E = n * k;
  const deg = new Int32Array(n);
  for (let e = 0; e < E; e++) deg[indices[e]]++;
  let maxDeg = 1;
  for (let j = 0; j < n; j++) maxDeg = Math.max(maxDeg, deg[j]);
  rev = new Int32Array(n * maxDeg).fill(E);
  deg.fill(0);
  for (let e = 0; e < E; e++) {
    const j = indices[e];
    rev[j * maxDeg + deg[j]++] = e;
  }
  reverseCache.set(graph, rev);
  return rev;
}

/**
 * `x[indices]` (`[n, H] -> [E, H]`) whose gradient is {@link scatterRows} and vice versa, so the pair
 * is differentiable to any order with linear-time ops on every backend (tfjs's stock gather gradient,
 * `UnsortedSegmentSum`, is missing on wasm). @internal
 */
export function gatherRows(x: tf.Tensor, graph: EdgeGraph): tf.Tensor {
  const op = tf.customGrad(((xx: tf.Tensor) => ({
    value: tf.gather(xx, tf.tensor1d(graph.indices, 'int32')),
    gradFunc: (dy: tf.Tensor) => [scatterRows(dy, graph)],
  })) as unknown as CustomGradFn) as (xx: tf.Tensor) => tf.Tensor;
  return op(x);
}

/** `out[j] = sum_{e: indices[e] = j} y[e]` (`[E, H] -> [n, H]`), the adjoint of {@link gatherRows}. @internal */
export function scatterRows(y: tf.Tensor, graph: EdgeGraph): tf.Tensor {
  const op = tf.customGrad(((yy: tf.Tensor) => {
    const rev = reverseEdges(graph);
    const H = yy.shape[1]!;
    const padded = tf.concat([yy, tf.zeros([1, H])], 0);
    return {
      value: tf.sum(tf.reshape(tf.gather(padded, tf.tensor1d(rev, 'int32')), [graph.n, rev.length / graph.n, H]), 1),
      gradFunc: (dy: tf.Tensor) => [gatherRows(dy, graph)],
    };
  }) as unknown as CustomGradFn) as (yy: tf.Tensor) => tf.Tensor;
  return op(y);
}

/**
 * An energy-parameterised denoiser (SPEC §8; DynamicsDiffusion / Arts et al.): the predicted noise is
 *
 *   `eps_hat(x, sigma) = sigma * grad_x E_theta(x, sigma)`,  `E_theta = sum_i e_i`,
 *
 * so the force `F = -kT eps_hat / sigma = -kT grad_x E_theta` is conservative by construction (its
 * Jacobian, `-kT` times the Hessian of `E_theta`, is symmetric). `sigma` is in LJ units and read from
 * the `'log-sigma'` time input exactly; `E_theta` is dimensionless (units of kT).
 *
 * It is a {@link Denoiser}: `train`, `sample`, `forces`, `inpaintSample` and `variation` use it as
 * they are. Training differentiates `grad_x E` with respect to the weights (double backpropagation)
 * through composed tfjs ops, not the fused PBC-Conv kernel (which has no second derivatives), with
 * shifted-softplus activations: tfjs's second derivatives of ops whose gradient reuses the saved
 * output (sigmoid, tanh, exp, hence silu) are wrong (tested in `energyDenoiser.test.ts`), softplus's
 * are right. Checkpoints (`saveDenoiser` / `loadDenoiser`, spec kind `'energy'`) round-trip it.
 *
 * Gradient w.r.t. positions: only minimum-image edge vectors `d_e = x_j - x_i` enter, so
 * `dE/dx_i = sum_{e: j(e) = i} dE/dd_e - sum_{e: i(e) = i} dE/dd_e` (a scatter minus a row sum).
 */
export class EnergyDenoiser extends Denoiser {
  /** Noise std (LJ units) at `tau = 0` and `tau = 1` of the `'log-sigma'` time input. */
  readonly sigmaRangeLj: readonly [number, number];
  /** What the network outputs; see {@link EnergyOutput}. */
  readonly output: EnergyOutput;

  /** Use {@link createEnergyDenoiser}. @internal */
  constructor(parts: ConstructorParameters<typeof Denoiser>[0], sigmaRangeLj: [number, number], output: EnergyOutput = 'energy') {
    super(parts);
    if (output !== 'energy' && output !== 'sigma-energy') throw new ModelError(`energy output must be 'energy' or 'sigma-energy', got ${describeValue(output)}`, 'MODEL_BAD_CONFIG');
    this.output = output;
    if (this.timeEncoding !== 'log-sigma') throw new ModelError(`an energy denoiser needs timeEncoding 'log-sigma', got ${describeValue(this.timeEncoding)}`, 'MODEL_BAD_CONFIG');
    if (this.conditioning !== 'concat') throw new ModelError(`an energy denoiser supports conditioning 'concat' only`, 'MODEL_BAD_CONFIG');
    // its force is the gradient through the edge vectors only; a centroid input would be a path it ignores
    if (this.centroidInput) throw new ModelError(`an energy denoiser does not support centroidInput`, 'MODEL_BAD_CONFIG');
    // its eps is the gradient of the network's energy through the edge vectors; node features computed outside the graph would carry no gradient
    if (this.potentialInput) throw new ModelError(`an energy denoiser does not support potentialInput`, 'MODEL_BAD_CONFIG');
    const [s1, sT] = sigmaRangeLj;
    if (!(s1 > 0 && sT > s1 && Number.isFinite(sT))) throw new ModelError(`sigmaRangeLj must be [s1, sT] with 0 < s1 < sT, got ${describeValue(sigmaRangeLj)}`, 'MODEL_BAD_CONFIG');
    this.sigmaRangeLj = [s1, sT];
  }

  /**
   * Trainable variables: those of the layers and the head except the head's last bias, which only
   * adds a constant to `E` and so never reaches `eps_hat = sigma grad_x E` (an optimizer would get
   * no gradient for it).
   */
  override get trainableWeights(): tf.Variable[] {
    const head = this.head.trainableWeights;
    return [...this.layers.flatMap((l) => l.trainableWeights), ...head.slice(0, head.length - 1)];
  }

  /** Noise std per frame `[frames, 1]` (LJ units) from the time inputs `global[:, 0]`. */
  private sigmaOf(global: tf.Tensor2D): tf.Tensor2D {
    const [s1, sT] = this.sigmaRangeLj;
    const tau = tf.slice(global, [0, 0], [global.shape[0], 1]);
    return tf.exp(tf.add(Math.log(s1), tf.mul(tau, Math.log(sT / s1)))) as tf.Tensor2D;
  }

  /**
   * Per-particle energies `e_i` `[n]` as a differentiable function of the edge vectors.
   * @param graph - the kNN graph (its indices; its `vectors` are replaced by `vectors`)
   * @param global - `[frames, G]` global input
   * @param vectors - `[n k, 3]` edge vectors `x_j - x_i` (LJ units)
   */
  particleEnergies(graph: EdgeGraph, global: tf.Tensor2D, vectors: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const { n, k, frames, nodesPerFrame: N } = graph;
      const G = this.globalFeatures;
      const feats: tf.Tensor2D[] = [];
      let f: tf.Tensor2D | null = null;
      for (const layer of this.layers) {
        const c = layer.config;
        const F = c.inFeatures;
        const w = layer.trainableWeights;
        const H0 = w[0].shape[1]!;
        let edge: tf.Tensor = tf.matMul(vectors, tf.slice(w[0], [0, 0], [3, H0]) as tf.Tensor2D);
        let node: tf.Tensor = tf.reshape(tf.add(tf.matMul(global, tf.slice(w[0], [3 + 2 * F, 0], [G, H0]) as tf.Tensor2D), w[1]), [frames, 1, 1, H0]);
        if (f && F > 0) {
          const Wi = tf.slice(w[0], [3, 0], [F, H0]) as tf.Tensor2D;
          const Wj = tf.slice(w[0], [3 + F, 0], [F, H0]) as tf.Tensor2D;
          edge = tf.add(edge, gatherRows(tf.matMul(f, Wj), graph));
          node = tf.add(node, tf.reshape(tf.matMul(f, tf.sub(Wi, Wj)), [frames, N, 1, H0]));
        }
        let a: tf.Tensor = tf.reshape(tf.add(tf.reshape(edge, [frames, N, k, H0]), node), [n * k, H0]);
        for (let l = 1; 2 * l < w.length; l++) a = tf.add(tf.matMul(ssp(a) as tf.Tensor2D, w[2 * l] as tf.Tensor2D), w[2 * l + 1]);
        const z = tf.reshape(a, [n, k, a.shape[1]!]);
        f = (c.aggregation === 'sum' ? tf.sum(z, 1) : tf.mean(z, 1)) as tf.Tensor2D;
        feats.push(f);
      }
      const gNodes = tf.reshape(tf.tile(tf.reshape(global, [frames, 1, G]), [1, N, 1]), [n, G]);
      let h: tf.Tensor = this.readout === 'concat' ? tf.concat([...feats, gNodes], 1) : tf.concat([f!, gNodes], 1);
      const hw = this.head.trainableWeights;
      for (let l = 0; 2 * l < hw.length; l++) {
        h = tf.add(tf.matMul(h as tf.Tensor2D, hw[2 * l] as tf.Tensor2D), hw[2 * l + 1]);
        if (2 * l + 2 < hw.length) h = ssp(h);
      }
      return tf.sum(h, 1) as tf.Tensor1D;
    });
  }

  /**
   * `eps_hat = sigma * grad_x E` `[n, 3]` as a differentiable function of the edge vectors (and the
   * weights): what {@link EnergyDenoiser.apply} evaluates, exposed for Jacobian checks.
   */
  epsFromVectors(graph: EdgeGraph, global: tf.Tensor2D, vectors: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const dEdv = tf.grad((v: tf.Tensor) => tf.sum(this.particleEnergies(graph, global, v as tf.Tensor2D)))(vectors); // [E, 3]
      const { n, k, frames, nodesPerFrame: N } = graph;
      const gradX = tf.sub(scatterRows(dEdv, graph), tf.sum(tf.reshape(dEdv, [n, k, 3]), 1)); // [n, 3], 1/LJ
      if (this.output === 'sigma-energy') return gradX as tf.Tensor2D; // the network's output is sigma E already
      const sigma = tf.reshape(tf.tile(tf.reshape(this.sigmaOf(global), [frames, 1, 1]), [1, N, 1]), [n, 1]);
      return tf.mul(gradX, sigma) as tf.Tensor2D;
    });
  }

  /** `eps_hat = sigma * grad_x E` on a prebuilt graph (differentiable w.r.t. the weights: double backprop). */
  override apply(graph: EdgeGraph, global: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.epsFromVectors(graph, global, tf.tensor2d(graph.vectors, [graph.n * graph.k, 3])));
  }

  /**
   * The learned energy `E_theta(x, sigma) = sum_i e_i` of every frame (units of kT).
   * @param positions - `[frames * N, 3]`, LJ units
   * @param box - periodic box
   * @param tau - time input (`timeInputAtSigma`)
   * @param frames - frames in `positions` (default 1)
   * @returns `[frames]` energies
   */
  energy(positions: Vec3Array, box: BoxLike, tau: number, frames = 1): Float64Array {
    const graph = this.buildGraph(positions, box, frames);
    const g = this.globalInput(tau, frames);
    const e = tf.tidy(() => {
      const ei = this.particleEnergies(graph, tf.tensor2d(g, [frames, this.globalFeatures]), tf.tensor2d(graph.vectors, [graph.n * graph.k, 3]));
      const total = tf.sum(tf.reshape(ei, [frames, graph.nodesPerFrame]), 1);
      if (this.output === 'energy') return total;
      const [s1, sT] = this.sigmaRangeLj;
      return tf.div(total, s1 * Math.pow(sT / s1, tau)); // the network's sigma E, back to E
    });
    const out = Float64Array.from(e.dataSync());
    e.dispose();
    return out;
  }

  /** The checkpoint spec: the MDDM layers' spec with `kind: 'energy'` and {@link sigmaRangeLj}. */
  override toSpec(): DenoiserSpec {
    const spec: DenoiserSpec = { ...super.toSpec(), kind: 'energy', sigmaRangeLj: [this.sigmaRangeLj[0], this.sigmaRangeLj[1]] };
    if (this.output !== 'energy') spec.energyOutput = this.output; // absent = 'energy' (specs written before the option)
    return spec;
  }
}

/**
 * Creates an {@link EnergyDenoiser}: PBC-Conv-shaped layers (first Linear on `[d || f_i || f_j - f_i || g]`,
 * shifted-softplus MLP, mean or sum aggregation), DGCNN concat readout, a per-particle energy head.
 * @param config - see {@link EnergyDenoiserConfig}
 */
export function createEnergyDenoiser(config: EnergyDenoiserConfig): EnergyDenoiser {
  if (!config || typeof config !== 'object' || !config.schedule || !Array.isArray(Array.from(config.schedule.a ?? []))) {
    throw new ModelError(`createEnergyDenoiser needs { schedule, boxLength, ... }, got ${describeValue(config)}`, 'MODEL_BAD_CONFIG');
  }
  const k = checkInt(config.k ?? 12, 'k', 1);
  const depth = checkInt(config.layers ?? 3, 'layers', 1, 64);
  const width = checkInt(config.width ?? 32, 'width', 1);
  const hidden = config.hidden ?? [32];
  const aggregation = config.aggregation ?? 'mean';
  if (aggregation !== 'mean' && aggregation !== 'sum') throw new ModelError(`aggregation must be 'mean' | 'sum', got ${describeValue(aggregation)}`, 'MODEL_BAD_CONFIG');
  const L = config.boxLength;
  if (typeof L !== 'number' || !(L > 0) || !Number.isFinite(L)) throw new ModelError(`boxLength must be a finite length > 0 (LJ units), got ${describeValue(L)}`, 'MODEL_BAD_CONFIG');
  const seed = checkInt(config.seed ?? 0, 'seed', 0, 2 ** 31);
  const a = config.schedule.a;
  const T = config.schedule.T;
  const layers = Array.from({ length: depth }, (_, i) => pbcEdgeConv({
    inFeatures: i === 0 ? 0 : width, globalFeatures: 1, hidden, outFeatures: width, aggregation, activation: 'silu', kernel: 'composed', seed: seed * 101 + i + 1,
  }));
  const head = mlpHead({ inFeatures: depth * width + 1, hidden: config.headHidden ?? [64], outFeatures: 3, activation: 'silu', seed: seed * 101 + 99 });
  return new EnergyDenoiser({ k, layers, head, readout: 'concat', timeEncoding: 'log-sigma' }, [L * Math.sqrt(a[1]), L * Math.sqrt(a[T])], config.output ?? 'energy');
}

/**
 * Rebuilds an {@link EnergyDenoiser} (fresh weights) from its spec, `kind: 'energy'` (the registry's
 * factory for that kind; `loadDenoiser` calls it).
 * @throws ModelError `MODEL_CHECKPOINT_CORRUPT` (not a denoiser spec, or no `sigmaRangeLj`), `MODEL_BAD_CONFIG`
 */
export function energyDenoiserFromSpec(spec: DenoiserSpec): EnergyDenoiser {
  const range = spec?.sigmaRangeLj;
  if (!Array.isArray(range) || range.length !== 2) {
    throw new ModelError(`an energy denoiser spec needs sigmaRangeLj [s1, sT] (LJ units), got ${describeValue(range)}`, 'MODEL_CHECKPOINT_CORRUPT');
  }
  const d = new EnergyDenoiser(denoiserPartsFromSpec(spec), [range[0], range[1]], spec.energyOutput ?? 'energy');
  if (spec.training) d.training = JSON.parse(JSON.stringify(spec.training)) as TrainingInfo;
  return d;
}
