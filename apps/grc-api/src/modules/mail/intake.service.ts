import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';
import { mailparser } from '../../common/on-demand';
import { DataSource, EntityManager } from 'typeorm';
import {
  decideThread,
  detectAutomatic,
  headersOf,
  isSafeAddress,
  oneLine,
  stripQuotedReply,
  subjectFromEmail,
  threadClues,
  type ThreadClues,
} from '@grc/domain';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { TicketEntity } from '../../database/entities';
import type { AuditActor } from '../audit/audit.service';
import { CitizensService } from '../citizens/citizens.service';
import { systemActor } from '../auth/authenticated-agent';
import { checkAttachment, safeFilename } from '../tickets/attachment-types';
import { AttachmentsService, sha256Hex, type CheckedFile } from '../tickets/attachments.service';
import { TicketsService, type Mutation } from '../tickets/tickets.service';

type NewEvent = Mutation['events'][number];
import { MAIL_CONFIG, MailConfig } from './mail.config';
import { ReplyAddresses } from './reply-address';
import { MailIntakeRepository, type QuarantineReason } from './intake.repository';

export interface MailboxRow {
  id: string;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  username: string;
  password: string | null;
  folder: string;
  processed_folder: string | null;
  category_id: string;
  department_id: string | null;
  uid_validity: string | null;
  last_uid: string;
  poll_interval_seconds: number;
}

export type ImportOutcome =
  | { outcome: 'ticket' | 'reply'; ticketId: string; reference: string }
  | { outcome: 'ignored' | 'quarantined'; reason: string }
  | { outcome: 'duplicate' };

const MAIL_ACTOR = systemActor('mail');

/**
 * A quarantine's reason: the code and parameters the console words (libs/domain QUARANTINE_REASON_CODES), and
 * the French sentence kept for the logs and the audit trail. `error` is a parser's or the database's technical text.
 */
const REASONS = {
  tooLarge: (size: number): QuarantineReason => {
    const mb = Math.round(size / 1048576);
    return { code: 'mail.too_large', params: { mb }, text: `Message trop volumineux (${mb} Mo).` };
  },
  unreadable: (error: string): QuarantineReason => ({
    code: 'mail.unreadable',
    params: { error: error.slice(0, 500) },
    text: (error ? `Message illisible : ${error}` : 'Message illisible.').slice(0, 500),
  }),
  noSender: (): QuarantineReason => ({ code: 'mail.no_sender', params: {}, text: 'Expéditeur absent ou illisible (From).' }),
  badSender: (address: string): QuarantineReason => ({
    code: 'mail.bad_sender',
    params: { address },
    text: `Adresse d’expéditeur invalide : ${address}.`,
  }),
  importFailed: (error: string): QuarantineReason => ({
    code: 'mail.import_failed',
    params: { error: error.slice(0, 1000) },
    text: `Import impossible : ${error}`.slice(0, 1000),
  }),
};
const AUDIT_ACTOR: AuditActor = { actorId: null, actorLabel: 'system:mail', ip: null };
const MAX_TEXT = 20_000;
// eslint-disable-next-line no-control-regex
const stripNul = (s: string) => s.replace(/\u0000/g, '');

/**
 * One incoming e-mail → a new ticket, a message on an existing ticket, or nothing (auto-reply, bounce,
 * loop) — decided and written in ONE transaction that also records the message's key in mail_imported
 * (primary key): the same message is never imported twice, whatever happened to the IMAP flags.
 * Malformed messages go to the quarantine with the reason; nothing here throws at the poller.
 */
@Injectable()
export class MailIntakeService {
  private readonly log = new Logger('MailIntake');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(MAIL_CONFIG) private readonly mail: MailConfig,
    private readonly tickets: TicketsService,
    private readonly replies: ReplyAddresses,
    private readonly citizens: CitizensService,
    private readonly rows: MailIntakeRepository,
    private readonly files: AttachmentsService,
  ) {}

  async importMessage(mailbox: MailboxRow, uid: number | null, raw: Buffer, size = raw.length): Promise<ImportOutcome> {
    let parsed: ParsedMail | null = null;
    let parseError: QuarantineReason | null = null;
    if (size > this.mail.maxMessageBytes) parseError = REASONS.tooLarge(size);
    else {
      try {
        parsed = await mailparser().simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
      } catch (e) {
        parseError = REASONS.unreadable((e as Error).message);
      }
    }
    const key = messageKey(parsed?.messageId, raw);
    const files: Array<() => Promise<void>> = [];
    try {
      return await this.db.transaction(async (m) => {
        if (!(await this.rows.claim(m, key, mailbox.id, uid, 'ignored'))) return { outcome: 'duplicate' as const };
        if (!parsed) return this.quarantine(m, mailbox, uid, key, raw, size, parseError ?? REASONS.unreadable(''), null, null);
        const from = firstAddress(parsed.from);
        const subjectRaw = parsed.subject ?? '';
        if (!from) return this.quarantine(m, mailbox, uid, key, raw, size, REASONS.noSender(), parsed.from?.text ?? null, subjectRaw);
        if (!isSafeAddress(from.address))
          return this.quarantine(m, mailbox, uid, key, raw, size, REASONS.badSender(oneLine(from.address, 100)), from.address, subjectRaw);

        const automatic = detectAutomatic(headersOf(parsed.headers as Map<string, unknown>), from.address, {
          address: this.mail.fromAddress,
          domain: this.mail.domain,
        });
        if (automatic) {
          await this.rows.setOutcome(m, key, 'ignored', null, `${automatic.kind}: ${automatic.reason}`);
          return { outcome: 'ignored' as const, reason: automatic.reason };
        }
        const recipients = [parsed.to, parsed.cc, parsed.headers.get('delivered-to'), parsed.headers.get('x-original-to')].flatMap((a) =>
          addressesOf(a),
        );
        const { target, reason: unthreaded } = await this.findTicket(
          m,
          threadClues(
            {
              subject: subjectRaw,
              inReplyTo: parsed.inReplyTo ?? null,
              references: parsed.references ?? null,
              recipients,
            },
            this.mail.fromAddress,
            this.mail.domain,
          ),
        );

        const text = bodyText(parsed);
        if (target && target.status !== 'closed') {
          const body = stripQuotedReply(text) || '(message sans texte)';
          await this.rows.setOutcome(m, key, 'reply', target.id, null);
          await this.tickets.mutateIn(m, MAIL_ACTOR, target.id, null, async (mm, t) => {
            const events: NewEvent[] = [
              {
                kind: 'inbound',
                body,
                data: { channel: 'email', from: from.address, subject: oneLine(subjectRaw, 300), messageId: key, mailbox: mailbox.name },
              },
            ];
            events.push(...(await this.attachments(mm, target.id, parsed!, files)));
            const set: Partial<Record<keyof TicketEntity, unknown>> = {};
            if (t.status === 'resolved' || t.status === 'waiting_citizen') {
              set.status = 'open';
              set.resolvedAt = null;
              events.push({
                kind: 'status_changed',
                body: t.status === 'resolved' ? 'Rouverte : le citoyen a répondu par e-mail.' : null,
                data: { from: t.status, to: 'open', reason: 'inbound_email' },
              });
            }
            return { set, events, action: 'ticket.inbound' };
          });
          return { outcome: 'reply' as const, ticketId: target.id, reference: target.reference };
        }
        const created = await this.createTicket(
          m,
          mailbox,
          parsed,
          from,
          subjectRaw,
          text,
          key,
          files,
          target?.reference ?? null,
          unthreaded,
        );
        return { outcome: 'ticket' as const, ticketId: created.id, reference: created.reference };
      });
    } catch (e) {
      for (const remove of files) await remove();
      // A message that makes the import fail must not block the mailbox: it is kept aside with the error.
      const reason = REASONS.importFailed((e as Error).message);
      this.log.warn(`${mailbox.name} uid ${uid}: ${reason.text}`);
      return this.db.transaction(async (m) => {
        if (!(await this.rows.claim(m, key, mailbox.id, uid, 'quarantined'))) return { outcome: 'duplicate' as const };
        return this.quarantine(m, mailbox, uid, key, raw, size, reason, parsed?.from?.text ?? null, parsed?.subject ?? null);
      });
    }
  }

  private async quarantine(
    m: EntityManager,
    mailbox: MailboxRow,
    uid: number | null,
    key: string,
    raw: Buffer,
    size: number,
    reason: QuarantineReason,
    from: string | null,
    subject: string | null,
  ): Promise<ImportOutcome> {
    const kept = raw.subarray(0, this.mail.quarantineMaxBytes);
    await this.rows.quarantine(m, {
      mailboxId: mailbox.id,
      uid,
      key,
      from: from ? stripNul(from).slice(0, 500) : null,
      subject: subject ? stripNul(subject).slice(0, 500) : null,
      reason,
      size,
      truncated: kept.length < size,
      raw: kept,
    });
    await this.rows.setOutcome(m, key, 'quarantined', null, reason.text);
    this.log.warn(`${mailbox.name} uid ${uid ?? '?'} quarantined: ${reason.text}`);
    return { outcome: 'quarantined', reason: reason.text };
  }

  /**
   * The ticket this message answers: only by a Message-ID of our outbox or a validly signed reply address
   * (libs/domain decideThread); otherwise none, with the reason the message's clues were refused.
   */
  private async findTicket(
    m: EntityManager,
    clues: ThreadClues,
  ): Promise<{ target: { id: string; reference: string; status: string } | null; reason: string | null }> {
    const decision = decideThread(clues, {
      sentFor: await this.rows.sentFor(m, clues.messageIds),
      validToken: (reference, token) => this.replies.valid(reference, token),
    });
    if (decision.thread === null) return { target: null, reason: decision.reason };
    const t = await this.rows.ticket(m, decision.thread === 'message-id' ? { id: decision.ticketId } : { reference: decision.reference });
    return { target: t, reason: t ? null : 'Non rattaché : la demande visée n’existe plus.' };
  }

  private async createTicket(
    m: EntityManager,
    mailbox: MailboxRow,
    parsed: ParsedMail,
    from: { name: string; address: string },
    subjectRaw: string,
    text: string,
    key: string,
    files: Array<() => Promise<void>>,
    follows: string | null,
    unthreaded: string | null,
  ): Promise<{ id: string; reference: string }> {
    // the same e-mail is the same person; otherwise a resident named after the From display name.
    // An address validateCitizen refuses gives no citizen: an e-mail is never refused for its sender's form.
    const matched = await this.citizens.matchOrCreate(m, AUDIT_ACTOR, { kind: 'resident', displayName: from.name, email: from.address });
    const citizenId = matched.ok ? matched.value : null;
    const subject = subjectFromEmail(subjectRaw, from);
    let description = text.slice(0, MAX_TEXT) || '(message sans texte)';
    if (follows) description = `Suite de la demande clôturée ${follows}.\n\n${description}`;
    const eventData: Record<string, unknown> = { mailbox: mailbox.name, from: from.address, messageId: key };
    if (follows) eventData['follows'] = follows;
    const ticket = await this.tickets.createIn(
      m,
      MAIL_ACTOR,
      {
        channel: 'email',
        categoryId: mailbox.category_id,
        subject,
        description,
        citizenId,
        departmentId: mailbox.department_id,
        eventData,
        auditActor: AUDIT_ACTOR,
      },
      async ({ id }) => {
        // the attachments' events (and the refused ones' note) are written by createIn with the ticket's change
        const events = await this.attachments(m, id, parsed, files);
        // recorded before the listeners run, so the acknowledgement answers this message (In-Reply-To)
        // with the reason why the message's threading clues were refused (a forged reply, a reference in the subject)
        await this.rows.setOutcome(m, key, 'ticket', id, unthreaded);
        return events;
      },
    );
    return { id: ticket.id, reference: ticket.reference };
  }

  /** Same limits as uploads (size, types, magic bytes); refused files are listed on the timeline with the reason. */
  private async attachments(
    m: EntityManager,
    ticketId: string,
    parsed: ParsedMail,
    files: Array<() => Promise<void>>,
  ): Promise<NewEvent[]> {
    const accepted: CheckedFile[] = [];
    // each refusal's code (the public form's: file.too_large, file.empty, file.type) lets the console word the note
    const refused: Array<{ filename: string; code: 'file.too_large' | 'file.empty' | 'file.type'; reason: string }> = [];
    for (const a of parsed.attachments ?? []) {
      if (a.related && !a.filename) continue; // inline images of an HTML signature
      const filename = safeFilename(a.filename ?? `piece-jointe-${accepted.length + refused.length + 1}`);
      const content = a.content as Buffer;
      const mimeType = (a.contentType ?? 'application/octet-stream').toLowerCase();
      if (content.length > this.config.maxUploadBytes) {
        const reason = `Fichier trop volumineux (plus de ${Math.round(this.config.maxUploadBytes / 1048576)} Mo).`;
        refused.push({ filename, code: 'file.too_large', reason });
        continue;
      }
      if (content.length === 0) {
        refused.push({ filename, code: 'file.empty', reason: 'Fichier vide.' });
        continue;
      }
      const reason = await checkAttachment(filename, mimeType, content);
      if (reason) {
        refused.push({ filename, code: 'file.type', reason });
        continue;
      }
      accepted.push({ filename, mimeType, size: content.length, buffer: content, sha256: sha256Hex(content) });
    }
    // the bytes first (removed if the transaction fails), then their rows in the ticket's change
    const stored = await this.files.storeAll(accepted);
    files.push(stored.remove);
    const events = await this.files.recordAll(m, ticketId, accepted, stored.keys, null, 'email');
    if (refused.length)
      events.push({
        kind: 'note',
        body: `Pièces jointes de l’e-mail refusées :\n${refused.map((r) => `• ${r.filename} — ${r.reason}`).join('\n')}`,
        data: { refusedAttachments: refused },
      });
    return events;
  }
}

/** The Message-ID (as sent, at most 300 characters), else a hash of the raw message. */
export function messageKey(messageId: string | undefined | null, raw: Buffer): string {
  const id = messageId?.trim();
  // eslint-disable-next-line no-control-regex
  if (id && id.length <= 300 && !/[\s\u0000]/.test(id)) return id;
  return `<sha256.${createHash('sha256').update(raw).digest('hex')}@grc.no-message-id>`;
}

function addressesOf(a: AddressObject | AddressObject[] | unknown): string[] {
  if (!a) return [];
  if (typeof a === 'string') return a.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [];
  const list = Array.isArray(a) ? a : [a];
  return list
    .flatMap((x) => ((x as AddressObject).value ?? []).flatMap((v) => [v.address ?? '', ...(v.group ?? []).map((g) => g.address ?? '')]))
    .filter(Boolean);
}

function firstAddress(a: AddressObject | undefined): { name: string; address: string } | null {
  const v = a?.value?.[0];
  if (!v?.address) return null;
  return { name: v.name ?? '', address: v.address.trim() };
}

/** Plain text of the message: its text part, else its HTML turned into text by mailparser (never the HTML itself). */
function bodyText(parsed: ParsedMail): string {
  const text = parsed.text ?? (typeof parsed.html === 'string' ? parsed.html.replace(/<[^>]*>/g, ' ') : '');
  return stripNul(text).replace(/\r\n?/g, '\n').trim();
}
