import { ROLES, type Role } from '../access/roles';

/**
 * OpenID Connect sign-in for agents: the identity providers an administrator configures (the town's
 * Keycloak, Entra ID, ProConnect) and the pure rules that turn a provider's claims into a GRC agent.
 * No I/O here: the API's auth/oidc module runs the flow (openid-client) and applies these decisions.
 */
export const IDENTITY_PROVIDER_KINDS = ['oidc', 'proconnect'] as const;
export type IdentityProviderKind = (typeof IDENTITY_PROVIDER_KINDS)[number];

/** A value of the groups claim gives a role and departments (codes) to an agent created on first sign-in. */
export interface GroupMapping {
  group: string;
  role: Role;
  /** department codes (departments.code) */
  departments: string[];
}

/** What an administrator writes. `clientSecret`: write-only; absent or empty on update keeps the stored one. */
export interface IdentityProviderInput {
  /** in the URLs (`/api/v1/auth/oidc/<slug>/callback`): lower case, digits, dashes */
  slug: string;
  /** the button's words: "Se connecter avec <label>" */
  label: string;
  kind: IdentityProviderKind;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** space-separated, `openid` included */
  scopes: string;
  /** claim holding the e-mail address (default `email`); a dotted path reaches a nested claim */
  emailClaim: string;
  /** claims joined with a space for the display name, e.g. ["given_name", "usual_name"] */
  nameClaims: string[];
  /** claim holding the groups (array or string), e.g. `groups`, `realm_access.roles`, `organizational_unit`; null: none */
  groupsClaim: string | null;
  groupMappings: GroupMapping[];
  /** create an agent on first sign-in from the group mappings (audited `agent.provision`) */
  jitProvisioning: boolean;
  /** e.g. `eidas1` (ProConnect); null: not sent */
  acrValues: string | null;
  /** ProConnect: sign-in refused unless the `siret` claim is one of these; empty: any */
  allowedSirets: string[];
  enabled: boolean;
}

export interface IdentityProvider extends Omit<IdentityProviderInput, 'clientSecret'> {
  id: string;
  hasClientSecret: boolean;
  /** the redirect URI to register at the provider */
  redirectUri: string;
  /** where the provider may send the browser back after a logout */
  postLogoutRedirectUri: string;
  version: number;
}

/** What the login page lists (public). */
export interface LoginProvider {
  slug: string;
  label: string;
  kind: IdentityProviderKind;
}

/** Why a sign-in through a provider was refused: `/login?sso_error=<code>`, worded by the console. */
export const SSO_ERRORS = [
  'unknown_provider',
  'provider_unavailable',
  'state_mismatch',
  'idp_error',
  'token_error',
  'no_email',
  'email_unverified',
  'siret_refused',
  'unknown_agent',
  'deactivated',
  'no_role',
] as const;
export type SsoError = (typeof SSO_ERRORS)[number];
export const isSsoError = (v: unknown): v is SsoError => (SSO_ERRORS as readonly unknown[]).includes(v);

export type Claims = Record<string, unknown>;

/** A claim by name, or by a dotted path into nested objects (`realm_access.roles`). */
export function claimAt(claims: Claims, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let v: unknown = claims;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

export interface SignInIdentity {
  subject: string;
  /** lower case */
  email: string;
  displayName: string;
  groups: string[];
}

type MappingFields = Pick<IdentityProviderInput, 'emailClaim' | 'nameClaims' | 'groupsClaim' | 'allowedSirets'>;

/**
 * Who the provider says signed in, or why that is not enough: no usable e-mail, an e-mail the provider marks
 * unverified (`email_verified: false`), a SIRET outside the town's list.
 */
export function readIdentity(p: MappingFields, claims: Claims): SignInIdentity | { refused: SsoError } {
  const rawEmail = claimAt(claims, p.emailClaim || 'email');
  const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) return { refused: 'no_email' };
  if (claims['email_verified'] === false) return { refused: 'email_unverified' };
  if (p.allowedSirets.length) {
    const siret = claimAt(claims, 'siret');
    if (typeof siret !== 'string' || !p.allowedSirets.includes(siret.replace(/\s/g, ''))) return { refused: 'siret_refused' };
  }
  const name = p.nameClaims
    .flatMap((c) => strings(claimAt(claims, c)))
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ')
    .slice(0, 200);
  return {
    subject: String(claims['sub'] ?? ''),
    email,
    displayName: name || email,
    groups: p.groupsClaim ? strings(claimAt(claims, p.groupsClaim)) : [],
  };
}

/** Which role wins when several groups match: the widest. */
// the DPO ranks between agent and head: a DPO who is also in an agents' group keeps the rights' permissions
const RANK: Record<Role, number> = { admin: 4, head: 3, dpo: 2, agent: 1, elected: 0 };

/**
 * The role and departments a new agent gets from its groups: the widest role among the matching mappings,
 * the departments of all of them (sorted, unique); null when no mapping matches.
 */
export function mappedAccess(mappings: readonly GroupMapping[], groups: readonly string[]): { role: Role; departments: string[] } | null {
  const matched = mappings.filter((m) => groups.includes(m.group) && (ROLES as readonly string[]).includes(m.role));
  if (!matched.length) return null;
  const role = matched.reduce((best, m) => (RANK[m.role] > RANK[best] ? m.role : best), matched[0]!.role);
  return { role, departments: [...new Set(matched.flatMap((m) => m.departments))].sort() };
}

/** The scopes sent: the configured ones, `openid` always first and once. */
export function requestedScopes(scopes: string): string {
  return ['openid', ...scopes.split(/\s+/).filter((s) => s && s !== 'openid')].filter((s, i, all) => all.indexOf(s) === i).join(' ');
}
