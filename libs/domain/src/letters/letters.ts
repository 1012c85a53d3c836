import type { Channel } from '../ticket/channel';

/**
 * Replies by post (issue 13): how an approved reply reaches the citizen. Pure rules, no I/O — the API's mail
 * listener and letters listener both ask `replyDelivery`, so a reply is e-mailed or printed, never both.
 */

/** How a reply leaves: an e-mail through the outbox, a letter queued in "courrier à envoyer", or nothing (no contact). */
export type ReplyDelivery = 'email' | 'letter' | 'none';

/** Channels on paper or in person: the answer goes back the same way, by post. */
export const POSTAL_CHANNELS: readonly Channel[] = ['mail', 'counter'];

export interface RecipientContacts {
  /** the request's channel */
  channel: Channel;
  email: string | null;
  /** the citizen's street line (postcode and city alone do not deliver a letter) */
  address: string | null;
  city: string | null;
  preferredChannel: string | null;
}

const filled = (s: string | null | undefined): boolean => !!s && s.trim().length > 0;
/** A postal address a letter can carry: a street line and a town. */
export const hasPostalAddress = (c: Pick<RecipientContacts, 'address' | 'city'>): boolean => filled(c.address) && filled(c.city);

/**
 * The delivery mode of a reply. The citizen's stated preference wins when its contact exists (e-mail, or post
 * for 'mail'/'counter'); otherwise a request received by letter or at the counter is answered by letter when the
 * citizen has a postal address, any other request by e-mail; failing the first, the other; failing both, none
 * (the reply stays on the timeline, the agent calls back).
 */
export function replyDelivery(c: RecipientContacts): ReplyDelivery {
  const email = filled(c.email);
  const post = hasPostalAddress(c);
  if (c.preferredChannel === 'email' && email) return 'email';
  if ((c.preferredChannel === 'mail' || c.preferredChannel === 'counter') && post) return 'letter';
  if (POSTAL_CHANNELS.includes(c.channel)) return post ? 'letter' : email ? 'email' : 'none';
  return email ? 'email' : post ? 'letter' : 'none';
}

/** The lines of the recipient's block, as a letter prints them (name, to the attention of, street, postcode + city). */
export function recipientLines(r: {
  name: string;
  contactPerson?: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
}): string[] {
  const lines = [r.name.trim()];
  if (filled(r.contactPerson)) lines.push(`À l’attention de ${r.contactPerson!.trim()}`);
  for (const l of (r.address ?? '').split(/\r?\n/)) if (l.trim()) lines.push(l.trim());
  const town = [r.postcode?.trim(), r.city?.trim().toUpperCase()].filter(Boolean).join(' ');
  if (town) lines.push(town);
  return lines;
}

export const LETTER_STATES = ['to_send', 'sent'] as const;
export type LetterState = (typeof LETTER_STATES)[number];

/** Marking a letter sent: only a letter still to send (a second click, or a colleague first, is a 409). */
export function decideLetterSent(state: LetterState): { ok: true } | { ok: false; code: string; message: string; field: string } {
  return state === 'to_send'
    ? { ok: true }
    : { ok: false, code: 'letter.already_sent', message: 'Ce courrier est déjà marqué envoyé.', field: 'state' };
}

// — reply templates scoped to a department and/or a category —

export interface ScopedTemplate {
  departmentId: string | null;
  categoryId: string | null;
}
/** How well a template fits a ticket: both scopes match, its category, its department, a general one, or another service's. */
export type TemplateFit = 'exact' | 'category' | 'department' | 'general' | 'other';
const FIT_RANK: Record<TemplateFit, number> = { exact: 0, category: 1, department: 2, general: 3, other: 4 };

export function templateFit(t: ScopedTemplate, ticket: { departmentId: string; categoryId: string }): TemplateFit {
  const dep = t.departmentId === null ? null : t.departmentId === ticket.departmentId;
  const cat = t.categoryId === null ? null : t.categoryId === ticket.categoryId;
  if (dep === false || cat === false) return 'other';
  if (dep && cat) return 'exact';
  if (cat) return 'category';
  if (dep) return 'department';
  return 'general';
}

/**
 * The templates in the order the composer proposes them for a ticket: those of its category and department
 * first, then its category's, its department's, the general ones, and last the other services' (still usable).
 * Stable within a rank (the caller's order, by name).
 */
export function rankTemplates<T extends ScopedTemplate>(
  templates: readonly T[],
  ticket: { departmentId: string; categoryId: string },
): Array<T & { fit: TemplateFit }> {
  return templates
    .map((t, i) => ({ t: { ...t, fit: templateFit(t, ticket) }, i }))
    .sort((a, b) => FIT_RANK[a.t.fit] - FIT_RANK[b.t.fit] || a.i - b.i)
    .map(({ t }) => t);
}

/**
 * The title under the signatory's name: the head of the department signs as its head, an agent for the department
 * (departments are named as they are printed: "Service voirie et réseaux").
 */
export function signatoryTitle(role: string, departmentName: string): string {
  return role === 'head' ? `Responsable — ${departmentName}` : departmentName;
}
