import { parseReference } from '../ticket/reference';
import { domainOf } from './headers';

/**
 * Threading: which ticket an incoming e-mail answers. Three clues, in order of trust:
 *  1. a Message-ID we generated, in In-Reply-To or References (`<GRC-2026-000123.<outbox uuid>@domain>`,
 *     unguessable because of the uuid), or the Message-ID of an e-mail already imported into a ticket;
 *  2. the per-ticket reply address `town+GRC-2026-000123@domain` among the recipients;
 *  3. a reference in the subject (`[GRC-2026-000123]`, as our subjects carry it).
 * Clues 2 and 3 are guessable: the caller accepts them only from the ticket's citizen.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const REF = '[A-Z]{2,6}-\\d{4}-\\d{6,12}';

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

/** The reference tagged on our address among the recipients (`town+GRC-2026-000123@domain`). */
export function referenceInRecipients(recipients: string[], ourAddress: string): string | null {
  const at = ourAddress.lastIndexOf('@');
  const local = ourAddress.slice(0, at).toLowerCase();
  const domain = domainOf(ourAddress);
  for (const r of recipients) {
    const a = r.trim().toLowerCase();
    const rat = a.lastIndexOf('@');
    if (rat < 0 || a.slice(rat + 1) !== domain) continue;
    const [base, tag] = [a.slice(0, rat).split('+')[0], a.slice(0, rat).split('+').slice(1).join('+')];
    if (base !== local || !tag) continue;
    const reference = parseReference(tag);
    if (reference) return reference;
  }
  return null;
}

export interface ThreadClues {
  /** references we generated in In-Reply-To/References (trusted) */
  ourReferences: string[];
  /** other Message-IDs of In-Reply-To/References, to look up among imported messages (trusted) */
  messageIds: string[];
  /** from the plus-address (needs the sender to be the ticket's citizen) */
  addressReference: string | null;
  /** from the subject (needs the sender to be the ticket's citizen) */
  subjectReferences: string[];
}

export function threadClues(
  msg: { subject?: string | null; inReplyTo?: string | string[] | null; references?: string | string[] | null; recipients: string[] },
  ourAddress: string,
): ThreadClues {
  const domain = domainOf(ourAddress);
  const ids = messageIds([...(Array.isArray(msg.inReplyTo) ? msg.inReplyTo : msg.inReplyTo ? [msg.inReplyTo] : []),
    ...(Array.isArray(msg.references) ? [...msg.references].reverse() : msg.references ? [msg.references.split(/\s+/).reverse().join(' ')] : [])]);
  const ours = ids.map((id) => parseOutgoingMessageId(id, domain)).filter((x): x is { reference: string; outboxId: string } => x !== null);
  return {
    ourReferences: [...new Set(ours.map((o) => o.reference))],
    messageIds: ids.filter((id) => !parseOutgoingMessageId(id, domain)),
    addressReference: referenceInRecipients(msg.recipients, ourAddress),
    subjectReferences: referencesInSubject(msg.subject),
  };
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
    if (QUOTE_HEADER.some((re) => re.test(lines[i]!))) { end = i; break; }
  }
  const kept = lines.slice(0, end);
  while (kept.length && (/^\s*>/.test(kept[kept.length - 1]!) || kept[kept.length - 1]!.trim() === '')) kept.pop();
  const result = kept.join('\n').trim();
  return result || text.trim();
}
