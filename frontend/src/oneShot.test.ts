import { describe, expect, it } from 'vitest';
import { oneShot } from './oneShot';

describe('oneShot', () => {
  it('runs an action once per key', async () => {
    let runs = 0;
    const action = async () => ++runs;
    const [a, b] = await Promise.all([oneShot('k1', action), oneShot('k1', action)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await oneShot('k2', action)).toBe(2);
  });
});
