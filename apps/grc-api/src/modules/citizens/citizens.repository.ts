import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Citizen, CitizenFields, CitizenSummary } from '@grc/domain';
import { CitizenEntity } from '../../database/entities';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, type SummaryRow } from '../tickets/ticket-view';

/**
 * Who may reach a person (need-to-know, docs/authorization.md): the directory (front desk, admin)
 * reaches everyone; other agents the people of a ticket of a department they may see.
 */
export interface Reach {
  directory: boolean;
  visibleDepartmentIds: readonly string[];
}

/** What a search matches on: a normalised e-mail, a normalised phone, or a name fragment (search_text). */
export type CitizenMatch = { by: 'email' | 'phone' | 'name'; value: string };

/**
 * Whether citizen `z` is reachable, as a condition for another module's query (the ticket creation reads the
 * requester in its one context query): `directory` and `departments` the placeholders of the directory
 * right (boolean) and of the departments the agent may see.
 */
export const reachableSql = (directory: string, departments: string) =>
  `(${directory}::boolean OR EXISTS (SELECT 1 FROM tickets rt WHERE rt.citizen_id = z.id AND rt.department_id = ANY(${departments}::uuid[])))`;
/** Whether citizen `z` is reachable: $2 the directory (boolean), $3 the departments the agent may see. */
const REACHABLE = reachableSql('$2', '$3');

const WHERE: Record<CitizenMatch['by'], string> = {
  email: `lower(z.email) = lower($1)`,
  phone: `z.phone = $1`,
  name: `z.search_text LIKE '%' || $1 || '%'`,
};

/**
 * Every query of the citizens module. Each method takes the caller's EntityManager (optional: the pool
 * otherwise), so that a check, a lock and the write it guards belong to one transaction.
 *
 * Reads of `tickets` live here too, because they are about the person: whether a ticket of a visible
 * department names them (reachability), how many such tickets they have, and their history (the same
 * summary columns as the tickets list, from tickets/ticket-view). They never write a ticket.
 */
@Injectable()
export class CitizensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Up to 20 reachable people matching, by name; `ticketCount` counts the tickets of visible departments only. */
  async search(match: CitizenMatch, reach: Reach, m: EntityManager = this.db.manager): Promise<CitizenSummary[]> {
    const rows: Array<{
      id: string;
      kind: Citizen['kind'];
      display_name: string;
      email: string | null;
      phone: string | null;
      city: string | null;
      ticket_count: number;
    }> = await m.query(
      `SELECT z.id, z.kind, z.email, z.phone, z.city,
           CASE WHEN z.kind = 'organisation' THEN z.organisation_name
                ELSE trim(coalesce(z.first_name, '') || ' ' || coalesce(z.last_name, '')) END AS display_name,
           (SELECT count(*) FROM tickets t WHERE t.citizen_id = z.id AND t.department_id = ANY($3::uuid[]))::int AS ticket_count
         FROM citizens z WHERE ${WHERE[match.by]} AND ${REACHABLE}
         ORDER BY z.last_name NULLS LAST, z.organisation_name NULLS LAST, z.first_name LIMIT 20`,
      [match.value, reach.directory, reach.visibleDepartmentIds],
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      displayName: r.display_name,
      email: r.email,
      phone: r.phone,
      city: r.city,
      ticketCount: r.ticket_count,
    }));
  }

  /** Whether the person exists and is reachable (an unknown id and an unreachable one look the same). */
  async isReachable(id: string, reach: Reach, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM citizens z WHERE z.id = $1 AND ${REACHABLE}`, [
      id,
      reach.directory,
      reach.visibleDepartmentIds,
    ]);
    return rows.length > 0;
  }

  find(id: string, m: EntityManager = this.db.manager): Promise<CitizenEntity | null> {
    return m.findOneBy(CitizenEntity, { id });
  }

  /** The row, locked for update; null when unknown. */
  findForUpdate(id: string, m: EntityManager = this.db.manager): Promise<CitizenEntity | null> {
    return m.findOne(CitizenEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  insert(fields: CitizenFields, m: EntityManager = this.db.manager): Promise<CitizenEntity> {
    return m.save(m.create(CitizenEntity, fields));
  }

  /** Saves a loaded row with new fields (its version column is bumped by TypeORM). */
  update(row: CitizenEntity, fields: CitizenFields, m: EntityManager = this.db.manager): Promise<CitizenEntity> {
    return m.save(CitizenEntity, { ...row, ...fields });
  }

  /**
   * The person a channel's requester is: the same e-mail (case of the domain ignored), else the same
   * phone; among several, an e-mail match first, then the oldest record. Null when nobody matches.
   */
  async findByContact(email: string | null, phone: string | null, m: EntityManager = this.db.manager): Promise<string | null> {
    const [found]: Array<{ id: string }> = await m.query(
      `SELECT id FROM citizens WHERE ($1::text IS NOT NULL AND lower(email) = lower($1)) OR ($2::text IS NOT NULL AND phone = $2)
       ORDER BY (lower(email) = lower($1)) DESC NULLS LAST, created_at LIMIT 1`,
      [email, phone],
    );
    return found?.id ?? null;
  }

  /** Another person (not `selfId`) with this e-mail or phone, and which of the two matched. */
  async findSameContact(
    email: string | null,
    phone: string | null,
    selfId: string | null,
    m: EntityManager = this.db.manager,
  ): Promise<{ id: string; field: 'email' | 'phone' } | null> {
    const [dup] = await m.query(
      `SELECT id, CASE WHEN lower(email) = lower($1) THEN 'email' ELSE 'phone' END AS field FROM citizens
       WHERE (lower(email) = lower($1) OR phone = $2) AND ($3::uuid IS NULL OR id <> $3) LIMIT 1`,
      [email, phone, selfId],
    );
    return dup ?? null;
  }

  /** The person's tickets, newest first (200 at most): all of them when `all`, else those of visible departments. */
  history(id: string, all: boolean, visibleDepartmentIds: readonly string[], m: EntityManager = this.db.manager): Promise<SummaryRow[]> {
    return m.query(
      `SELECT ${SUMMARY_COLUMNS}
       FROM tickets t ${SUMMARY_JOINS} WHERE t.citizen_id = $1 AND ($2 OR t.department_id = ANY($3::uuid[])) ORDER BY t.created_at DESC LIMIT 200`,
      [id, all, visibleDepartmentIds],
    );
  }

  /** The exchanges with the person (replies, their messages, public notes) on the tickets of visible departments, newest first. */
  messages(
    id: string,
    all: boolean,
    visibleDepartmentIds: readonly string[],
    m: EntityManager = this.db.manager,
  ): Promise<
    Array<{
      id: string;
      ticket_id: string;
      reference: string;
      channel: string;
      kind: string;
      at: Date;
      body: string | null;
      actor_name: string | null;
    }>
  > {
    return m.query(
      `SELECT e.id::text AS id, t.id AS ticket_id, t.reference, t.channel, e.kind, e.at, e.body, a.display_name AS actor_name
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id LEFT JOIN agents a ON a.id = e.actor_id
       WHERE t.citizen_id = $1 AND ($2 OR t.department_id = ANY($3::uuid[])) AND e.kind IN ('reply', 'inbound', 'public_note')
       ORDER BY e.at DESC, e.id DESC LIMIT 200`,
      [id, all, visibleDepartmentIds],
    );
  }
}
