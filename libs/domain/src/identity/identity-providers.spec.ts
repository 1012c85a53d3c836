import { claimAt, mappedAccess, readIdentity, requestedScopes } from './identity-providers';

const KEYCLOAK = { emailClaim: 'email', nameClaims: ['given_name', 'family_name'], groupsClaim: 'groups', allowedSirets: [] };

describe('identity providers: claims to an agent', () => {
  it('reads e-mail (lower-cased), name and groups, nested claims by dotted path', () => {
    expect(
      readIdentity(KEYCLOAK, {
        sub: 'k-1',
        email: ' Julie.Martin@Saint-Aubin.FR ',
        given_name: 'Julie',
        family_name: 'Martin',
        groups: ['a', 2, 'b'],
      }),
    ).toEqual({ subject: 'k-1', email: 'julie.martin@saint-aubin.fr', displayName: 'Julie Martin', groups: ['a', 'b'] });
    const claims = { sub: 's', email: 'x@y.fr', realm_access: { roles: ['grc-admins'] } };
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['grc-admins']);
    expect(claimAt(claims, 'realm_access.nope.deeper')).toBeUndefined();
    expect(readIdentity({ ...KEYCLOAK, groupsClaim: 'realm_access.roles' }, claims)).toMatchObject({
      groups: ['grc-admins'],
      displayName: 'x@y.fr',
    });
    // ProConnect: one organizational_unit string
    expect(
      readIdentity({ ...KEYCLOAK, groupsClaim: 'organizational_unit' }, { sub: 's', email: 'x@y.fr', organizational_unit: 'Voirie' }),
    ).toMatchObject({ groups: ['Voirie'] });
  });

  it('refuses a missing or unverified e-mail and a SIRET outside the list', () => {
    expect(readIdentity(KEYCLOAK, { sub: 's' })).toEqual({ refused: 'no_email' });
    expect(readIdentity(KEYCLOAK, { sub: 's', email: 'pas-une-adresse' })).toEqual({ refused: 'no_email' });
    expect(readIdentity(KEYCLOAK, { sub: 's', email: 'x@y.fr', email_verified: false })).toEqual({ refused: 'email_unverified' });
    const pc = { ...KEYCLOAK, allowedSirets: ['21350001600011'] };
    expect(readIdentity(pc, { sub: 's', email: 'x@y.fr', siret: '21350001600012' })).toEqual({ refused: 'siret_refused' });
    expect(readIdentity(pc, { sub: 's', email: 'x@y.fr' })).toEqual({ refused: 'siret_refused' });
    expect(readIdentity(pc, { sub: 's', email: 'x@y.fr', siret: '213 500 016 00011' })).toMatchObject({ email: 'x@y.fr' });
  });

  it('maps groups to the widest role and the union of departments; nothing when no group matches', () => {
    const m = [
      { group: 'grc-voirie', role: 'agent' as const, departments: ['voirie'] },
      { group: 'grc-voirie-chefs', role: 'head' as const, departments: ['voirie', 'proprete'] },
      { group: 'grc-admins', role: 'admin' as const, departments: [] },
    ];
    expect(mappedAccess(m, ['grc-voirie'])).toEqual({ role: 'agent', departments: ['voirie'] });
    expect(mappedAccess(m, ['grc-voirie', 'grc-voirie-chefs'])).toEqual({ role: 'head', departments: ['proprete', 'voirie'] });
    expect(mappedAccess(m, ['grc-admins', 'grc-voirie'])).toEqual({ role: 'admin', departments: ['voirie'] });
    expect(mappedAccess(m, ['autre'])).toBeNull();
    expect(mappedAccess(m, [])).toBeNull();
  });

  it('always asks for openid, once, first', () => {
    expect(requestedScopes('email profile openid  groups')).toBe('openid email profile groups');
    expect(requestedScopes('')).toBe('openid');
  });
});
