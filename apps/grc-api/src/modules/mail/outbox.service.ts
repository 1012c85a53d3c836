import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import {
  citizenDisplayName,
  isSafeAddress,
  linkPlaceholder,
  MAIL_STATUS_LABELS,
  oneLine,
  outgoingMessageId,
  renderMail,
  replyDelivery,
  type Channel,
  type MailDelivery,
  type MailEvent,
  type MailLocale,
  type ReplyDelivery,
  type TicketStatus,
} from '@grc/domain';
import { notFound } from '../../common/problem';
import { SecretBox } from '../../common/secret-box';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { MAIL_CONFIG, MailConfig } from './mail.config';
import { ReplyAddresses } from './reply-address';
import { MailTemplatesService } from './templates.service';
import { OutboxRepository } from './outbox.repository';

/** What templates and reply templates know about a ticket. */
export interface TicketMailContext {
  ticketId: string;
  reference: string;
  subject: string;
  status: TicketStatus;
  citizenEmail: string | null;
  citizenName: string;
  category: string;
  department: string;
  townName: string;
  locale: MailLocale;
  /** how a reply reaches this citizen (libs/domain replyDelivery): e-mailed here, or a letter (modules/letters) */
  replyDelivery: ReplyDelivery;
  /** read with the context (`context(m, id, eventKinds)`): the latest timeline event of each kind asked for */
  lastEvents?: Record<string, string | null>;
  /** read with the context: the e-mail thread so far; `enqueue` appends each e-mail it writes */
  thread?: Array<{ id: string; inbound: boolean }>;
  /** read with the context: the town's own templates in `locale`, by event (absent: `enqueue` reads the one it needs) */
  templates?: Partial<Record<MailEvent, { subject: string; body: string }>>;
}

/**
 * The outbox: e-mails to citizens written as rows in the ticket's transaction (so an e-mail exists
 * exactly when its change committed), sent later by MailSender in the worker.
 */
@Injectable()
export class OutboxService {
  private readonly secrets: SecretBox;

  constructor(
    @Inject(MAIL_CONFIG) private readonly config: MailConfig,
    private readonly templates: MailTemplatesService,
    private readonly replies: ReplyAddresses,
    @Inject(GRC_CONFIG) grc: GrcConfig,
    private readonly rows: OutboxRepository,
    @InjectEntityManager() private readonly reader: EntityManager,
  ) {
    this.secrets = new SecretBox(grc.dataDir);
  }

  /** `eventKinds`: the timeline events whose latest id the e-mails will name (read in the same round trip). */
  async context(m: EntityManager, ticketId: string, eventKinds: readonly string[] = []): Promise<TicketMailContext | null> {
    const r = await this.rows.context(m, ticketId, eventKinds);
    if (!r) return null;
    const citizenName = r.kind
      ? citizenDisplayName({
          kind: r.kind as 'resident' | 'organisation',
          firstName: r.first_name,
          lastName: r.last_name,
          organisationName: r.organisation_name,
          contactPerson: r.contact_person,
        })
      : '';
    // the reporter's language: this request's (the public form's page), else the one the citizen last
    // chose on another request (an e-mail or a phone call after a form in English), else the town's
    const locale: MailLocale = r.locale === 'en' ? 'en' : 'fr';
    return {
      ticketId: r.id,
      reference: r.reference,
      subject: r.subject,
      status: r.status as TicketStatus,
      citizenEmail: r.email ?? null,
      citizenName,
      category: locale === 'en' ? r.category_en || r.category : r.category,
      department: r.department,
      townName: r.town,
      locale,
      replyDelivery: replyDelivery({
        channel: r.channel as Channel,
        email: r.email,
        address: r.address,
        city: r.city,
        preferredChannel: r.preferred_channel,
      }),
      lastEvents: r.last_events ?? {},
      thread: r.thread ?? [],
      templates: (r.templates ?? {}) as TicketMailContext['templates'],
    };
  }

  contextFor(ticketId: string): Promise<TicketMailContext | null> {
    return this.context(this.reader, ticketId);
  }

  variables(ctx: TicketMailContext, extra: Record<string, string | null | undefined> = {}): Record<string, string> {
    const vars: Record<string, string> = {
      reference: ctx.reference,
      subject: ctx.subject,
      citizenName: ctx.citizenName,
      townName: ctx.townName,
      category: ctx.category,
      department: ctx.department,
      status: MAIL_STATUS_LABELS[ctx.locale][ctx.status] ?? ctx.status,
    };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) vars[k] = v;
    return vars;
  }

  /**
   * Renders the event's template and writes the outbox row in `m`. The citizen's address is checked:
   * an address that could inject headers is refused — the row is written as failed, never sent, and shows on the ticket.
   */
  async enqueue(
    m: EntityManager,
    ctx: TicketMailContext,
    kind: MailEvent,
    eventId: string | null,
    extra: Record<string, string | null | undefined>,
  ): Promise<string | null> {
    if (!ctx.citizenEmail) return null;
    // the town's templates came with the context (one round trip less per e-mail: bench/intake.mjs)
    const template = ctx.templates
      ? this.templates.resolve(ctx.templates[kind] ?? null, kind, ctx.locale)
      : await this.templates.get(m, kind, ctx.locale);
    const id = randomUUID();
    // the tracking link holds a key that only its hash may keep: the row stores a placeholder and the link
    // sealed, the sender puts it back at send time and wipes the sealed copy once the e-mail is sent
    const trackingUrl = extra['trackingUrl'];
    const sealedLink = trackingUrl ? this.secrets.seal(trackingUrl) : null;
    const mail = renderMail(template, this.variables(ctx, trackingUrl ? { ...extra, trackingUrl: linkPlaceholder(id) } : extra));
    const messageId = outgoingMessageId(ctx.reference, id, this.config.domain);
    const thread = this.threadFrom(ctx.thread ?? (await this.rows.thread(m, ctx.ticketId)));
    const safe = isSafeAddress(ctx.citizenEmail);
    await this.rows.insert(m, {
      id,
      ticketId: ctx.ticketId,
      eventId,
      kind,
      to: safe ? ctx.citizenEmail : oneLine(ctx.citizenEmail, 254),
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references.join(' ') || null,
      replyTo: this.replies.address(ctx.reference),
      state: safe ? 'queued' : 'failed',
      nextAttemptAt: safe ? new Date() : null,
      lastError: safe ? null : 'Adresse du destinataire refusée (caractères interdits dans un en-tête).',
      sealedLink: safe ? sealedLink : null,
    });
    // the next e-mail of the same change answers this one (as a fresh read of the thread would say)
    ctx.thread?.push({ id: messageId, inbound: false });
    return id;
  }

  /** The latest timeline event of this kind on the ticket (the one an e-mail is about), in the ticket's transaction. */
  lastEventId(m: EntityManager, ticketId: string, kind: string): Promise<string | null> {
    return this.rows.lastEventId(m, ticketId, kind);
  }

  /** In-Reply-To: the citizen's last e-mail, else our first one; References: the conversation (10 ids at most). */
  private threadFrom(rows: ReadonlyArray<{ id: string; inbound: boolean }>): { inReplyTo: string | null; references: string[] } {
    if (!rows.length) return { inReplyTo: null, references: [] };
    const lastInbound = [...rows].reverse().find((r) => r.inbound);
    const references = rows.length > 10 ? [rows[0]!, ...rows.slice(-9)] : rows;
    return { inReplyTo: (lastInbound ?? rows[0]!).id, references: references.map((r) => r.id) };
  }

  async deliveries(ticketId: string): Promise<MailDelivery[]> {
    return (await this.rows.deliveries(ticketId)).map(toDelivery);
  }

  /** Sends a failed e-mail again now (attempts are kept). */
  async retry(ticketId: string, id: string): Promise<MailDelivery> {
    const row = await this.rows.retry(ticketId, id);
    if (!row) throw notFound('E-mail en échec');
    return toDelivery(row);
  }
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
function toDelivery(r: Record<string, unknown>): MailDelivery {
  return {
    id: r['id'] as string,
    kind: r['kind'] as MailEvent,
    eventId: (r['event_id'] as string | null) ?? null,
    toAddress: r['to_address'] as string,
    subject: r['subject'] as string,
    state: r['state'] as MailDelivery['state'],
    attempts: r['attempts'] as number,
    nextAttemptAt: iso(r['next_attempt_at'] as Date | null),
    lastError: (r['last_error'] as string | null) ?? null,
    createdAt: iso(r['created_at'] as Date)!,
    sentAt: iso(r['sent_at'] as Date | null),
  };
}
