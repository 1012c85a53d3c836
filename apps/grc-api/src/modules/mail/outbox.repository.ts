import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MailEvent } from '@grc/domain';
import { returning } from '../../common/returning';
import { TOWN_SQL } from '../town/town-settings.repository';
import { preparedQuery } from '../../common/prepared';

/** What an e-mail about a ticket is written from: the ticket, its citizen, category, department, the town and the language. */
export interface MailContextRow {
  id: string;
  reference: string;
  subject: string;
  status: string;
  email: string | null;
  kind: string | null;
  first_name: string | null;
  last_name: string | null;
  organisation_name: string | null;
  contact_person: string | null;
  channel: string;
  address: string | null;
  city: string | null;
  preferred_channel: string | null;
  category: string;
  category_en: string | null;
  department: string;
  town: string;
  /** 'fr' or 'en' (the mail templates' languages) */
  locale: string;
  /** the town's own templates in that language, by mail event (null: none written; the built-in ones apply) */
  templates: Record<string, { subject: string; body: string }> | null;
  /** the latest timeline event of each kind asked for (null: none) */
  last_events: Record<string, string | null> | null;
  /** the conversation by e-mail, as `thread` reads it */
  thread: Array<{ id: string; inbound: boolean }>;
}

/** The e-mails of ticket `t.id`: the citizen's messages we imported and ours (id, inbound, at). */
const THREAD_SQL = `SELECT message_key AS id, true AS inbound, imported_at AS at FROM mail_imported WHERE ticket_id = t.id AND outcome IN ('ticket', 'reply')
  UNION ALL SELECT message_id, false, created_at FROM mail_outbox WHERE ticket_id = t.id`;

/** An outbox row as it is written in the ticket's transaction. */
export interface NewOutboxRow {
  id: string;
  ticketId: string;
  eventId: string | null;
  kind: MailEvent;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string | null;
  replyTo: string | null;
  state: 'queued' | 'failed';
  nextAttemptAt: Date | null;
  lastError: string | null;
  sealedLink: string | null;
}

/** An outbox row claimed for sending. */
export interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  text: string;
  html: string | null;
  message_id: string;
  in_reply_to: string | null;
  references: string | null;
  reply_to: string | null;
  kind: string;
  attempts: number;
  sealed_link: string | null;
}

const DELIVERY_COLUMNS = `id, kind, event_id::text AS event_id, to_address, subject, state, attempts, next_attempt_at, last_error, created_at, sent_at`;

/** Clear tracking keys left in a sent e-mail's text and HTML (the sealed link is wiped too): `?k=` + 43 characters. */
const CLEAR_KEY_TEXT = `'([?&]k=)[A-Za-z0-9_-]{43}'`;
const CLEAR_KEY_HTML = `'([?&](amp;)?k=)[A-Za-z0-9_-]{43}'`;

/**
 * Every query on `mail_outbox` — written in the ticket's transaction, claimed and marked by the sender,
 * listed and retried by agents — and the reads an e-mail is written from (the ticket's context, its thread,
 * the timeline event it is about). Tickets change only through TicketsService.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The ticket's context; the language is this request's, else the citizen's latest, else the town's. With it,
   * in the same round trip (the e-mail listener runs in every ticket change: bench/intake.mjs), the town's
   * templates in that language, the latest timeline event of each kind in `eventKinds` (the events the e-mails
   * are about) and the e-mail thread.
   */
  async context(m: EntityManager, ticketId: string, eventKinds: readonly string[] = []): Promise<MailContextRow | null> {
    // The kinds are written into the text, not passed as an array: with `unnest($2)` PostgreSQL estimated ten
    // kinds for the generic plan and kept planning this statement afresh on every execution (0 generic plans
    // out of 40; ~1.4 ms of planning each time, bench/intake.mjs). One prepared statement per set of kinds.
    const kinds = eventKinds.map((k) => {
      if (!/^[a-z_]+$/.test(k)) throw new Error(`not a timeline event kind: ${k}`);
      return `'${k}'`;
    });
    // prepared: every change that writes an e-mail reads it
    const [r] = await preparedQuery<MailContextRow>(
      m,
      `SELECT t.id, t.reference, t.subject, t.status, c.email, c.kind, c.first_name, c.last_name, c.organisation_name, c.contact_person,
              t.channel, c.address, c.city, c.preferred_channel, cat.name_fr AS category, cat.name_en AS category_en, d.name AS department,
              coalesce(${TOWN_SQL.name}, '') AS town, loc.locale,
              (SELECT json_object_agg(mt.event, json_build_object('subject', mt.subject, 'body', mt.body))
                 FROM mail_templates mt WHERE mt.locale = loc.locale) AS templates,
              (SELECT json_object_agg(k, (SELECT e.id::text FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = k ORDER BY e.id DESC LIMIT 1))
                 FROM unnest(ARRAY[${kinds.join(', ')}]::text[]) k) AS last_events,
              coalesce((SELECT json_agg(json_build_object('id', th.id, 'inbound', th.inbound) ORDER BY th.at) FROM (${THREAD_SQL}) th), '[]'::json) AS thread
       FROM tickets t LEFT JOIN citizens c ON c.id = t.citizen_id JOIN categories cat ON cat.id = t.category_id JOIN departments d ON d.id = t.department_id
       CROSS JOIN LATERAL (SELECT CASE coalesce(t.locale,
                (SELECT x.locale FROM tickets x WHERE x.citizen_id = t.citizen_id AND x.locale IS NOT NULL ORDER BY x.created_at DESC LIMIT 1),
                ${TOWN_SQL.locale}, 'fr') WHEN 'en' THEN 'en' ELSE 'fr' END AS locale) loc
       WHERE t.id = $1`,
      [ticketId],
    );
    return r ?? null;
  }

  /** The ticket's conversation by e-mail, oldest first: the citizen's messages we imported and ours. */
  thread(m: EntityManager, ticketId: string): Promise<Array<{ id: string; inbound: boolean }>> {
    return m.query(`SELECT id, inbound FROM (${THREAD_SQL.replaceAll('t.id', '$1')}) x ORDER BY at`, [ticketId]);
  }

  /** The latest timeline event of this kind (the one an e-mail is about). */
  async lastEventId(m: EntityManager, ticketId: string, kind: string): Promise<string | null> {
    const [event] = await m.query(`SELECT id::text AS id FROM ticket_events WHERE ticket_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, [
      ticketId,
      kind,
    ]);
    return event?.id ?? null;
  }

  async insert(m: EntityManager, r: NewOutboxRow): Promise<void> {
    await preparedQuery(
      m,
      `INSERT INTO mail_outbox (id, ticket_id, event_id, kind, to_address, subject, text, html, message_id, in_reply_to, "references", reply_to,
         state, next_attempt_at, last_error, sealed_link)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        r.id,
        r.ticketId,
        r.eventId,
        r.kind,
        r.to,
        r.subject,
        r.text,
        r.html,
        r.messageId,
        r.inReplyTo,
        r.references,
        r.replyTo,
        r.state,
        r.nextAttemptAt,
        r.lastError,
        r.sealedLink,
      ],
    );
  }

  /** A ticket's e-mails, oldest first (no body). */
  deliveries(ticketId: string, m: EntityManager = this.db.manager): Promise<Array<Record<string, unknown>>> {
    return m.query(`SELECT ${DELIVERY_COLUMNS} FROM mail_outbox WHERE ticket_id = $1 ORDER BY created_at, id`, [ticketId]);
  }

  /** A failed e-mail of the ticket queued again now (never one whose address was refused); null when there is none. */
  async retry(ticketId: string, id: string, m: EntityManager = this.db.manager): Promise<Record<string, unknown> | null> {
    const [row] = await returning(
      m,
      `UPDATE mail_outbox SET state = 'queued', next_attempt_at = now(), updated_at = now()
       WHERE id = $1 AND ticket_id = $2 AND state = 'failed' AND to_address !~ '[\\r\\n]' AND last_error NOT LIKE 'Adresse du destinataire refusée%'
       RETURNING ${DELIVERY_COLUMNS}`,
      [id, ticketId],
    );
    return row ?? null;
  }

  // — the sender

  /** Claims up to `batch` due rows (SKIP LOCKED) for `lease` (an SQL interval), counting the attempt. */
  claim(batch: number, lease: string, m: EntityManager = this.db.manager): Promise<OutboxRow[]> {
    return returning<OutboxRow>(
      m,
      `UPDATE mail_outbox o SET state = 'sending', attempts = o.attempts + 1, next_attempt_at = now() + ${lease}, updated_at = now()
       WHERE o.id IN (SELECT id FROM mail_outbox WHERE state IN ('queued', 'failed', 'sending') AND next_attempt_at <= now() AND commune_id = grc_commune()
                      ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
       RETURNING o.id, o.to_address, o.subject, o.text, o.html, o.message_id, o.in_reply_to, o."references", o.reply_to, o.kind, o.attempts, o.sealed_link`,
    );
  }

  /** Sent: the sealed link wiped, and any clear key left in the bodies cut. */
  async markSent(id: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE mail_outbox SET state = 'sent', sent_at = now(), next_attempt_at = NULL, last_error = NULL, updated_at = now(), sealed_link = NULL,
         text = regexp_replace(text, ${CLEAR_KEY_TEXT}, '\\1…', 'g'), html = regexp_replace(html, ${CLEAR_KEY_HTML}, '\\1…', 'g')
       WHERE id = $1`,
      [id],
    );
  }

  /** Failed: for good (`last`), else tried again after `delayMs`. */
  async markFailed(id: string, error: string, last: boolean, delayMs: number, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE mail_outbox SET state = 'failed', last_error = $2, updated_at = now(),
         next_attempt_at = CASE WHEN $3 THEN NULL ELSE now() + make_interval(secs => $4::double precision / 1000) END
       WHERE id = $1`,
      [id, error, last, delayMs],
    );
  }

  /** Retention purge: the bodies of up to `limit` e-mails sent more than `days` ago replaced by `placeholder`; how many. */
  async purgeSentBodies(m: EntityManager, days: number, placeholder: string, limit: number): Promise<number> {
    const [, n] = await m.query(
      `UPDATE mail_outbox SET text = $2, html = NULL, sealed_link = NULL WHERE id IN (
         SELECT id FROM mail_outbox WHERE state = 'sent' AND sent_at < now() - make_interval(days => $1) AND text <> $2 AND commune_id = grc_commune()
         LIMIT $3 FOR UPDATE SKIP LOCKED)`,
      [days, placeholder, limit],
    );
    return Number(n ?? 0);
  }
}
