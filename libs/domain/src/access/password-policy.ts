/**
 * What makes a password acceptable, whoever sets it (an administrator creating or resetting an account,
 * the agent changing its own, a town pack): long enough, not built on the account's own e-mail or name,
 * not one of the passwords that leaked lists are full of, and hard enough to guess by the estimator's
 * score. The estimate itself (zxcvbn, with its dictionaries of common and breached passwords) is
 * computed by the caller: this rule is pure and only reads its summary.
 */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** zxcvbn score, 0 (instantly guessed) to 4 (very hard); 3 = "safely unguessable" against online attacks */
  minScore: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxLength: 200, minScore: 3 };

/** The estimator's verdict on a password (zxcvbn's result, reduced to what the rule reads). */
export interface PasswordEstimate {
  score: number;
  /** the parts of the password the estimator recognised in a list of common or breached passwords */
  commonPasswordTokens: readonly string[];
}

/** Whose password it is: none of these may be recognisable in it. */
export interface PasswordOwner {
  email?: string | null;
  displayName?: string | null;
}

export const PASSWORD_TOO_WEAK = 'password_too_weak';
export const PASSWORD_COMMON = 'password_common';

export type PasswordWeakness = 'too_short' | 'too_long' | 'contains_email' | 'contains_name' | 'guessable';

export type PasswordVerdict =
  | { ok: true }
  | {
      ok: false;
      code: typeof PASSWORD_COMMON | typeof PASSWORD_TOO_WEAK;
      reasons: PasswordWeakness[];
      policy: PasswordPolicy;
      score: number;
    };

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The pieces of the owner's identity that a password must not contain (4 letters or more). */
export function identityWords(owner: PasswordOwner): { email: string[]; name: string[] } {
  const local = fold(owner.email ?? '').split('@')[0] ?? '';
  const words = (s: string) => s.split(/[^a-z0-9]+/).filter((w) => w.length >= 4);
  return {
    email: [...new Set([...(local.length >= 4 ? [local] : []), ...words(local)])],
    name: [...new Set(words(fold(owner.displayName ?? '')))],
  };
}

/**
 * The decision. A password made mostly (half its length or more) of a known common password answers
 * `password_common`; any other weakness answers `password_too_weak` with every reason that applies.
 */
export function judgePassword(
  password: string,
  owner: PasswordOwner,
  estimate: PasswordEstimate,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): PasswordVerdict {
  const reasons: PasswordWeakness[] = [];
  const length = [...password].length;
  if (length < policy.minLength) reasons.push('too_short');
  if (length > policy.maxLength) reasons.push('too_long');
  const folded = fold(password);
  const ids = identityWords(owner);
  if (ids.email.some((w) => folded.includes(w))) reasons.push('contains_email');
  if (ids.name.some((w) => folded.includes(w))) reasons.push('contains_name');
  if (estimate.score < policy.minScore) reasons.push('guessable');
  const commonLength = estimate.commonPasswordTokens.reduce((n, t) => n + [...t].length, 0);
  if (commonLength * 2 >= length && length > 0 && estimate.score < 4) {
    return { ok: false, code: PASSWORD_COMMON, reasons, policy, score: estimate.score };
  }
  return reasons.length ? { ok: false, code: PASSWORD_TOO_WEAK, reasons, policy, score: estimate.score } : { ok: true };
}
