import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { preparedCommand } from '../../common/prepared';

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
  /** `at` to the microsecond (a JS Date keeps milliseconds): the keyset's cursor */
  at_key?: string;
}

/** The viewer's filters, already resolved (a ticket's reference to its id) and scoped. */
export interface AuditSearch {
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  /** the citizen's own record and every ticket of theirs */
  citizenId?: string;
  from?: Date;
  to?: Date;
  /** only the events of tickets of these departments (a head); undefined: the whole journal */
  ticketDepartments?: readonly string[];
  /** keyset: the events strictly older than this (at, id) */
  after?: { at: string; id: string };
  limit: number;
}

/**
 * Every query on `audit_events`, an append-only table: this repository inserts and reads, never
 * updates or deletes. Writes take the caller's EntityManager so an event commits with its change.
 * Also the citizen's own history of personal values, `citizen_revisions` (insert only here; the
 * anonymisation removes its rows).
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
    await preparedCommand(
      m,
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

  /**
   * The values of a change's personal fields, in the person's history: a citizen's own record, or the
   * requester of a ticket (nothing is kept for a ticket without a requester: nobody's history).
   */
  async insertRevision(
    r: { entityType: 'citizen' | 'ticket'; entityId: string; actorId: string | null; action: string; changes: Record<string, unknown> },
    m: EntityManager,
  ): Promise<void> {
    if (r.entityType === 'citizen')
      await m.query(`INSERT INTO citizen_revisions (citizen_id, actor_id, action, changes) VALUES ($1, $2, $3, $4)`, [
        r.entityId,
        r.actorId,
        r.action,
        JSON.stringify(r.changes),
      ]);
    else
      await m.query(
        `INSERT INTO citizen_revisions (citizen_id, ticket_id, actor_id, action, changes)
         SELECT t.citizen_id, t.id, $2, $3, $4 FROM tickets t WHERE t.id = $1::uuid AND t.citizen_id IS NOT NULL`,
        [r.entityId, r.actorId, r.action, JSON.stringify(r.changes)],
      );
  }

  /**
   * The viewer's search, newest first, keyset-paginated on (at, id): each filter has its index
   * (migration 1763800000860). `limit + 1` rows are read so the caller knows whether a next page exists.
   */
  search(s: AuditSearch, m: EntityManager = this.db.manager): Promise<AuditEventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (s.actorId) where.push(`a.actor_id = ${p(s.actorId)}::uuid`);
    if (s.action) where.push(`a.action = ${p(s.action)}`);
    if (s.entityType) where.push(`a.entity_type = ${p(s.entityType)}`);
    if (s.entityId) where.push(`a.entity_id = ${p(s.entityId)}`);
    if (s.citizenId) {
      const c = p(s.citizenId);
      where.push(`((a.entity_type = 'citizen' AND a.entity_id = ${c})
        OR (a.entity_type = 'ticket' AND a.entity_id IN (SELECT t.id::text FROM tickets t WHERE t.citizen_id = ${c}::uuid)))`);
    }
    if (s.from) where.push(`a.at >= ${p(s.from)}`);
    if (s.to) where.push(`a.at < ${p(s.to)}`);
    if (s.ticketDepartments)
      where.push(`a.entity_type = 'ticket' AND EXISTS (SELECT 1 FROM tickets t
        WHERE t.id = CASE WHEN a.entity_type = 'ticket' THEN a.entity_id::uuid END AND t.department_id = ANY(${p(s.ticketDepartments)}::uuid[]))`);
    if (s.after) where.push(`(a.at, a.id) < (${p(s.after.at)}::timestamptz, ${p(s.after.id)}::bigint)`);
    return m.query(
      `SELECT a.id::text, a.at, a.actor_id, a.actor_label, a.action, a.entity_type, a.entity_id, a.changes, a.ip,
         to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key FROM audit_events a
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.at DESC, a.id DESC LIMIT ${p(s.limit + 1)}`,
      params,
    );
  }

  /**
   * The department of a ticket (null: no such ticket), by id or by public reference. A read of the
   * tickets' table, kept here until the tickets repository offers it (the audit module is global and
   * cannot import the tickets module).
   */
  async ticket(
    by: { id: string } | { reference: string },
    m: EntityManager = this.db.manager,
  ): Promise<{ id: string; departmentId: string } | null> {
    const [t]: Array<{ id: string; department_id: string }> =
      'id' in by
        ? await m.query(`SELECT id, department_id FROM tickets WHERE id = $1::uuid`, [by.id])
        : await m.query(`SELECT id, department_id FROM tickets WHERE reference = $1`, [by.reference]);
    return t ? { id: t.id, departmentId: t.department_id } : null;
  }
}
