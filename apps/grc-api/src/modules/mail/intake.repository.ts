import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QuarantineReasonCode } from '@grc/domain';
import { returning } from '../../common/returning';

export type ImportedOutcome = 'ticket' | 'reply' | 'ignored' | 'quarantined';

/** Why a message is kept aside: the code and parameters the console words, the French text for logs and the audit. */
export interface QuarantineReason {
  code: QuarantineReasonCode;
  params: Record<string, string | number>;
  text: string;
}

/** A message kept aside, as the quarantine's list shows it (not its bytes). */
export interface QuarantineRow {
  id: string;
  mailbox_id: string | null;
  mailbox_name: string | null;
  uid: string | null;
  message_key: string | null;
  from_address: string | null;
  subject: string | null;
  reason_code: string;
  reason_params: Record<string, string | number> | null;
  size: number;
  truncated: boolean;
  created_at: Date;
}

/**
 * Every query of the e-mail intake: `mail_imported` (one row per message ever seen: the key that keeps a
 * message from being imported twice), `mail_quarantine`, and the threading's reads (our outbox's
 * Message-IDs, the ticket a reply is for). Tickets change only through TicketsService.
 */
@Injectable()
export class MailIntakeRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records the message as seen with `outcome`; false when it already was (a duplicate). */
  async claim(m: EntityManager, key: string, mailboxId: string, uid: number | null, outcome: 'ignored' | 'quarantined'): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO mail_imported (message_key, mailbox_id, uid, outcome) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING message_key`,
      [key, mailboxId, uid, outcome],
    );
    return rows.length > 0;
  }

  /** What became of the message: its outcome, the ticket it made or joined, the reason (null: none). */
  async setOutcome(m: EntityManager, key: string, outcome: ImportedOutcome, ticketId: string | null, reason: string | null): Promise<void> {
    await m.query(`UPDATE mail_imported SET outcome = $2, ticket_id = coalesce($3, ticket_id), reason = $4 WHERE message_key = $1`, [
      key,
      outcome,
      ticketId,
      reason,
    ]);
  }

  async quarantine(
    m: EntityManager,
    q: {
      mailboxId: string;
      uid: number | null;
      key: string;
      from: string | null;
      subject: string | null;
      reason: QuarantineReason;
      size: number;
      truncated: boolean;
      raw: Buffer;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO mail_quarantine (mailbox_id, uid, message_key, from_address, subject, reason, reason_code, reason_params, size, truncated, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        q.mailboxId,
        q.uid,
        q.key,
        q.from,
        q.subject,
        q.reason.text,
        q.reason.code,
        JSON.stringify(q.reason.params),
        q.size,
        q.truncated,
        q.raw,
      ],
    );
  }

  /** Which of these Message-IDs we sent, and for which ticket. */
  async sentFor(m: EntityManager, messageIds: readonly string[]): Promise<Map<string, string>> {
    if (!messageIds.length) return new Map();
    const rows: Array<{ message_id: string; ticket_id: string }> = await m.query(
      `SELECT message_id, ticket_id FROM mail_outbox WHERE message_id = ANY($1::text[]) AND ticket_id IS NOT NULL`,
      [messageIds],
    );
    return new Map(rows.map((r) => [r.message_id, r.ticket_id]));
  }

  /** The ticket a reply is for, by id or by reference; null when it no longer exists. */
  async ticket(
    m: EntityManager,
    by: { id: string } | { reference: string },
  ): Promise<{ id: string; reference: string; status: string } | null> {
    const [t] =
      'id' in by
        ? await m.query(`SELECT id, reference, status FROM tickets WHERE id = $1`, [by.id])
        : await m.query(`SELECT id, reference, status FROM tickets WHERE reference = $1`, [by.reference]);
    return t ?? null;
  }

  // — the quarantine screen

  quarantined(m: EntityManager = this.db.manager): Promise<QuarantineRow[]> {
    return m.query(
      `SELECT q.id, q.mailbox_id, b.name AS mailbox_name, q.uid, q.message_key, q.from_address, q.subject, q.reason_code, q.reason_params, q.size, q.truncated, q.created_at
       FROM mail_quarantine q LEFT JOIN mail_mailboxes b ON b.id = q.mailbox_id ORDER BY q.created_at DESC LIMIT 500`,
    );
  }

  async quarantinedRaw(id: string, m: EntityManager = this.db.manager): Promise<Buffer | null> {
    const [r] = await m.query(`SELECT raw FROM mail_quarantine WHERE id = $1`, [id]);
    return (r?.raw as Buffer | undefined) ?? null;
  }

  /** Deletes it; its reason, or null when there was none. */
  async deleteQuarantined(m: EntityManager, id: string): Promise<string | null> {
    const [row] = await returning<{ reason: string }>(m, `DELETE FROM mail_quarantine WHERE id = $1 RETURNING reason`, [id]);
    return row?.reason ?? null;
  }

  /** Retention purge: up to `limit` quarantined e-mails older than `days` removed; how many. */
  async purgeQuarantine(m: EntityManager, days: number, limit: number): Promise<number> {
    const [, n] = await m.query(
      `DELETE FROM mail_quarantine WHERE id IN (SELECT id FROM mail_quarantine WHERE created_at < now() - make_interval(days => $1)
       LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [days, limit],
    );
    return Number(n ?? 0);
  }
}
