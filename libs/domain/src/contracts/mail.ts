import type { LetterState, TemplateFit } from '../letters/letters';
/** E-mail channel: API contracts shared by grc-api and grc-web. */

/** Automatic e-mails sent to citizens, one template per event and language. */
export const MAIL_EVENTS = ['acknowledgement', 'reply', 'status_changed', 'resolved', 'information_request'] as const;
export type MailEvent = (typeof MAIL_EVENTS)[number];
export const MAIL_LOCALES = ['fr', 'en'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface MailTemplate {
  event: MailEvent;
  locale: MailLocale;
  subject: string;
  body: string;
  /** the variables this event offers ({{name}}) */
  variables: string[];
  updatedAt: string | null;
}
export interface MailTemplateUpdate {
  subject: string;
  body: string;
}
export interface MailTemplatePreviewRequest {
  event: MailEvent;
  subject: string;
  body: string;
}
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface ReplyTemplate {
  id: string;
  name: string;
  body: string;
  active: boolean;
  /** the department and/or category the template is written for (null: any) */
  departmentId: string | null;
  categoryId: string | null;
  updatedAt: string;
  /** listed for a ticket (`?ticketId=`): how the template fits it, the fitting ones first (letters/letters.ts) */
  fit?: TemplateFit;
}
export interface ReplyTemplateInput {
  name: string;
  body: string;
  active?: boolean;
  departmentId?: string | null;
  categoryId?: string | null;
}

/** A reply by post, queued in "courrier à envoyer" once its answer was validated (modules/letters). */
export interface Letter {
  id: string;
  ticketId: string;
  reference: string;
  subject: string;
  departmentId: string;
  departmentName: string;
  /** the recipient's block as printed: name, street, postcode and town */
  recipient: string[];
  /** who signs: the agent who sent the reply, the head who approved it under a circuit */
  signatoryName: string;
  state: LetterState;
  createdAt: string;
  sentAt: string | null;
  sentBy: { id: string; displayName: string } | null;
}
export interface LetterSentRequest {
  /** the ticket's version, as for any change of the ticket */
  version: number;
}

/** A mailbox read by the IMAP intake. The password is write-only: `hasPassword` tells whether one is stored. */
export interface Mailbox {
  id: string;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string;
  hasPassword: boolean;
  folder: string;
  /** where imported messages are moved; null: flagged \Seen and left in place */
  processedFolder: string | null;
  categoryId: string;
  /** null: the category's routing decides */
  departmentId: string | null;
  pollIntervalSeconds: number;
  active: boolean;
  lastPollAt: string | null;
  lastError: string | null;
  importedCount: number;
}
export interface MailboxInput {
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string;
  /** omitted or empty on update: the stored password is kept */
  password?: string;
  folder: string;
  processedFolder?: string | null;
  categoryId: string;
  departmentId?: string | null;
  pollIntervalSeconds: number;
  active: boolean;
}

/**
 * Why the e-mail intake kept a message aside, as a code the console words (its quarantine screen), with
 * `QuarantinedMail.reasonParams`: `mail.too_large` `{ mb }`, `mail.unreadable` `{ error }` (the parser's
 * technical message, may be empty), `mail.no_sender`, `mail.bad_sender` `{ address }`, `mail.import_failed`
 * `{ error }` (the technical error that made the import fail).
 */
export const QUARANTINE_REASON_CODES = [
  'mail.too_large',
  'mail.unreadable',
  'mail.no_sender',
  'mail.bad_sender',
  'mail.import_failed',
] as const;
export type QuarantineReasonCode = (typeof QUARANTINE_REASON_CODES)[number];

/** A received message kept aside (not a ticket) with the reason. */
export interface QuarantinedMail {
  id: string;
  mailboxId: string | null;
  mailboxName: string | null;
  uid: number | null;
  messageId: string | null;
  fromAddress: string | null;
  subject: string | null;
  /** why it was kept aside, worded by the console (QUARANTINE_REASON_CODES) */
  reasonCode: QuarantineReasonCode;
  reasonParams: Record<string, string | number>;
  size: number;
  truncated: boolean;
  createdAt: string;
}

/** Delivery state of one outgoing e-mail of a ticket (shown on the timeline). */
export interface MailDelivery {
  id: string;
  kind: MailEvent;
  /** the ticket_events row it belongs to (public reply, status change), when there is one */
  eventId: string | null;
  toAddress: string;
  subject: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}
