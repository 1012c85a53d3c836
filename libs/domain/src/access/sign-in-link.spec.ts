import {
  SIGN_IN_LINK_AGENT_INACTIVE,
  SIGN_IN_LINK_EXPIRED,
  SIGN_IN_LINK_INVALID,
  SIGN_IN_LINK_USED,
  signInLinkExpiry,
  signInLinkUrl,
  signInLinkVerdict,
} from './sign-in-link';

const now = new Date('2026-12-01T10:00:00Z');
const later = new Date('2026-12-02T10:00:00Z');

describe('sign-in links', () => {
  it('a link not used and not expired opens', () => {
    expect(signInLinkVerdict({ expiresAt: later, usedAt: null, agentActive: true }, now)).toEqual({ ok: true });
  });
  it('an unknown token is refused as invalid', () => {
    expect(signInLinkVerdict(null, now)).toEqual({ ok: false, code: SIGN_IN_LINK_INVALID });
  });
  it('a link expires at its expiry, not a millisecond later', () => {
    expect(signInLinkVerdict({ expiresAt: now, usedAt: null, agentActive: true }, now)).toEqual({ ok: false, code: SIGN_IN_LINK_EXPIRED });
    expect(signInLinkVerdict({ expiresAt: new Date(now.getTime() + 1), usedAt: null, agentActive: true }, now).ok).toBe(true);
  });
  it('a used link says it was used, even once expired', () => {
    const v = signInLinkVerdict({ expiresAt: new Date(now.getTime() - 1), usedAt: new Date(now.getTime() - 5), agentActive: true }, now);
    expect(v).toEqual({ ok: false, code: SIGN_IN_LINK_USED });
  });
  it('a deactivated agent’s link is refused', () => {
    expect(signInLinkVerdict({ expiresAt: later, usedAt: null, agentActive: false }, now)).toEqual({
      ok: false,
      code: SIGN_IN_LINK_AGENT_INACTIVE,
    });
  });
  it('expiry: whole hours from 1 to 720', () => {
    expect(signInLinkExpiry(now, 24)).toEqual(later);
    expect(() => signInLinkExpiry(now, 0)).toThrow(RangeError);
    expect(() => signInLinkExpiry(now, 721)).toThrow(RangeError);
    expect(() => signInLinkExpiry(now, 1.5)).toThrow(RangeError);
  });
  it('the token goes in the fragment of the console’s page', () => {
    expect(signInLinkUrl('https://grc.ville.fr/', 'abc_-1')).toBe('https://grc.ville.fr/bienvenue#abc_-1');
  });
});
