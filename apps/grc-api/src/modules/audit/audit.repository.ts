import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** One audit event as it is written (`changes` is {field: {before, after}}). */
export interface AuditEventInsert {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
}

export interface AuditEventRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  ip: string | null;
}

/**
 * Every query on `audit_events`, an append-only table: this repository inserts and reads, never
 * updates or deletes. Writes take the caller's EntityManager so an event commits with its change.
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(e: AuditEventInsert, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.actorId, e.actorLabel, e.action, e.entityType, e.entityId, JSON.stringify(e.changes), e.ip],
    );
  }

  /** Many events of one actor and action in one statement (a batch of the retention job). */
  async insertMany(
    actor: { actorId: string | null; actorLabel: string; ip: string | null },
    action: string,
    entityType: string,
    entries: ReadonlyArray<{ entityId: string; changes: Record<string, { before: unknown; after: unknown }> }>,
    m: EntityManager = this.db.manager,
  ): Promise<void> {
    if (!entries.length) return;
    await m.query(
      `INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip)
       SELECT $1, $2, $3, $4, e, c::jsonb, $5 FROM unnest($6::text[], $7::text[]) AS u(e, c)`,
      [
        actor.actorId,
        actor.actorLabel,
        action,
        entityType,
        actor.ip,
        entries.map((e) => e.entityId),
        entries.map((e) => JSON.stringify(e.changes)),
      ],
    );
  }

  /** One record's trail, newest first. */
  trail(entityType: string, entityId: string, limit: number, m: EntityManager = this.db.manager): Promise<AuditEventRow[]> {
    return m.query(
      `SELECT id::text, at, actor_id, actor_label, action, entity_type, entity_id, changes, ip FROM audit_events
       WHERE entity_type = $1 AND entity_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
      [entityType, entityId, limit],
    );
  }

  /**
   * The department of the ticket whose trail is asked for (null: no such ticket). A read of the
   * tickets' table, kept here until the tickets repository offers it (the audit module is global and
   * cannot import the tickets module).
   */
  async ticketDepartment(ticketId: string, m: EntityManager = this.db.manager): Promise<string | null> {
    const [t]: Array<{ department_id: string }> = await m.query(`SELECT department_id FROM tickets WHERE id::text = $1`, [ticketId]);
    return t?.department_id ?? null;
  }
}
