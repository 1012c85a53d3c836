import { DEFAULT_LOGIN_THROTTLE, lockSecondsAfter } from './login-throttle';

describe('lockSecondsAfter', () => {
  it('lets the first failures through, then locks for a doubling delay, capped', () => {
    expect([1, 2, 3, 4].map((n) => lockSecondsAfter(n))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => lockSecondsAfter(n))).toEqual([60, 120, 240, 480]);
    expect(lockSecondsAfter(12)).toBe(3600);
    expect(lockSecondsAfter(10_000)).toBe(3600);
  });
  it('follows the configured policy', () => {
    const p = { ...DEFAULT_LOGIN_THROTTLE, allowedFailures: 3, baseLockSeconds: 10, maxLockSeconds: 25 };
    expect([2, 3, 4, 5].map((n) => lockSecondsAfter(n, p))).toEqual([0, 10, 20, 25]);
  });
});
