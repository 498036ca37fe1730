import { describe, expect, it } from 'vitest';
import { loadConditionPool, loadDataset } from '../src/index';

describe('loadConditionPool', () => {
  it('concatenates the sets in order with each frame\'s conditions read from its info', async () => {
    const pool = await loadConditionPool(['opp-test', 'opp-unconditional']);
    const test = await loadDataset('opp-test');
    const [target] = await loadDataset('opp-unconditional');
    expect(pool.length).toBe(test.length + 1);
    expect(pool[3].conditions).toEqual([test[3].info.k, test[3].info.phi, test[3].info.T]);
    expect(pool[3].id).toBe(test[3].info.id);
    expect(Array.from(pool[3].positions)).toEqual(Array.from(test[3].positions));
    expect(pool[test.length].conditions).toEqual([7, 1, 0.03]);
    expect(pool[test.length].box).toEqual(target.box);
    expect((await loadConditionPool(['opp-test'], ['T']))[0].conditions).toEqual([test[0].info.T]);
  });

  it('names an unknown set or a missing condition', async () => {
    await expect(loadConditionPool([])).rejects.toThrow(/non-empty array/);
    await expect(loadConditionPool(['opp-nothing' as never])).rejects.toThrow(/opp-nothing/);
    await expect(loadConditionPool(['opp-test'], ['k', 'epsilon'])).rejects.toThrow(/no finite info\.epsilon/);
  });
});
