import type { Frame } from '@mddm/io';
import { describe, expect, it } from 'vitest';
import { DataError, replicasOf } from '../src/index';

const frame = (id: string, seed: number): Frame => ({ positions: new Float64Array(3), box: [10, 10, 10], info: { id, seed } });

describe('replicasOf', () => {
  it('groups replicas (<id>_s<seed>) with their parents, aligned with the parents', () => {
    const parents = [frame('0000_k1_phi2_T0.01', 50000), frame('0001_k3_phi4_T0.02', 50001), frame('k7_phi1_T0.03_s1', 1)];
    const replicas = [frame('0001_k3_phi4_T0.02_s60003', 60003), frame('0000_k1_phi2_T0.01_s60000', 60000), frame('0000_k1_phi2_T0.01_s60001', 60001), frame('k7_phi1_T0.03_s1_s9', 9)];
    const groups = replicasOf(parents, replicas);
    expect(groups.map((g) => g.map((r) => r.info.seed))).toEqual([[60000, 60001], [60003], [9]]);
    expect(replicasOf(parents, [])).toEqual([[], [], []]);
  });

  it('rejects a replica without a parent among the frames (wrong set, or parents sliced first)', () => {
    const parents = [frame('0000_a', 1)];
    expect(() => replicasOf(parents, [frame('0001_b_s60003', 60003)])).toThrow(DataError);
    expect(() => replicasOf(parents, [frame('0001_b_s60003', 60003)])).toThrow(/replica '0001_b_s60003' is not '<id>_s<seed>' of any of the 1 given frames/);
    expect(() => replicasOf(parents, [frame('0000_a', 2)])).toThrow(/replica '0000_a'/); // no _s<seed> suffix
  });
});
