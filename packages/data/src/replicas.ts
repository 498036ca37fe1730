import type { Frame } from '@mddm/io/browser';
import { DataError } from './errors';

const REPLICA_ID = /^(.+)_s(\d+)$/;

/**
 * Groups replica frames with the frames they replicate: replica ids are `<parent id>_s<seed>`
 * (`opp-test-replicas` replicates `opp-test`, `opp-train-replicas` the first 25 of `opp-train`).
 * The MD outcomes at `frames[i]`'s parameters are then `[frames[i], ...replicasOf(frames, replicas)[i]]`.
 *
 * @param frames - the parent frames (`info.id` set, as in every shipped set)
 * @param replicas - the replica frames
 * @returns one array per parent frame, aligned with `frames` (empty where a frame has no replica), in the replicas' order
 * @throws {@link DataError} `DATA_BAD_ARGUMENT` when a replica's id is not `<id>_s<seed>` of one of
 *   `frames` (e.g. the wrong set, or parents sliced before grouping: group first, then slice)
 * @example
 * ```ts
 * const test = await loadDataset('opp-test');
 * const groups = replicasOf(test, await loadDataset('opp-test-replicas'));
 * console.log(test[0].info.id, groups[0].map((r) => r.info.seed)); // 0000_k13.9879_phi3.7511_T0.02142 [60000, 60001, 60002]
 * ```
 */
export function replicasOf(frames: readonly Frame[], replicas: readonly Frame[]): Frame[][] {
  const index = new Map<string, number>();
  frames.forEach((f, i) => index.set(String(f.info?.id), i));
  const groups: Frame[][] = frames.map(() => []);
  for (const r of replicas) {
    const id = String(r.info?.id);
    const m = REPLICA_ID.exec(id);
    const parent = m ? index.get(m[1]) : undefined;
    if (parent === undefined) {
      throw new DataError(`replica '${id}' is not '<id>_s<seed>' of any of the ${frames.length} given frames`, 'DATA_BAD_ARGUMENT');
    }
    groups[parent].push(r);
  }
  return groups;
}
