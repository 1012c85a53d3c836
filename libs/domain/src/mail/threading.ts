import { parseReference } from '../ticket/reference';
import { domainOf } from './headers';

/**
 * Threading: which ticket an incoming e-mail answers. Only what we really sent can thread a message:
 *  1. a Message-ID of In-Reply-To/References that exists in our outbox (the caller looks the ids up in
 *     mail_outbox: the shape `<GRC-2026-000123.<uuid>@domain>` alone proves nothing, anyone can write it);
 *  2. the signed per-ticket reply address `town+GRC-2026-000123.<token>@domain` of our Reply-To, whose token
 *     is an HMAC of the reference under the app's secret (the caller checks it: this library has no crypto).
 * Anything else — a reference in the subject, the reply address without its token or with a wrong one, a
 * Message-ID we never sent, the citizen's address in From (forgeable) — makes a new request; the reason the
 * clue was refused is recorded with the imported message.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REF = '[A-Z]{2,6}-\\d{4}-\\d{6,12}';
/** The reply address's token: hexadecimal (local parts may be lowercased by mail servers). */
export const REPLY_TOKEN_LENGTH = 20;

export function outgoingMessageId(reference: string, outboxId: string, domain: string): string {
  return `<${reference}.${outboxId}@${domain.toLowerCase()}>`;
}

/** The reference and outbox id inside one of our Message-IDs, or null (another domain, another shape). */
export function parseOutgoingMessageId(messageId: string, domain: string): { reference: string; outboxId: string } | null {
  const m = new RegExp(`^<?(${REF})\\.(${UUID})@([^>]+)>?$`, 'i').exec(messageId.trim());
  if (!m || m[3]!.toLowerCase() !== domain.toLowerCase()) return null;
  const reference = parseReference(m[1]!);
  return reference ? { reference, outboxId: m[2]!.toLowerCase() } : null;
}

/** Every `<id>` of an In-Reply-To / References value (or a list of them), in order, without duplicates. */
export function messageIds(value: string | string[] | null | undefined): string[] {
  const all = (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
  return [...new Set(all)].slice(0, 100);
}

/** References written in a subject (`Re: [GRC-2026-000123] Nid de poule`), canonical, in order. */
export function referencesInSubject(subject: string | null | undefined): string[] {
  if (!subject) return [];
  const found = subject.toUpperCase().match(new RegExp(`(?<![A-Z])${REF}(?!\\d)`, 'g')) ?? [];
  return [...new Set(found.map((r) => parseReference(r)).filter((r): r is string => r !== null))];
}

/** The tag of the signed reply address: `GRC-2026-000123.<token>`. */
export const replyTag = (reference: string, token: string): string => `${reference}.${token.toLowerCase()}`;

/** `GRC-2026-000123.<token>` → its parts; a bare reference (our older, unsigned addresses) has token null. */
export function parseReplyTag(tag: string): { reference: string; token: string | null } | null {
  const m = /^([^.]+)(?:\.([0-9a-z]+))?$/i.exec(tag.trim());
  const reference = m ? parseReference(m[1]!) : null;
  return reference ? { reference, token: m![2]?.toLowerCase() ?? null } : null;
}

/** The tags on our address among the recipients (`town+GRC-2026-000123.<token>@domain`), in order. */
export function replyTagsInRecipients(recipients: string[], ourAddress: string): Array<{ reference: string; token: string | null }> {
  const at = ourAddress.lastIndexOf('@');
  const local = ourAddress.slice(0, at).toLowerCase();
  const domain = domainOf(ourAddress);
  const tags: Array<{ reference: string; token: string | null }> = [];
  for (const r of recipients) {
    const a = r.trim().toLowerCase();
    const rat = a.lastIndexOf('@');
    if (rat < 0 || a.slice(rat + 1) !== domain) continue;
    const [base, ...rest] = a.slice(0, rat).split('+');
    const tag = rest.join('+');
    if (base !== local || !tag) continue;
    const parsed = parseReplyTag(tag);
    if (parsed && !tags.some((t) => t.reference === parsed.reference && t.token === parsed.token)) tags.push(parsed);
  }
  return tags;
}

/** The reference tagged on our address among the recipients, signed or not (display, tests). */
export function referenceInRecipients(recipients: string[], ourAddress: string): string | null {
  return replyTagsInRecipients(recipients, ourAddress)[0]?.reference ?? null;
}

export interface ThreadClues {
  /** every Message-ID of In-Reply-To then References (most recent first): to look up in our outbox */
  messageIds: string[];
  /** the Message-IDs among them that have the shape of ours (refused when the outbox does not know them) */
  ourShapedIds: Array<{ id: string; reference: string }>;
  /** tags of our reply address among the recipients (threads only with a valid token) */
  replyTags: Array<{ reference: string; token: string | null }>;
  /** references in the subject (never thread: anyone can write them) */
  subjectReferences: string[];
}

export function threadClues(
  msg: { subject?: string | null; inReplyTo?: string | string[] | null; references?: string | string[] | null; recipients: string[] },
  ourAddress: string,
  domain: string = domainOf(ourAddress),
): ThreadClues {
  const ids = messageIds([
    ...(Array.isArray(msg.inReplyTo) ? msg.inReplyTo : msg.inReplyTo ? [msg.inReplyTo] : []),
    ...(Array.isArray(msg.references)
      ? [...msg.references].reverse()
      : msg.references
        ? [msg.references.split(/\s+/).reverse().join(' ')]
        : []),
  ]);
  const ourShapedIds = ids.flatMap((id) => {
    const p = parseOutgoingMessageId(id, domain);
    return p ? [{ id, reference: p.reference }] : [];
  });
  return {
    messageIds: ids,
    ourShapedIds,
    replyTags: replyTagsInRecipients(msg.recipients, ourAddress),
    subjectReferences: referencesInSubject(msg.subject),
  };
}

/** What the caller found out about the clues. */
export interface ThreadFacts {
  /** our outbox: the ticket each of clues.messageIds was sent for (ids we never sent are absent) */
  sentFor: ReadonlyMap<string, string>;
  /** whether the token is the reply address's signature for this reference (HMAC, constant-time) */
  validToken: (reference: string, token: string) => boolean;
}

export type ThreadDecision =
  | { thread: 'message-id'; ticketId: string }
  | { thread: 'reply-address'; reference: string }
  /** a new request; `reason` says which clues were refused (null: the message claimed nothing) */
  | { thread: null; reason: string | null };

/** The rule: our own Message-ID first (In-Reply-To before References), then a validly signed reply address. */
export function decideThread(clues: ThreadClues, facts: ThreadFacts): ThreadDecision {
  for (const id of clues.messageIds) {
    const ticketId = facts.sentFor.get(id);
    if (ticketId) return { thread: 'message-id', ticketId };
  }
  for (const t of clues.replyTags) {
    if (t.token && t.token.length === REPLY_TOKEN_LENGTH && facts.validToken(t.reference, t.token))
      return { thread: 'reply-address', reference: t.reference };
  }
  const refused: string[] = [];
  for (const o of clues.ourShapedIds) refused.push(`Message-ID ${o.id} (${o.reference}) absent de nos envois`);
  for (const t of clues.replyTags)
    refused.push(`adresse de réponse de ${t.reference} ${t.token ? 'à la signature invalide' : 'sans signature'}`);
  for (const r of clues.subjectReferences) refused.push(`référence ${r} citée dans l’objet (non vérifiable)`);
  if (!refused.length) return { thread: null, reason: null };
  return { thread: null, reason: `Non rattaché, nouvelle demande : ${refused.join(' ; ')}.`.slice(0, 1000) };
}

const QUOTE_HEADER = [
  /^\s*Le .{3,200}a écrit\s*:\s*$/i,
  /^\s*On .{3,200}wrote\s*:\s*$/i,
  /^\s*-{2,}\s*(Original Message|Message d'origine|Message d’origine|Message original)\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/,
  /^\s*(De|From)\s*:\s.+$/,
];

/** The new part of a reply: cut at the quoted previous message ("Le … a écrit :", "> …"). */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (QUOTE_HEADER.some((re) => re.test(lines[i]!))) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end);
  while (kept.length && (/^\s*>/.test(kept[kept.length - 1]!) || kept[kept.length - 1]!.trim() === '')) kept.pop();
  const result = kept.join('\n').trim();
  return result || text.trim();
}
