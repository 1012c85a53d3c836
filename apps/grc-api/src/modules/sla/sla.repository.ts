import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { BusinessCalendar, SlaPolicy } from '@grc/domain';
import { TicketEntity } from '../../database/entities';
import type { ClockRow } from './sla-clock';
import { preparedQuery } from '../../common/prepared';

export interface CalendarRow {
  id: string;
  department_id: string | null;
  name: string;
  data: BusinessCalendar;
  version: number;
  updated_at: Date;
}
export interface PolicyRow {
  id: string;
  name: string;
  data: Pick<SlaPolicy, 'match' | 'targets' | 'ladder'>;
  active: boolean;
  version: number;
  updated_at: Date;
}
/** An open breached ticket as the breaches view lists it. */
export interface BreachRow {
  id: string;
  reference: string;
  subject: string;
  status: string;
  priority: number;
  assignee_id: string | null;
  assignee_name: string | null;
  department_id: string;
  department_code: string;
  department_name: string;
  target: string | null;
  deadline: Date | null;
  overdue: number;
}

/** TypeORM answers an UPDATE … RETURNING with [rows, count]. */
const updated = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

/**
 * Every query of the SLA module: the clocks (`ticket_sla`), calendars (`sla_calendars`, with the
 * department tree for the nearest ancestor's), policies (`sla_policies`), and the reads the engine
 * and its views need on the tickets and circuits (never a write there: tickets change through
 * TicketsService). Each method takes the caller's EntityManager where it runs in a transaction.
 */
@Injectable()
export class SlaRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---- clocks

  /** A ticket's clocks, first response and resolution first; locked FOR UPDATE when `lock`. */
  clocks(m: EntityManager, ticketId: string, lock: boolean): Promise<ClockRow[]> {
    return m.query(`SELECT * FROM ticket_sla WHERE ticket_id = $1 ORDER BY target ${lock ? 'FOR UPDATE' : ''}`, [ticketId]);
  }

  /** One clock, locked (an escalation firing). */
  async clockForUpdate(m: EntityManager, ticketId: string, target: string): Promise<ClockRow | null> {
    const [row]: ClockRow[] = await m.query(`SELECT * FROM ticket_sla WHERE ticket_id = $1 AND target = $2 FOR UPDATE`, [ticketId, target]);
    return row ?? null;
  }

  /** A ticket's clocks for display: first response, resolution, then the steps. */
  clocksForView(ticketId: string, m: EntityManager = this.db.manager): Promise<ClockRow[]> {
    return m.query(
      `SELECT * FROM ticket_sla WHERE ticket_id = $1 ORDER BY CASE target WHEN 'firstResponse' THEN 0 WHEN 'resolution' THEN 1 ELSE 2 END, target`,
      [ticketId],
    );
  }

  async saveClock(m: EntityManager, row: ClockRow, policyId: string): Promise<void> {
    await m.query(
      `INSERT INTO ticket_sla (ticket_id, target, policy_id, policy, generation_base, generation, events, past_history, status, deadline, breached, calendar_department_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT (ticket_id, target) DO UPDATE SET policy_id = EXCLUDED.policy_id, policy = EXCLUDED.policy,
         generation_base = EXCLUDED.generation_base, generation = EXCLUDED.generation, events = EXCLUDED.events,
         past_history = EXCLUDED.past_history, status = EXCLUDED.status, deadline = EXCLUDED.deadline, breached = EXCLUDED.breached,
         calendar_department_id = EXCLUDED.calendar_department_id, updated_at = now()`,
      [
        row.ticket_id,
        row.target,
        policyId,
        JSON.stringify(row.policy),
        row.generation_base,
        row.generation,
        JSON.stringify(row.events),
        JSON.stringify(row.past_history),
        row.status,
        row.deadline,
        row.breached,
        row.calendar_department_id,
      ],
    );
  }

  /**
   * A new ticket's clocks in one statement (creation: one round trip for both targets instead of one each).
   * Same columns and conflict rule as saveClock.
   */
  async saveClocks(m: EntityManager, rows: ReadonlyArray<{ row: ClockRow; policyId: string }>): Promise<void> {
    if (!rows.length) return;
    if (rows.length === 1) return this.saveClock(m, rows[0]!.row, rows[0]!.policyId);
    const col = <T>(f: (x: { row: ClockRow; policyId: string }) => T) => rows.map(f);
    await preparedQuery(
      m,
      `INSERT INTO ticket_sla (ticket_id, target, policy_id, policy, generation_base, generation, events, past_history, status, deadline, breached, calendar_department_id, updated_at)
       SELECT t, g, p, pj::jsonb, gb, gen, ev::jsonb, ph::jsonb, st, dl, br, cd, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::boolean[], $12::uuid[])
         AS x(t, g, p, pj, gb, gen, ev, ph, st, dl, br, cd)
       ON CONFLICT (ticket_id, target) DO UPDATE SET policy_id = EXCLUDED.policy_id, policy = EXCLUDED.policy,
         generation_base = EXCLUDED.generation_base, generation = EXCLUDED.generation, events = EXCLUDED.events,
         past_history = EXCLUDED.past_history, status = EXCLUDED.status, deadline = EXCLUDED.deadline, breached = EXCLUDED.breached,
         calendar_department_id = EXCLUDED.calendar_department_id, updated_at = now()`,
      [
        col((x) => x.row.ticket_id),
        col((x) => x.row.target),
        col((x) => x.policyId),
        col((x) => JSON.stringify(x.row.policy)),
        col((x) => x.row.generation_base),
        col((x) => x.row.generation),
        col((x) => JSON.stringify(x.row.events)),
        col((x) => JSON.stringify(x.row.past_history)),
        col((x) => x.row.status),
        col((x) => x.row.deadline),
        col((x) => x.row.breached),
        col((x) => x.row.calendar_department_id),
      ],
    );
  }

  /**
   * What starting a ticket's clocks reads, in one round trip: the category's code (policies match on it),
   * the active policies and the calendars up the department's tree (as activePolicies and calendarsUp).
   */
  async startContext(
    m: EntityManager,
    categoryId: string,
    departmentId: string,
  ): Promise<{ categoryCode: string | null; policies: PolicyRow[]; calendars: Array<CalendarRow & { depth: number | null }>; now: Date }> {
    const [r] = await preparedQuery<{
      now: Date;
      category_code: string | null;
      policies: PolicyRow[];
      calendars: Array<CalendarRow & { depth: number | null }>;
    }>(
      m,
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM departments WHERE id = $2
         UNION ALL SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id WHERE up.depth < 20)
       SELECT now() AS now, (SELECT code FROM categories WHERE id = $1) AS category_code,
         coalesce((SELECT json_agg(p ORDER BY p.id) FROM (SELECT id, name, data, active, version, updated_at FROM sla_policies WHERE active) p), '[]'::json) AS policies,
         coalesce((SELECT json_agg(c ORDER BY c.depth NULLS LAST) FROM (
           SELECT c.id, c.department_id, c.name, c.data, c.version, c.updated_at, up.depth
           FROM sla_calendars c LEFT JOIN up ON up.id = c.department_id
           WHERE c.department_id IS NULL OR up.id IS NOT NULL) c), '[]'::json) AS calendars`,
      [categoryId, departmentId],
    );
    return {
      categoryCode: r?.category_code ?? null,
      policies: r?.policies ?? [],
      calendars: r?.calendars ?? [],
      // the transaction's start: a ticket created in it has this created_at
      now: new Date(r!.now),
    };
  }

  /** The ladder marked this clock breached. */
  async markBreached(m: EntityManager, ticketId: string, target: string): Promise<void> {
    await m.query(`UPDATE ticket_sla SET breached = true, updated_at = now() WHERE ticket_id = $1 AND target = $2`, [ticketId, target]);
  }

  /** Clocks past their deadline are breached (backfill: every clock; policy re-applied: its running clocks). */
  async markPastDeadlinesBreached(m: EntityManager, ticketId: string, now: Date, policyId?: string): Promise<void> {
    if (policyId === undefined) {
      await m.query(`UPDATE ticket_sla SET breached = true WHERE ticket_id = $1 AND deadline < $2`, [ticketId, now]);
    } else {
      await m.query(
        `UPDATE ticket_sla SET breached = true WHERE ticket_id = $1 AND policy_id = $2 AND status = 'running' AND deadline < $3`,
        [ticketId, policyId, now],
      );
    }
  }

  /** A page of the tickets running or paused under a policy, after `after` (keyset on the id). */
  async ticketsUnderPolicy(policyId: string, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ ticket_id: string }> = await this.db.query(
      `SELECT DISTINCT ticket_id FROM ticket_sla WHERE policy_id = $1 AND status <> 'stopped' AND ticket_id > $2 ORDER BY ticket_id LIMIT $3`,
      [policyId, after, limit],
    );
    return rows.map((r) => r.ticket_id);
  }

  /** A page of open tickets without clocks, locked (SKIP LOCKED), in creation order after the keyset `after`. */
  ticketsWithoutClocks(m: EntityManager, after: { created_at: Date; id: string } | null, limit: number): Promise<TicketEntity[]> {
    return m
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .where(`t.status IN ('new', 'open', 'waiting_citizen')`)
      .andWhere('NOT EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.id)')
      .andWhere(after ? '(t.created_at, t.id) > (:at, :id)' : 'true', after ? { at: after.created_at, id: after.id } : {})
      .orderBy('t.created_at')
      .addOrderBy('t.id')
      .limit(limit)
      .setLock('for_no_key_update')
      .setOnLocked('skip_locked')
      .getMany();
  }

  // ---- reads on the ticket and its circuit

  /** The ticket's circuit: its current step, its status, and the department (id) the circuit records on the step for its calendar. */
  async currentStep(m: EntityManager, ticketId: string): Promise<{ step_id: string; status: string; department_id: string | null } | null> {
    const [wf] = await m.query(
      `SELECT w.step_id, w.status, d.id AS department_id FROM ticket_workflows w
       LEFT JOIN departments d ON d.code = w.state->'current'->>'departmentId' WHERE w.ticket_id = $1`,
      [ticketId],
    );
    return wf ?? null;
  }

  /** The steps of the circuit version the ticket runs (labels of step clocks). */
  async stepLabels(ticketId: string, m: EntityManager = this.db.manager): Promise<Record<string, { label?: string }>> {
    const [r] = await m.query(
      `SELECT d.definition->'steps' AS steps FROM ticket_workflows w
       JOIN workflow_definitions d ON d.code = w.definition_code AND d.version = w.version WHERE w.ticket_id = $1`,
      [ticketId],
    );
    return r?.steps ?? {};
  }

  /** The ticket's department and the inbox's SLA summary; null for an unknown ticket. */
  async ticketSummary(
    ticketId: string,
    m: EntityManager = this.db.manager,
  ): Promise<{ id: string; department_id: string; sla_due_at: Date | null; sla_breached: boolean } | null> {
    const [t] = await m.query(`SELECT id, department_id, sla_due_at, sla_breached FROM tickets WHERE id = $1`, [ticketId]);
    return t ?? null;
  }

  /** Open tickets flagged breached or past a running deadline, in these departments (all when `all`), by department. */
  breaches(
    openStatuses: readonly string[],
    all: boolean,
    departmentIds: readonly string[],
    m: EntityManager = this.db.manager,
  ): Promise<BreachRow[]> {
    return m.query(
      `SELECT t.id, t.reference, t.subject, t.status, t.priority, a.id AS assignee_id, a.display_name AS assignee_name,
              d.id AS department_id, d.code AS department_code, d.name AS department_name,
              s.target, s.deadline, greatest(0, extract(epoch FROM (now() - coalesce(s.deadline, now()))) / 60)::float8 AS overdue
       FROM tickets t
       JOIN departments d ON d.id = t.department_id
       LEFT JOIN agents a ON a.id = t.assignee_id
       LEFT JOIN LATERAL (SELECT target, deadline FROM ticket_sla x WHERE x.ticket_id = t.id AND x.status <> 'stopped'
                          AND (x.breached OR x.deadline < now()) ORDER BY x.deadline NULLS LAST LIMIT 1) s ON true
       WHERE t.status = ANY($1::text[]) AND (t.sla_breached OR t.sla_due_at < now())
         AND ($2 OR t.department_id = ANY($3::uuid[]))
       ORDER BY d.name, s.deadline NULLS LAST, t.id
       LIMIT 2000`,
      [openStatuses, all, departmentIds],
    );
  }

  // ---- calendars

  /** The town default and the calendars of the department and its ancestors, nearest first. */
  calendarsUp(m: EntityManager | undefined, departmentId: string): Promise<Array<CalendarRow & { depth: number | null }>> {
    return (m ?? this.db.manager).query(
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM departments WHERE id = $1
         UNION ALL SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id WHERE up.depth < 20)
       SELECT c.id, c.department_id, c.name, c.data, c.version, c.updated_at, up.depth
       FROM sla_calendars c LEFT JOIN up ON up.id = c.department_id
       WHERE c.department_id IS NULL OR up.id IS NOT NULL
       ORDER BY up.depth NULLS LAST`,
      [departmentId],
    );
  }

  /** Every calendar: the default first, then by department name. */
  listCalendars(m: EntityManager = this.db.manager): Promise<CalendarRow[]> {
    return m.query(
      `SELECT c.* FROM sla_calendars c LEFT JOIN departments d ON d.id = c.department_id ORDER BY c.department_id IS NOT NULL, d.name, c.id`,
    );
  }

  async calendarForUpdate(m: EntityManager, id: string): Promise<CalendarRow | null> {
    const [row]: CalendarRow[] = await m.query(`SELECT * FROM sla_calendars WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** Whether a calendar other than `exceptId` is the department's (null: the town default). */
  async calendarTaken(m: EntityManager, departmentId: string | null, exceptId: string | null = null): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT id FROM sla_calendars WHERE department_id IS NOT DISTINCT FROM $1 AND id IS DISTINCT FROM $2`,
      [departmentId, exceptId],
    );
    return rows.length > 0;
  }

  async insertCalendar(m: EntityManager, departmentId: string | null, name: string, calendar: BusinessCalendar): Promise<CalendarRow> {
    const [row]: CalendarRow[] = await m.query(`INSERT INTO sla_calendars (department_id, name, data) VALUES ($1, $2, $3) RETURNING *`, [
      departmentId,
      name,
      JSON.stringify(calendar),
    ]);
    return row;
  }

  async updateCalendar(
    m: EntityManager,
    id: string,
    name: string,
    calendar: BusinessCalendar,
    departmentId: string | null,
  ): Promise<CalendarRow> {
    const [after] = updated<CalendarRow>(
      await m.query(
        `UPDATE sla_calendars SET name = $2, data = $3, department_id = $4, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
        [id, name, JSON.stringify(calendar), departmentId],
      ),
    );
    return after;
  }

  async deleteCalendar(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM sla_calendars WHERE id = $1`, [id]);
  }

  // ---- policies

  activePolicies(m: EntityManager = this.db.manager): Promise<PolicyRow[]> {
    return m.query(`SELECT id, name, data, active, version, updated_at FROM sla_policies WHERE active ORDER BY id`);
  }

  async policy(id: string, m: EntityManager = this.db.manager): Promise<PolicyRow | null> {
    const [row]: PolicyRow[] = await m.query(`SELECT id, name, data, active, version, updated_at FROM sla_policies WHERE id = $1`, [id]);
    return row ?? null;
  }

  listPolicies(m: EntityManager = this.db.manager): Promise<PolicyRow[]> {
    return m.query(`SELECT * FROM sla_policies ORDER BY id`);
  }

  async policyForUpdate(m: EntityManager, id: string): Promise<PolicyRow | null> {
    const [row]: PolicyRow[] = await m.query(`SELECT * FROM sla_policies WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** Inserts a policy; null when its id is taken. */
  async insertPolicy(m: EntityManager, id: string, name: string, data: PolicyRow['data'], active: boolean): Promise<PolicyRow | null> {
    const [row]: PolicyRow[] = await m.query(
      `INSERT INTO sla_policies (id, name, data, active) VALUES ($1, $2, $3, $4) ON CONFLICT (commune_id, id) DO NOTHING RETURNING *`,
      [id, name, JSON.stringify(data), active],
    );
    return row ?? null;
  }

  async updatePolicy(m: EntityManager, id: string, name: string, data: PolicyRow['data'], active: boolean): Promise<PolicyRow> {
    const [after] = updated<PolicyRow>(
      await m.query(
        `UPDATE sla_policies SET name = $2, data = $3, active = $4, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
        [id, name, JSON.stringify(data), active],
      ),
    );
    return after;
  }
}
