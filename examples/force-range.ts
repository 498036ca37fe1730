/**
 * How much of the OPP force comes from within a radius: the analytic force truncated at `cutoff`
 * against the full one (r_c = 3 LJ) on the MD replicas at k = 7, phi = 1, T = 0.03. A denoiser whose
 * graph reaches only radius r can at best learn the truncated force directly (docs/seed-paper-tools.md).
 *
 *   pnpm exec tsx examples/force-range.ts
 */
import { oppForces } from '@mddm/io';
import { forceAgreement } from '@mddm/model';
import { mdFrames } from './mdData';

const frames = await mdFrames('opp-replicas');
const full = frames.map((f) => oppForces(f.positions, f.box, { k: 7, phi: 1 }, { cutoff: 3 }).forces);
for (const cutoff of [1.2, 1.5, 2.0, 2.5]) {
  let cosine = 0, ratio = 0;
  for (const [i, f] of frames.entries()) {
    const near = oppForces(f.positions, f.box, { k: 7, phi: 1 }, { cutoff }).forces;
    const a = forceAgreement(near, full[i]);
    cosine += a.meanCosine / frames.length;
    ratio += a.medianRatio / frames.length;
  }
  console.log(`cutoff ${cutoff} LJ: mean cosine with the full force ${cosine.toFixed(3)}, median magnitude ratio ${ratio.toFixed(3)}`);
}
