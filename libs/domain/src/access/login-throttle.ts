/**
 * How an account is protected against password guessing without locking a town hall out of itself:
 * successful logins never count; an account's consecutive failures (reset by a success) are allowed up to
 * `allowedFailures`, then each further failure locks the account for a doubling delay, capped.
 */
export interface LoginThrottlePolicy {
  /** consecutive failures before the first lock */
  allowedFailures: number;
  /** the first lock; each further failure doubles it */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = { allowedFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600 };

/** Seconds the account stays locked after its n-th consecutive failure (0: not locked). */
export function lockSecondsAfter(failures: number, policy: LoginThrottlePolicy = DEFAULT_LOGIN_THROTTLE): number {
  if (failures < policy.allowedFailures) return 0;
  const doublings = Math.min(failures - policy.allowedFailures, 30);
  return Math.min(policy.baseLockSeconds * 2 ** doublings, policy.maxLockSeconds);
}

/** Problem codes of a refused login attempt (the console words them, fr/en, with Retry-After). */
export const LOGIN_LOCKED = 'auth.locked';
export const LOGIN_IP_THROTTLED = 'auth.ip_throttled';
