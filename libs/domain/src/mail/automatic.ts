import { domainOf } from './headers';
import { parseOutgoingMessageId } from './threading';

/** Why an incoming e-mail is not a citizen's message: such e-mails never become tickets. */
export type AutomaticKind = 'auto-reply' | 'bounce' | 'bulk' | 'loop';
export interface AutomaticVerdict {
  kind: AutomaticKind;
  reason: string;
}

export interface IncomingHeaders {
  /** header name (any case) → value(s) */
  get(name: string): string | string[] | undefined;
}

/** Headers of a plain object, case-insensitive (tests, and mailparser's Map through `fromMap`). */
export const headersOf = (h: Record<string, string | string[] | undefined> | Map<string, unknown>): IncomingHeaders => {
  const entries = h instanceof Map ? [...h.entries()] : Object.entries(h);
  const lower = new Map<string, string | string[]>();
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    const s =
      typeof v === 'string'
        ? v
        : Array.isArray(v)
          ? v.map(String)
          : typeof v === 'object' && 'value' in (v as object)
            ? String((v as { value: unknown }).value) + paramsOf(v)
            : String(v);
    lower.set(k.toLowerCase(), s);
  }
  return { get: (name) => lower.get(name.toLowerCase()) };
};
const paramsOf = (v: unknown): string => {
  const params = (v as { params?: Record<string, string> }).params;
  return params
    ? Object.entries(params)
        .map(([k, p]) => `; ${k}=${p}`)
        .join('')
    : '';
};

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
const all = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

const BOUNCE_SENDERS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounce[s]?|no-?reply-bounces?)(\+.*)?$/i;

/**
 * Auto-replies (RFC 3834 Auto-Submitted, Microsoft/X-Autoreply, Precedence), bounces (mailer-daemon,
 * empty Return-Path, delivery reports) and loops (our own outgoing messages coming back). null: a person wrote it.
 */
export function detectAutomatic(
  headers: IncomingHeaders,
  from: string | null,
  ours: { address: string; domain?: string },
): AutomaticVerdict | null {
  const domain = (ours.domain ?? domainOf(ours.address)).toLowerCase();
  const ourLocal = ours.address.slice(0, ours.address.lastIndexOf('@')).toLowerCase();
  const sender = (from ?? '').trim().toLowerCase();
  const senderLocal = sender.slice(0, sender.lastIndexOf('@'));

  // loops first: they are the most harmful (an endless ping-pong with ourselves)
  if (first(headers.get('x-grc-outbox'))) return { kind: 'loop', reason: 'Message envoyé par la GRC elle-même (X-GRC-Outbox).' };
  if (all(headers.get('x-loop')).some((v) => v.toLowerCase().includes(ours.address.toLowerCase()))) {
    return { kind: 'loop', reason: 'En-tête X-Loop portant l’adresse de la mairie.' };
  }
  if (sender && domainOf(sender) === domainOf(ours.address) && senderLocal.split('+')[0] === ourLocal) {
    return { kind: 'loop', reason: 'Expéditeur : l’adresse de la mairie elle-même.' };
  }
  const messageId = first(headers.get('message-id'));
  if (messageId && parseOutgoingMessageId(messageId, domain)) return { kind: 'loop', reason: 'Message-ID produit par la GRC.' };

  // bounces
  if (senderLocal && BOUNCE_SENDERS.test(senderLocal)) return { kind: 'bounce', reason: `Expéditeur automatique (${senderLocal}).` };
  const returnPath = first(headers.get('return-path'));
  if (returnPath === '<>') return { kind: 'bounce', reason: 'Return-Path vide (avis de non-remise).' };
  const contentType = first(headers.get('content-type')).toLowerCase();
  if (contentType.startsWith('multipart/report') && /report-type="?(delivery-status|disposition-notification)/.test(contentType)) {
    return { kind: 'bounce', reason: 'Rapport de remise ou accusé de lecture (multipart/report).' };
  }

  // auto-replies
  const autoSubmitted = first(headers.get('auto-submitted')).toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no'))
    return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted.slice(0, 40)}.` };
  if (/^(yes|true|1)/i.test(first(headers.get('x-autoreply'))) || first(headers.get('x-autorespond'))) {
    return { kind: 'auto-reply', reason: 'Réponse automatique (X-Autoreply).' };
  }
  const suppress = first(headers.get('x-auto-response-suppress')).toLowerCase();
  if (
    first(headers.get('x-ms-exchange-generated-message-source')) ||
    (suppress === 'all' && first(headers.get('x-ms-exchange-inbox-rules-loop')))
  ) {
    return { kind: 'auto-reply', reason: 'Réponse automatique Exchange.' };
  }
  const precedence = first(headers.get('precedence')).toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply', 'auto-reply'].includes(precedence)) {
    return { kind: precedence.startsWith('auto') ? 'auto-reply' : 'bulk', reason: `Precedence: ${precedence}.` };
  }
  return null;
}
