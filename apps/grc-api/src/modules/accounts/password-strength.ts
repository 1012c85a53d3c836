import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { identityWords, judgePassword, PASSWORD_COMMON, type PasswordOwner, type PasswordVerdict } from '@grc/domain';
import { zxcvbn } from '../../common/on-demand';
import { ProblemException } from '../../common/problem';

/**
 * zxcvbn-ts with its common (breached passwords, keyboard layouts) and French dictionaries, all shipped
 * in the npm packages: nothing is fetched at run time. Built on first use (the dictionaries take a
 * moment to index) and kept for the process.
 */
let estimator: ZxcvbnFactory | null = null;
const estimate = () => {
  if (estimator) return estimator;
  const { core, common, fr } = zxcvbn();
  return (estimator = new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...fr.dictionary },
    graphs: common.adjacencyGraphs,
    translations: fr.translations,
  }));
};

/** zxcvbn only reads the first 100 characters (its cost grows with length); the rest cannot make it weaker. */
const ESTIMATED_LENGTH = 100;

/** The domain's verdict on `password` for this owner (libs/domain judgePassword). */
export function passwordVerdict(password: string, owner: PasswordOwner): PasswordVerdict {
  const ids = identityWords(owner);
  const result = estimate().check(password.slice(0, ESTIMATED_LENGTH), [...ids.email, ...ids.name]);
  const commonPasswordTokens = result.sequence
    .filter((m) => m.pattern === 'dictionary' && (m as { dictionaryName?: string }).dictionaryName === 'passwords-common')
    .map((m) => m.token);
  return judgePassword(password, owner, { score: result.score, commonPasswordTokens });
}

const REASONS: Record<string, string> = {
  too_short: 'trop court',
  too_long: 'trop long',
  contains_email: 'contient votre adresse e-mail',
  contains_name: 'contient votre nom',
  guessable: 'trop facile à deviner',
};

/** Throws 400 with `field` at fault, code `password_common` or `password_too_weak` and the reasons as parameters. */
export function assertAcceptablePassword(password: string, owner: PasswordOwner, field = 'password'): void {
  const v = passwordVerdict(password, owner);
  if (v.ok) return;
  const message =
    v.code === PASSWORD_COMMON
      ? 'Ce mot de passe figure parmi les plus courants ou les plus divulgués : choisissez-en un autre.'
      : `Mot de passe refusé : ${v.reasons.map((r) => REASONS[r]).join(', ')}. Il faut au moins ${v.policy.minLength} caractères, sans votre nom ni votre adresse ; une phrase de plusieurs mots convient bien.`;
  throw new ProblemException(400, 'Mot de passe refusé', message, [
    {
      field,
      message,
      code: v.code,
      params: { reasons: v.reasons.join(','), minLength: v.policy.minLength, minScore: v.policy.minScore, score: v.score },
    },
  ]);
}
