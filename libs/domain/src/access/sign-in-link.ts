/**
 * A sign-in link (issue 14): how the first administrator — or any agent an administrator invites —
 * gets into the console without a password ever being typed on a command line or put in a pack. The
 * link carries a random token (only its hash is stored), works once, and expires; opening it leads to
 * a "choose your password" page. Pure rules: the API stores and checks, the console words the codes.
 */

/** How long a link works when neither the command nor GRC_SIGN_IN_LINK_HOURS says otherwise. */
export const SIGN_IN_LINK_DEFAULT_HOURS = 24;
/** The longest a link may be made to work (30 days): a forgotten link must not stay a way in forever. */
export const SIGN_IN_LINK_MAX_HOURS = 720;

/** The console's page a link opens; the token travels in the fragment (never sent to a server, never in a log or a Referer). */
export const SIGN_IN_LINK_PATH = '/bienvenue';

export const SIGN_IN_LINK_INVALID = 'sign_in_link_invalid';
export const SIGN_IN_LINK_EXPIRED = 'sign_in_link_expired';
export const SIGN_IN_LINK_USED = 'sign_in_link_used';
export const SIGN_IN_LINK_AGENT_INACTIVE = 'sign_in_link_agent_inactive';

export type SignInLinkRefusal =
  typeof SIGN_IN_LINK_INVALID | typeof SIGN_IN_LINK_EXPIRED | typeof SIGN_IN_LINK_USED | typeof SIGN_IN_LINK_AGENT_INACTIVE;

/** What the store knows of a link (null: no link has this token's hash — forged, mistyped, or purged). */
export interface SignInLinkRecord {
  expiresAt: Date;
  usedAt: Date | null;
  agentActive: boolean;
}

/** Whether a link may still be used at `now`, else why not (a used link says so even once it has expired too). */
export function signInLinkVerdict(link: SignInLinkRecord | null, now: Date): { ok: true } | { ok: false; code: SignInLinkRefusal } {
  if (!link) return { ok: false, code: SIGN_IN_LINK_INVALID };
  if (link.usedAt) return { ok: false, code: SIGN_IN_LINK_USED };
  if (link.expiresAt.getTime() <= now.getTime()) return { ok: false, code: SIGN_IN_LINK_EXPIRED };
  if (!link.agentActive) return { ok: false, code: SIGN_IN_LINK_AGENT_INACTIVE };
  return { ok: true };
}

/** The link's expiry for a lifetime in hours (whole hours, 1 to SIGN_IN_LINK_MAX_HOURS). */
export function signInLinkExpiry(now: Date, hours: number): Date {
  if (!Number.isInteger(hours) || hours < 1 || hours > SIGN_IN_LINK_MAX_HOURS)
    throw new RangeError(`a sign-in link lasts 1 to ${SIGN_IN_LINK_MAX_HOURS} hours (got ${hours})`);
  return new Date(now.getTime() + hours * 3_600_000);
}

/** The address to give the person: the console's page, the token in the fragment. */
export function signInLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${SIGN_IN_LINK_PATH}#${encodeURIComponent(token)}`;
}
