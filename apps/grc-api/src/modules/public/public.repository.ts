import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TicketStatus } from '@grc/domain';
import { FILABLE_CATEGORY } from '../reference/categories.repository';

/** What the tracking page shows of a ticket (a duplicate shows its master's status, dates and deadline). */
export interface TrackedRow {
  reference: string;
  status: TicketStatus;
  master_status: TicketStatus | null;
  description: string;
  address: string | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  expected_at: Date | null;
  name_fr: string;
  name_en: string;
}

/**
 * The citizen side's reads: the form's categories (their fields: CategoryFieldsRepository), the tracking page's view of a
 * ticket and of its public messages. Tickets change only through TicketsService; the tracking keys are
 * TrackingRepository's, the files AttachmentsRepository's, the town TownSettingsRepository's.
 */
@Injectable()
export class PublicRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The active categories (the form's choices), by French name; their fields are CategoryFieldsRepository's. */
  formCategories(m: EntityManager = this.db.manager): Promise<Array<{ id: string; code: string; name_fr: string; name_en: string }>> {
    return m.query(
      `SELECT c.id, c.code, c.name_fr, c.name_en FROM categories c WHERE c.active AND ${FILABLE_CATEGORY('c')} ORDER BY c.name_fr`,
    );
  }

  /** An active category (what a submitted form is checked against). */
  async formCategory(id: string, m: EntityManager = this.db.manager): Promise<{ id: string; name_fr: string } | undefined> {
    const [category] = await m.query(`SELECT c.id, c.name_fr FROM categories c WHERE c.id = $1 AND c.active AND ${FILABLE_CATEGORY('c')}`, [
      id,
    ]);
    return category;
  }

  /** The tracking page's view of the ticket. */
  async tracked(id: string, m: EntityManager = this.db.manager): Promise<TrackedRow | undefined> {
    const [t] = await m.query(
      `SELECT t.reference, t.status, mt.status AS master_status, t.description, t.address, t.created_at,
              greatest(t.updated_at, mt.updated_at) AS updated_at, CASE WHEN mt.id IS NULL THEN t.resolved_at ELSE mt.resolved_at END AS resolved_at,
              coalesce(mt.sla_due_at, t.sla_due_at) AS expected_at, c.name_fr, c.name_en
       FROM tickets t JOIN categories c ON c.id = t.category_id LEFT JOIN tickets mt ON mt.id = t.master_ticket_id
       WHERE t.id = $1`,
      [id],
    );
    return t;
  }

  /** The conversation the citizen sees: replies to them and their own messages, oldest first (never notes). */
  publicMessages(id: string, m: EntityManager = this.db.manager): Promise<Array<{ at: Date; kind: 'reply' | 'inbound'; body: string }>> {
    return m.query(
      `SELECT at, kind, body FROM ticket_events WHERE ticket_id = $1 AND kind IN ('reply', 'inbound') AND body IS NOT NULL ORDER BY at, id`,
      [id],
    );
  }

  /** The ticket's current version (the citizen's message is a change without the agent's optimistic check). */
  async version(id: string, m: EntityManager = this.db.manager): Promise<number> {
    const [{ version }]: Array<{ version: number }> = await m.query(`SELECT version FROM tickets WHERE id = $1`, [id]);
    return version;
  }
}
