import { describe, expect, it } from 'vitest';
import { loadConditionPool, loadDataset } from '../src/index';

describe('loadConditionPool', () => {
  it('concatenates the sets in order with each frame\'s conditions read from its info', async () => {
    const pool = await loadConditionPool({ sets: ['opp-test', 'opp-unconditional'] });
    const test = await loadDataset('opp-test');
    const [target] = await loadDataset('opp-unconditional');
    expect(pool.length).toBe(test.length + 1);
    expect(pool[3].conditions).toEqual([test[3].info.k, test[3].info.phi, test[3].info.T]);
    expect(pool[3].id).toBe(test[3].info.id);
    expect(Array.from(pool[3].positions)).toEqual(Array.from(test[3].positions));
    expect(pool[test.length].conditions).toEqual([7, 1, 0.03]);
    expect(pool[test.length].box).toEqual(target.box);
    expect((await loadConditionPool({ sets: ['opp-test'] }, { keys: ['T'] }))[0].conditions).toEqual([test[0].info.T]);
    const pinned = await loadConditionPool({ sets: ['opp-test', 'opp-unconditional'], counts: { 'opp-test': 5 } });
    expect(pinned.map((f) => f.id)).toEqual([...test.slice(0, 5).map((f) => f.info.id), target.info.id]);
  });

  it('names an unknown set or a missing condition', async () => {
    await expect(loadConditionPool({ sets: [] })).rejects.toThrow(/non-empty array/);
    await expect(loadConditionPool({ sets: ['opp-nothing'] })).rejects.toThrow(/opp-nothing/);
    await expect(loadConditionPool({ sets: ['opp-test'] }, { keys: ['k', 'epsilon'] })).rejects.toThrow(/no finite info\.epsilon/);
    await expect(loadConditionPool({ sets: ['opp-test'], counts: { 'opp-test': 26 } })).rejects.toThrow(/counts\['opp-test'\] must be an integer in \[0, 25\]/);
  });
});
