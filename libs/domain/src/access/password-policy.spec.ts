import { DEFAULT_PASSWORD_POLICY, identityWords, judgePassword } from './password-policy';

const strong = { score: 4, commonPasswordTokens: [] };
const owner = { email: 'camille.durand@saint-aubin.fr', displayName: 'Camille Durand' };

describe('judgePassword', () => {
  it('accepts a long, unguessable password unrelated to its owner', () => {
    expect(judgePassword('soleil-maison-velo-42', owner, strong)).toEqual({ ok: true });
  });

  it('refuses a short password, naming the length', () => {
    const v = judgePassword('Xk9!pq', owner, strong);
    expect(v).toMatchObject({ ok: false, code: 'password_too_weak', reasons: ['too_short'], policy: DEFAULT_PASSWORD_POLICY });
  });

  it("refuses a password containing the owner's e-mail or name, accents and case aside", () => {
    expect(judgePassword('x-DURAND-soleil-velo', owner, strong)).toMatchObject({ ok: false, reasons: ['contains_email', 'contains_name'] });
    expect(judgePassword('Hélène-velo-soleil-42', { email: 'h@x.fr', displayName: 'Helene Martin' }, strong)).toMatchObject({
      ok: false,
      reasons: ['contains_name'],
    });
    expect(judgePassword('camille.durand-2026!', owner, strong)).toMatchObject({ reasons: ['contains_email', 'contains_name'] });
  });

  it('ignores identity words shorter than four letters', () => {
    expect(identityWords({ email: 'jo@x.fr', displayName: 'Jo Li' })).toEqual({ email: [], name: [] });
  });

  it('refuses a guessable password by its score', () => {
    expect(judgePassword('azertyuiop12', owner, { score: 1, commonPasswordTokens: [] })).toMatchObject({
      ok: false,
      code: 'password_too_weak',
      reasons: ['guessable'],
      score: 1,
    });
  });

  it('answers password_common when most of it is a known common password', () => {
    expect(judgePassword('Password1234', owner, { score: 1, commonPasswordTokens: ['Password', '1234'] })).toMatchObject({
      ok: false,
      code: 'password_common',
    });
    // a common word inside a strong passphrase is fine
    expect(judgePassword('motdepasse-soleil-velo-ciel', owner, { score: 4, commonPasswordTokens: ['motdepasse'] })).toEqual({ ok: true });
  });
});
