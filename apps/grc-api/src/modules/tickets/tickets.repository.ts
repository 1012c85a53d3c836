import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RoutingRuleData, TimelineEventKind } from '@grc/domain';
import { preparedCommand, preparedQuery } from '../../common/prepared';
import { TicketEntity } from '../../database/entities';
import { reachableSql, type Reach } from '../citizens/citizens.repository';
import { FILABLE_CATEGORY } from '../reference/categories.repository';
import { TOWN_SQL } from '../town/town-settings.repository';
import type { NewEvent } from './ticket-change.hooks';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, type SummaryRow } from './ticket-view';

/** the commune of the request ($1), not the connection's: a métropole's agent files a commune's events */
const EVENT_COMMUNE = `coalesce((SELECT t.commune_id FROM tickets t WHERE t.id = $1), grc_row_commune())`;

/** The columns a change may set, by entity field (anything else is refused: no SQL from a caller's keys). */
const COLUMN: Partial<Record<keyof TicketEntity, string>> = {
  status: 'status',
  priority: 'priority',
  categoryId: 'category_id',
  departmentId: 'department_id',
  assigneeId: 'assignee_id',
  subject: 'subject',
  resolvedAt: 'resolved_at',
  closedAt: 'closed_at',
  masterTicketId: 'master_ticket_id',
  linkedFromStatus: 'linked_from_status',
  // a merge of two records of one person moves the request to the kept record (moveRequesterIn)
  citizenId: 'citizen_id',
  // the category's own fields, edited on the ticket page (checked by libs/domain checkFieldValues)
  attributes: 'attributes',
};
export type TicketSet = Partial<Record<keyof TicketEntity, unknown>>;

export interface CreationContext {
  id: string;
  active: boolean;
  default_department_id: string;
  rules: RoutingRuleData[];
  citizen_id: string | null;
  prefix: string;
  year: number;
  n: string;
}

/** The row `insertCreated` writes with its 'created' event and its audit event. */
export interface CreatedRow {
  reference: string;
  channel: string;
  categoryId: string;
  departmentId: string;
  citizenId: string | null;
  subject: string;
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  priority: number;
  createdBy: string | null;
  attributes: Record<string, unknown>;
  locale: 'fr' | 'en' | null;
  /** the SLA clocks' summary the listeners prepared (null: none, the columns' defaults) */
  sla: { slaDueAt: Date | null; slaBreached: boolean } | null;
  createdData: Record<string, unknown>;
  audit: { actorId: string | null; actorLabel: string; ip: string | null; changes: Record<string, unknown> };
}

export type DetailRow = SummaryRow & {
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  version: number;
  attributes: Record<string, unknown>;
};
export interface EventRow {
  id: string;
  kind: TimelineEventKind;
  at: Date;
  body: string | null;
  data: Record<string, unknown>;
  actor_id: string | null;
  actor_name: string | null;
}
export interface AttachmentRow {
  id: string;
  filename: string;
  mime_type: string;
  size: number;
  created_at: Date;
}

export interface AnonymisationRow {
  id: string;
  category_id: string;
  citizen_id: string | null;
  subject: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  attributes: Record<string, unknown>;
  known_names: string[];
}
export interface AnonymisedColumns {
  id: string;
  subject: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  attributes: Record<string, unknown>;
}

/** A town pack's history, written as it is (no routing, no hooks: the pack says what happened). */
export interface ImportedTicket {
  id: string;
  reference: string;
  channel: string;
  categoryId: string;
  departmentId: string;
  assigneeId: string | null;
  citizenId: string | null;
  subject: string;
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  priority: number;
  status: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
}
export interface ImportedEvent {
  ticketId: string;
  kind: string;
  actorId: string | null;
  at: string;
  body: string | null;
  data: Record<string, unknown>;
}

/**
 * Every SQL statement of the tickets module on `tickets` and `ticket_events`, each on the caller's
 * EntityManager (the transaction of the change). Writes are reached through TicketsService's change
 * method only (architecture.spec fails the build on such SQL anywhere else); creation and detail are
 * prepared statements (common/prepared.ts), the two hot paths.
 */
@Injectable()
export class TicketsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The default manager, for reads outside a transaction. */
  get manager(): EntityManager {
    return this.db.manager;
  }

  // ------------------------------------------------------------------ change

  /**
   * The row, locked until the transaction ends, or null. `FOR NO KEY UPDATE`, not `FOR UPDATE`: a change never
   * touches the key, and `FOR UPDATE` would also block every insert of a row that references the ticket (their
   * foreign-key check takes `FOR KEY SHARE`) — the figures' refresh inserting a fact while holding its marks
   * deadlocked with a change waiting for a mark (CI, duplicates.spec). Changes still exclude each other.
   */
  lock(m: EntityManager, id: string): Promise<TicketEntity | null> {
    return m.getRepository(TicketEntity).createQueryBuilder('t').setLock('for_no_key_update').where('t.id = :id', { id }).getOne();
  }

  /** The commune the request belongs to (a métropole's agent works on its communes' requests in a shared service). */
  async communeOf(m: EntityManager, id: string): Promise<string> {
    const [row]: Array<{ commune_id: string }> = await m.query(`SELECT commune_id FROM tickets WHERE id = $1`, [id]);
    return row!.commune_id;
  }

  find(m: EntityManager, id: string): Promise<TicketEntity> {
    return m.getRepository(TicketEntity).findOneByOrFail({ id });
  }

  /** Sets the columns and bumps the version (the console's optimistic lock) and updated_at. */
  async apply(m: EntityManager, id: string, set: TicketSet): Promise<void> {
    const assignments = Object.entries(set).map(([k, v], i) => {
      const column = COLUMN[k as keyof TicketEntity];
      if (!column) throw new Error(`tickets: column ${k} may not be set by a change`);
      return { column, value: v, i };
    });
    await m.query(
      `UPDATE tickets SET ${assignments.map((a) => `${a.column} = $${a.i + 2}, `).join('')}version = version + 1, updated_at = now() WHERE id = $1`,
      [id, ...assignments.map((a) => a.value)],
    );
  }

  /**
   * A request's timeline events are its commune's, whoever writes them: the agent of a métropole's shared
   * service too (migration 1763800002020 lets such a connection file them), so that the commune sees them.
   */
  async insertEvents(m: EntityManager, ticketId: string, actorId: string | null, events: readonly NewEvent[]): Promise<void> {
    if (!events.length) return;
    if (events.length === 1) {
      const e = events[0]!;
      await m.query(
        `INSERT INTO ticket_events (ticket_id, kind, actor_id, body, data, commune_id) VALUES ($1, $2, $3, $4, $5, ${EVENT_COMMUNE})`,
        [ticketId, e.kind, actorId, e.body ?? null, JSON.stringify(e.data ?? {})],
      );
      return;
    }
    // one statement, in the given order (ids follow it: the timeline sorts on at, id)
    await m.query(
      `INSERT INTO ticket_events (ticket_id, kind, actor_id, body, data, commune_id)
       SELECT $1, k, $2, b, d::jsonb, ${EVENT_COMMUNE} FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(k, b, d, n) ORDER BY n`,
      [ticketId, actorId, events.map((e) => e.kind), events.map((e) => e.body ?? null), events.map((e) => JSON.stringify(e.data ?? {}))],
    );
  }

  /** tickets.sla_due_at (nearest running deadline) and sla_breached, for the inbox; returns the new values. */
  async refreshSlaSummary(m: EntityManager, ticketId: string): Promise<{ slaDueAt: Date | null; slaBreached: boolean }> {
    // prepared: every creation and most changes run it (the clocks moved)
    const rows = await preparedQuery(
      m,
      `UPDATE tickets SET
         sla_due_at = (SELECT min(deadline) FROM ticket_sla WHERE ticket_id = $1 AND status = 'running'),
         sla_breached = coalesce((SELECT bool_or(breached) FROM ticket_sla WHERE ticket_id = $1 AND status <> 'stopped'), false)
       WHERE id = $1 RETURNING sla_due_at, sla_breached`,
      [ticketId],
    );
    const r = (rows as Array<{ sla_due_at: Date | null; sla_breached: boolean }>)[0];
    return { slaDueAt: r?.sla_due_at ?? null, slaBreached: r?.sla_breached ?? false };
  }

  // ------------------------------------------------------------------ creation

  /**
   * Category, its routing rules, the citizen (when `reach` allows: the need-to-know rule of the citizens module),
   * the town's prefix and year and the next number: one round trip.
   */
  async creationContext(
    m: EntityManager,
    categoryId: string,
    citizenId: string | null,
    reach: Reach = { directory: true, visibleDepartmentIds: [] },
  ): Promise<CreationContext | undefined> {
    const [ctx] = await preparedQuery<CreationContext>(
      m,
      `WITH town AS (
         SELECT coalesce(${TOWN_SQL.referencePrefix}, 'GRC') AS prefix,
                extract(year FROM now() AT TIME ZONE coalesce(${TOWN_SQL.timezone}, 'Europe/Paris'))::int AS year)
       SELECT c.id, c.active, c.default_department_id,
         coalesce((SELECT json_agg(json_build_object('id', r.id, 'categoryId', r.category_id, 'departmentId', r.department_id,
           'areaName', r.area_name, 'area', r.area, 'position', r.position) ORDER BY r.position, r.id)
           FROM routing_rules r WHERE r.category_id = c.id), '[]'::json) AS rules,
         (SELECT z.id FROM citizens z WHERE z.id = $2::uuid AND ${reachableSql('$3', '$4')}) AS citizen_id,
         town.prefix, town.year, grc_next_ticket_number(town.year) AS n
       FROM categories c, town WHERE c.id = $1 AND ${FILABLE_CATEGORY('c')}`,
      [categoryId, citizenId, reach.directory, reach.visibleDepartmentIds],
    );
    return ctx;
  }

  /**
   * Ticket, 'created' event and audit event in one statement; returns the new row as the entity the
   * change listeners are given (its columns from TypeORM's metadata, hydrated as TypeORM would: no
   * read-back of the row, one statement less per creation — bench/intake.mjs).
   */
  async insertCreated(m: EntityManager, r: CreatedRow): Promise<TicketEntity> {
    const meta = m.connection.getMetadata(TicketEntity);
    const [row] = await preparedQuery<Record<string, unknown>>(
      m,
      `WITH t AS (
         INSERT INTO tickets (reference, channel, category_id, department_id, citizen_id, subject, description,
           address, latitude, longitude, priority, status, created_by, attributes, locale, sla_due_at, sla_breached)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', $12, $17, $19, $20, $21)
         RETURNING ${meta.columns.map((c) => `"${c.databaseName}"`).join(', ')}),
       e AS (INSERT INTO ticket_events (ticket_id, kind, actor_id, data) SELECT id, 'created', $12, $13 FROM t),
       a AS (INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip)
             SELECT $18, $14, 'ticket.create', 'ticket', id::text, $15, $16 FROM t)
       SELECT * FROM t`,
      [
        r.reference,
        r.channel,
        r.categoryId,
        r.departmentId,
        r.citizenId,
        r.subject,
        r.description,
        r.address,
        r.latitude,
        r.longitude,
        r.priority,
        r.createdBy,
        JSON.stringify(r.createdData),
        r.audit.actorLabel,
        JSON.stringify(r.audit.changes),
        r.audit.ip,
        JSON.stringify(r.attributes),
        r.audit.actorId,
        r.locale,
        r.sla?.slaDueAt ?? null,
        r.sla?.slaBreached ?? false,
      ],
    );
    const entity = meta.create() as TicketEntity;
    for (const c of meta.columns) c.setEntityValue(entity, m.connection.driver.prepareHydratedValue(row![c.databaseName], c));
    return entity;
  }

  // ------------------------------------------------------------------ reads

  /**
   * The detail's row with its timeline and attachments (JSON arrays, in their display order): one round
   * trip instead of three — every ticket answer (creation, each change, GET /tickets/:id) reads it.
   */
  detail(m: EntityManager, id: string): Promise<(DetailRow & { timeline: EventRow[]; attachments: AttachmentRow[] }) | undefined> {
    return preparedQuery<DetailRow & { timeline: EventRow[]; attachments: AttachmentRow[] }>(
      m,
      `SELECT ${SUMMARY_COLUMNS}, t.description, t.address, t.latitude, t.longitude, t.version, t.attributes,
         coalesce((SELECT json_agg(json_build_object('id', e.id::text, 'kind', e.kind, 'at', e.at, 'body', e.body, 'data', e.data,
             'actor_id', ea.id, 'actor_name', ea.display_name) ORDER BY e.at, e.id)
           FROM ticket_events e LEFT JOIN agents ea ON ea.id = e.actor_id WHERE e.ticket_id = t.id), '[]'::json) AS timeline,
         coalesce((SELECT json_agg(json_build_object('id', x.id, 'filename', x.filename, 'mime_type', x.mime_type, 'size', x.size,
             'created_at', x.created_at) ORDER BY x.created_at)
           FROM attachments x WHERE x.ticket_id = t.id), '[]'::json) AS attachments
       FROM tickets t ${SUMMARY_JOINS} WHERE t.id = $1`,
      [id],
    ).then((rows) => rows[0]);
  }

  async scopeOf(m: EntityManager, id: string): Promise<{ departmentId: string; categoryId: string } | null> {
    const [t] = await m.query(`SELECT department_id, category_id FROM tickets WHERE id = $1`, [id]);
    return t ? { departmentId: t.department_id, categoryId: t.category_id } : null;
  }

  async departmentOf(m: EntityManager, id: string): Promise<string | null> {
    const [t] = await m.query(`SELECT department_id FROM tickets WHERE id = $1`, [id]);
    return t?.department_id ?? null;
  }

  // ------------------------------------------------------------------ anonymisation (retention, erasure)

  /**
   * The requests not yet anonymised among `ids`, locked, with their requester's known names (for the
   * redaction of free text). `skipLocked`: a request an agent is changing right now is left for the next batch.
   */
  lockForAnonymisation(m: EntityManager, ids: readonly string[], skipLocked: boolean): Promise<AnonymisationRow[]> {
    return preparedQuery(
      m,
      `SELECT t.id, t.category_id, t.citizen_id, t.subject, t.description, t.latitude, t.longitude, t.attributes,
         array_remove(ARRAY[c.first_name, c.last_name, c.organisation_name, c.contact_person], NULL) AS known_names
       FROM tickets t LEFT JOIN citizens c ON c.id = t.citizen_id
       WHERE t.id = ANY($1::uuid[]) AND t.anonymised_at IS NULL
       ORDER BY t.id FOR NO KEY UPDATE OF t ${skipLocked ? 'SKIP LOCKED' : ''}`,
      [ids],
    );
  }

  /** The timeline entries of these requests that hold text or data (the others have nothing to redact). */
  eventsToRedact(
    m: EntityManager,
    ids: readonly string[],
  ): Promise<Array<{ id: string; ticket_id: string; body: string | null; data: unknown }>> {
    return preparedQuery(
      m,
      `SELECT id::text, ticket_id, body, data FROM ticket_events
       WHERE ticket_id = ANY($1::uuid[]) AND (body IS NOT NULL OR data <> '{}'::jsonb)`,
      [ids],
    );
  }

  /**
   * The anonymised columns of many requests in one statement, the version bumped (an open console sees the
   * change); `updated_at` is left as it was so that the inbox's "last updated" order keeps telling agents' work.
   */
  async applyAnonymisation(m: EntityManager, rows: readonly AnonymisedColumns[]): Promise<void> {
    if (!rows.length) return;
    await preparedCommand(
      m,
      `UPDATE tickets t SET citizen_id = NULL, address = NULL, subject = u.subject, description = u.description,
         latitude = u.latitude, longitude = u.longitude, attributes = u.attributes::jsonb, anonymised_at = now(), version = t.version + 1
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[]) AS u(id, subject, description, latitude, longitude, attributes)
       WHERE t.id = u.id`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.subject),
        rows.map((r) => r.description),
        rows.map((r) => r.latitude),
        rows.map((r) => r.longitude),
        rows.map((r) => JSON.stringify(r.attributes)),
      ],
    );
  }

  async redactEvents(m: EntityManager, rows: ReadonlyArray<{ id: string; body: string | null; data: unknown }>): Promise<void> {
    if (!rows.length) return;
    await preparedCommand(
      m,
      `UPDATE ticket_events e SET body = u.body, data = u.data::jsonb
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, body, data) WHERE e.id = u.id`,
      [rows.map((r) => r.id), rows.map((r) => r.body), rows.map((r) => JSON.stringify(r.data))],
    );
  }

  /** One 'anonymised' timeline entry per request, with no personal data. */
  async insertAnonymisedEvents(m: EntityManager, ids: readonly string[], actorId: string | null): Promise<void> {
    if (!ids.length) return;
    await preparedCommand(
      m,
      `INSERT INTO ticket_events (ticket_id, kind, actor_id) SELECT id, 'anonymised', $2 FROM unnest($1::uuid[]) AS id`,
      [ids, actorId],
    );
  }

  /** Requests removed with their timeline and every row that cascades from them; returns the ids removed. */
  async deleteMany(
    m: EntityManager,
    ids: readonly string[],
    skipLocked: boolean,
  ): Promise<Array<{ id: string; category_id: string; citizen_id: string | null }>> {
    if (!ids.length) return [];
    // a DELETE answers [rows, count] through TypeORM's driver
    const [rows] = await m.query(
      `WITH locked AS (SELECT id FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE ${skipLocked ? 'SKIP LOCKED' : ''})
       DELETE FROM tickets t USING locked WHERE t.id = locked.id RETURNING t.id, t.category_id, t.citizen_id`,
      [ids],
    );
    return rows;
  }

  // ------------------------------------------------------------------ packs

  /** A pack's tickets and timelines, in two statements (thousands of rows at start-up). */
  async importMany(m: EntityManager, ts: readonly ImportedTicket[], events: readonly ImportedEvent[]): Promise<void> {
    if (ts.length) {
      const col = <K extends keyof ImportedTicket>(k: K) => ts.map((t) => t[k]);
      await m.query(
        `INSERT INTO tickets (id, reference, channel, category_id, department_id, assignee_id, citizen_id, subject, description, address,
           latitude, longitude, priority, status, created_by, created_at, updated_at, resolved_at, closed_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[],
           $11::float8[], $12::float8[], $13::smallint[], $14::text[], $15::uuid[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[])`,
        [
          col('id'),
          col('reference'),
          col('channel'),
          col('categoryId'),
          col('departmentId'),
          col('assigneeId'),
          col('citizenId'),
          col('subject'),
          col('description'),
          col('address'),
          col('latitude'),
          col('longitude'),
          col('priority'),
          col('status'),
          col('createdBy'),
          col('createdAt'),
          col('updatedAt'),
          col('resolvedAt'),
          col('closedAt'),
        ],
      );
    }
    if (events.length) {
      await m.query(
        `INSERT INTO ticket_events (ticket_id, kind, actor_id, at, body, data)
         SELECT t, k, a, at, b, d::jsonb FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[]) WITH ORDINALITY
           AS e(t, k, a, at, b, d, n) ORDER BY n`,
        [
          events.map((x) => x.ticketId),
          events.map((x) => x.kind),
          events.map((x) => x.actorId),
          events.map((x) => x.at),
          events.map((x) => x.body),
          events.map((x) => JSON.stringify(x.data)),
        ],
      );
    }
  }
}
