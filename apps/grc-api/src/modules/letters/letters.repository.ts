import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { LetterState } from '@grc/domain';

/** What a letter is written from: the ticket, its department and its requester's postal contacts. */
export interface LetterContextRow {
  reference: string;
  channel: string;
  department_name: string;
  kind: string | null;
  first_name: string | null;
  last_name: string | null;
  organisation_name: string | null;
  contact_person: string | null;
  email: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  preferred_channel: string | null;
}

export interface NewLetter {
  ticketId: string;
  eventId: string | null;
  recipientName: string;
  recipientAddress: string | null;
  body: string;
  signatoryId: string | null;
  signatoryName: string;
  signatoryTitle: string | null;
}

/** A letter as listed and printed: its row, its ticket's reference, subject and department, who posted it. */
export interface LetterRow {
  id: string;
  ticket_id: string;
  reference: string;
  subject: string;
  department_id: string;
  department_name: string;
  recipient_name: string;
  recipient_address: string | null;
  body: string;
  signatory_name: string;
  signatory_title: string | null;
  state: LetterState;
  created_at: Date;
  sent_at: Date | null;
  sent_by: string | null;
  sent_by_name: string | null;
}

const COLUMNS = `l.id, l.ticket_id, t.reference, t.subject, t.department_id, d.name AS department_name, l.recipient_name, l.recipient_address,
  l.body, l.signatory_name, l.signatory_title, l.state, l.created_at, l.sent_at, l.sent_by, a.display_name AS sent_by_name`;
const FROM = `ticket_letters l JOIN tickets t ON t.id = l.ticket_id JOIN departments d ON d.id = t.department_id
  LEFT JOIN agents a ON a.id = l.sent_by`;

/**
 * Every query on `ticket_letters` (replies by post): written in the ticket's transaction by the letters
 * listener, listed in "courrier à envoyer", read to print, marked sent inside the ticket's change.
 * Tickets change only through TicketsService.
 */
@Injectable()
export class LettersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async context(m: EntityManager, ticketId: string): Promise<LetterContextRow | null> {
    const [r] = await m.query(
      `SELECT t.reference, t.channel, d.name AS department_name, c.kind, c.first_name, c.last_name, c.organisation_name, c.contact_person,
              c.email, c.address, c.postcode, c.city, c.preferred_channel
       FROM tickets t JOIN departments d ON d.id = t.department_id LEFT JOIN citizens c ON c.id = t.citizen_id
       WHERE t.id = $1`,
      [ticketId],
    );
    return r ?? null;
  }

  /** The timeline event the letter carries (the reply just written in this transaction). */
  async lastReplyEventId(m: EntityManager, ticketId: string): Promise<string | null> {
    const [e] = await m.query(`SELECT id::text AS id FROM ticket_events WHERE ticket_id = $1 AND kind = 'reply' ORDER BY id DESC LIMIT 1`, [
      ticketId,
    ]);
    return e?.id ?? null;
  }

  async insert(m: EntityManager, l: NewLetter): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO ticket_letters (ticket_id, event_id, recipient_name, recipient_address, body, signatory_id, signatory_name, signatory_title)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [l.ticketId, l.eventId, l.recipientName, l.recipientAddress, l.body, l.signatoryId, l.signatoryName, l.signatoryTitle],
    );
    return row.id;
  }

  /** The queue (oldest first) or the letters sent (newest first) of these departments (null: every department). */
  list(
    departmentIds: readonly string[] | null,
    state: LetterState,
    limit: number,
    m: EntityManager = this.db.manager,
  ): Promise<LetterRow[]> {
    return m.query(
      `SELECT ${COLUMNS} FROM ${FROM}
       WHERE l.state = $1 AND ($2::uuid[] IS NULL OR t.department_id = ANY($2::uuid[]))
       ORDER BY ${state === 'to_send' ? 'l.created_at, l.id' : 'l.sent_at DESC, l.id'} LIMIT $3`,
      [state, departmentIds, limit],
    );
  }

  /** One request's letters (both states, oldest first), if its department is one of these (null: every department). */
  ofTicket(ticketId: string, departmentIds: readonly string[] | null, m: EntityManager = this.db.manager): Promise<LetterRow[]> {
    return m.query(
      `SELECT ${COLUMNS} FROM ${FROM}
       WHERE l.ticket_id = $1 AND ($2::uuid[] IS NULL OR t.department_id = ANY($2::uuid[]))
       ORDER BY l.created_at, l.id LIMIT 100`,
      [ticketId, departmentIds],
    );
  }

  async find(id: string, m: EntityManager = this.db.manager): Promise<LetterRow | null> {
    const [r] = await m.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE l.id = $1`, [id]);
    return r ?? null;
  }

  /** The ticket of a letter (to lock the ticket first, as every change of a ticket does). */
  async ticketOf(id: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [r] = await m.query(`SELECT ticket_id FROM ticket_letters WHERE id = $1`, [id]);
    return r?.ticket_id ?? null;
  }

  /** The letter locked, within its ticket's change. */
  async lock(m: EntityManager, id: string): Promise<{ state: LetterState; ticket_id: string } | null> {
    const [r] = await m.query(`SELECT state, ticket_id FROM ticket_letters WHERE id = $1 FOR UPDATE`, [id]);
    return r ?? null;
  }

  async markSent(m: EntityManager, id: string, by: string | null): Promise<void> {
    await m.query(`UPDATE ticket_letters SET state = 'sent', sent_at = now(), sent_by = $2 WHERE id = $1`, [id, by]);
  }
}
