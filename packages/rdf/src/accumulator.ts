import type { BoxLike, Vec3Array } from '@mddm/pbc';
import { RdfError } from './errors';
import { RdfWorkspace } from './pairCounts';
import { countFrame, resolveOptions } from './rdf';
import type { RdfOptions, ResolvedOptions } from './rdf';
import { makeResult } from './result';
import type { RdfResult } from './result';

/**
 * Multi-frame RDF: sums ordered pair counts over frames ("frames are averaged by summing counts",
 * SPEC §3) and normalizes by the summed ordered-pair density:
 *
 * `g_b = sum_f counts_{f,b} / (shell_b * sum_f P_f / V_f)`, `P_f = N_f (N_f - 1)` (or
 * `N_A N_B - |A ∩ B|` for a partial RDF).
 *
 * This is the ratio of observed to ideal-gas-expected pair counts over all frames, so it is exactly
 * 1 in expectation for uniform random frames of ANY mix of N and V. Equivalently, it is the average of
 * the per-frame g weighted by each frame's pair density `P_f / V_f`; with equal N and V in every
 * frame it is the plain mean of the per-frame g. (Normalizing by the mean N instead,
 * `F * N̄ (N̄ - 1) / V`, would be biased when N varies.)
 *
 * `rMax` is fixed by the options or by the first frame (half its shortest edge); every later frame's
 * box must allow it (`rMax <= min(L_f) / 2`). Index sets (partial RDF) apply to every frame.
 * The accumulator owns an {@link RdfWorkspace}: `add` does not allocate after the first frames.
 *
 * @example
 * ```ts
 * const acc = new RdfAccumulator({ bins: 100 });
 * for (const frame of frames) acc.add(frame.positions, frame.box);
 * const { centers, g } = acc.result();
 * ```
 */
export class RdfAccumulator {
  private readonly opts: ResolvedOptions;
  private readonly ws: RdfWorkspace;
  private rMaxFixed: number | undefined;
  private readonly sums: Float64Array;
  private pairDensity = 0;
  private referenceCount = 0;
  private nSum = 0;
  private volumeSum = 0;
  private count = 0;

  /**
   * @param options - as for {@link rdf}: bins (default 100), rMax (default: from the first frame),
   *   indicesA / indicesB, method, workspace
   * @throws {@link RdfError} on bad options
   */
  constructor(options?: RdfOptions) {
    this.opts = resolveOptions(options);
    this.ws = options?.workspace ?? new RdfWorkspace();
    this.rMaxFixed = this.opts.rMax;
    this.sums = new Float64Array(this.opts.bins);
  }

  /** Number of frames added so far. */
  get frames(): number {
    return this.count;
  }

  /** `rMax` in use (LJ length units), or `undefined` before the first frame if not given. */
  get rMax(): number | undefined {
    return this.rMaxFixed;
  }

  /**
   * Add one frame's ordered pair counts.
   *
   * @param positions - flat `[N, 3]` coordinates; N may differ between frames
   * @param box - cubic `L`, `[Lx, Ly, Lz]` or a `Box`; may differ between frames
   * @returns `this`
   * @throws {@link RdfError} if the frame's box is too small for `rMax`, an index is out of range or the
   *   frame has no pair; `PbcError` on bad positions / box. A failed frame leaves the sums unchanged.
   */
  add(positions: Vec3Array, box: BoxLike): this {
    const frameCounts = this.scratch(); // per-frame buffer: added to the sums only if the frame is valid
    frameCounts.fill(0);
    const f = countFrame(positions, box, this.opts, this.rMaxFixed, this.ws, frameCounts);
    this.rMaxFixed = f.rMax;
    const s = this.sums;
    for (let b = 0; b < s.length; b++) s[b] += frameCounts[b];
    this.pairDensity += f.pairs / f.volume;
    this.referenceCount += f.nA;
    this.nSum += f.n;
    this.volumeSum += f.volume;
    this.count++;
    return this;
  }

  private frameBuf: Float64Array | null = null;
  private scratch(): Float64Array {
    if (this.frameBuf === null) this.frameBuf = new Float64Array(this.opts.bins);
    return this.frameBuf;
  }

  /**
   * The RDF over all frames added so far (a snapshot: later `add` calls do not change it).
   *
   * @throws {@link RdfError} (`RDF_EMPTY`) if no frame was added
   */
  result(): RdfResult {
    if (this.count === 0 || this.rMaxFixed === undefined) {
      throw new RdfError('RdfAccumulator.result(): no frame was added yet; call add(positions, box) first', 'RDF_EMPTY');
    }
    return makeResult(
      this.sums, this.opts.bins, this.rMaxFixed, this.pairDensity, this.referenceCount,
      this.nSum / this.count, this.volumeSum / this.count, this.count,
    );
  }

  /** Forget all frames (keeps options; `rMax` returns to the constructor's value). */
  reset(): this {
    this.sums.fill(0);
    this.pairDensity = 0;
    this.referenceCount = 0;
    this.nSum = 0;
    this.volumeSum = 0;
    this.count = 0;
    this.rMaxFixed = this.opts.rMax;
    return this;
  }
}
