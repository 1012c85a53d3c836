import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@grc/domain';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';

// Timestamps travel in cursors as PostgreSQL text with microseconds: a JS Date would drop them and skip rows.
const KEY_TIME = `to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Which notifications an agent receives — in SQL, never only in the console:
 * - addressed to the agent (`recipient_agent_id`): personal, read state in `notifications.read_at`;
 * - addressed to a department the agent belongs to (`agent_departments`, not the departments below it),
 *   either to everybody in it (`recipient_role` null: the queue) or to the agent's role there (e.g. the
 *   heads): shared, read state per agent in `notification_reads`.
 * Parameters: $1 the agent, $2 its own departments, $3 its role.
 */
const PERSONAL = `n.recipient_agent_id = $1`;
const SHARED = `n.recipient_agent_id IS NULL AND n.recipient_department_id = ANY($2::uuid[]) AND (n.recipient_role IS NULL OR n.recipient_role = $3)`;
const MY_READ = `LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.agent_id = $1`;
const COLUMNS = `n.id, n.kind, n.data, n.ticket_id, n.recipient_role, n.recipient_department_id, n.created_at`;

/** A notification as the agent receives it, with its ticket and department for display. */
export interface NotificationRow {
  id: string;
  kind: string;
  data: Record<string, unknown> | null;
  ticket_id: string | null;
  recipient_role: string | null;
  recipient_department_id: string | null;
  created_at: Date;
  my_read_at: Date | null;
  personal: boolean;
  /** the keyset cursor's time (text with microseconds; '' where no cursor is built) */
  k0: string;
  t_reference: string | null;
  t_subject: string | null;
  t_accessible: boolean | null;
  d_code: string | null;
  d_name: string | null;
}

export interface NotificationPageQuery {
  unread: boolean;
  /** keyset: strictly older than this (created_at as cursor text, id) */
  before: [string, string] | null;
  /** rows to read (the caller asks one more than it shows, to know whether a next page exists) */
  take: number;
}

/** Builds SQL with numbered parameters after the three fixed ones. */
class Sql {
  readonly params: unknown[];
  constructor(agent: AuthenticatedAgent) {
    this.params = [agent.id, agent.departmentIds, agent.role];
  }
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

/** Whether the agent may open the ticket now (admins all; others their visible departments). */
function accessible(sql: Sql, agent: AuthenticatedAgent): string {
  if (agent.role === 'admin') return `(t.id IS NOT NULL)`;
  return `(t.department_id = ANY(${sql.p(agent.visibleDepartmentIds)}::uuid[]))`;
}

/**
 * Every query on `notifications` and `notification_reads`: the agent's reading side (list, count,
 * one, mark read) and the writing side used by the features that decide a notification (SLA ladder,
 * circuits), which pass their transaction's EntityManager so the row commits with the decision.
 */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first: two index-friendly branches (personal, shared), each already ordered and limited, merged. */
  page(agent: AuthenticatedAgent, q: NotificationPageQuery, m: EntityManager = this.db.manager): Promise<NotificationRow[]> {
    const sql = new Sql(agent);
    const keyset = q.before ? ` AND (n.created_at, n.id) < (${sql.p(q.before[0])}::timestamptz, ${sql.p(q.before[1])}::bigint)` : '';
    const lim = sql.p(q.take);
    const unreadPersonal = q.unread ? ' AND n.read_at IS NULL' : '';
    const unreadShared = q.unread ? ' AND r.agent_id IS NULL' : '';
    return m.query(
      `SELECT x.*, ${KEY_TIME} AS k0,
              t.reference AS t_reference, t.subject AS t_subject, ${accessible(sql, agent)} AS t_accessible,
              d.code AS d_code, d.name AS d_name
       FROM (
         (SELECT ${COLUMNS}, n.read_at AS my_read_at, true AS personal FROM notifications n
          WHERE ${PERSONAL}${unreadPersonal}${keyset}
          ORDER BY n.created_at DESC, n.id DESC LIMIT ${lim})
         UNION ALL
         (SELECT ${COLUMNS}, r.read_at AS my_read_at, false AS personal FROM notifications n ${MY_READ}
          WHERE ${SHARED}${unreadShared}${keyset}
          ORDER BY n.created_at DESC, n.id DESC LIMIT ${lim})
       ) x
       LEFT JOIN tickets t ON t.id = x.ticket_id
       LEFT JOIN departments d ON d.id = x.recipient_department_id
       ORDER BY x.created_at DESC, x.id DESC
       LIMIT ${lim}`,
      sql.params,
    );
  }

  async unreadCount(agent: AuthenticatedAgent, m: EntityManager = this.db.manager): Promise<number> {
    const [row] = await m.query(
      `SELECT (SELECT count(*) FROM notifications n WHERE ${PERSONAL} AND n.read_at IS NULL)
            + (SELECT count(*) FROM notifications n ${MY_READ} WHERE ${SHARED} AND r.agent_id IS NULL) AS unread`,
      [agent.id, agent.departmentIds, agent.role],
    );
    return Number(row.unread);
  }

  /** One notification the agent receives (`id`: a well-formed bigint id), or null. */
  async one(agent: AuthenticatedAgent, id: string, m: EntityManager = this.db.manager): Promise<NotificationRow | null> {
    const sql = new Sql(agent);
    const nid = sql.p(id);
    const [row]: NotificationRow[] = await m.query(
      `SELECT ${COLUMNS}, CASE WHEN ${PERSONAL} THEN n.read_at ELSE r.read_at END AS my_read_at, coalesce(${PERSONAL}, false) AS personal, '' AS k0,
              t.reference AS t_reference, t.subject AS t_subject, ${accessible(sql, agent)} AS t_accessible,
              d.code AS d_code, d.name AS d_name
       FROM notifications n ${MY_READ}
       LEFT JOIN tickets t ON t.id = n.ticket_id
       LEFT JOIN departments d ON d.id = n.recipient_department_id
       WHERE n.id = ${nid}::bigint AND ((${PERSONAL}) OR (${SHARED}))`,
      sql.params,
    );
    return row ?? null;
  }

  /** A personal notification read (the first reading time is kept). */
  async markPersonalRead(id: string, agentId: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE notifications SET read_at = now() WHERE id = $1 AND recipient_agent_id = $2 AND read_at IS NULL`, [id, agentId]);
  }

  /** A shared notification read by this agent (idempotent). */
  async markSharedRead(id: string, agentId: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `INSERT INTO notification_reads (notification_id, agent_id) VALUES ($1, $2) ON CONFLICT (notification_id, agent_id) DO NOTHING`,
      [id, agentId],
    );
  }

  /** Marks the agent's unread personal notifications read (up to `upToId` when given); how many. */
  async markAllPersonalRead(agent: AuthenticatedAgent, upToId: string | undefined, m: EntityManager = this.db.manager): Promise<number> {
    // each statement gets only the parameters it uses (PostgreSQL cannot type an unused one)
    const personal: [unknown[], number] = await m.query(
      `UPDATE notifications n SET read_at = now() WHERE ${PERSONAL} AND n.read_at IS NULL${upToId ? ' AND n.id <= $2::bigint' : ''}`,
      upToId ? [agent.id, upToId] : [agent.id],
    );
    return personal[1];
  }

  /** Marks the shared notifications the agent has not read yet read for them (up to `upToId` when given); how many. */
  async markAllSharedRead(agent: AuthenticatedAgent, upToId: string | undefined, m: EntityManager = this.db.manager): Promise<number> {
    const params: unknown[] = [agent.id, agent.departmentIds, agent.role];
    const upTo = upToId ? ` AND n.id <= $${params.push(upToId)}::bigint` : '';
    const [shared]: Array<{ n: number }> = await m.query(
      `WITH ins AS (
         INSERT INTO notification_reads (notification_id, agent_id)
         SELECT n.id, $1 FROM notifications n ${MY_READ} WHERE ${SHARED} AND r.agent_id IS NULL${upTo}
         ON CONFLICT (notification_id, agent_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      params,
    );
    return shared?.n ?? 0;
  }

  // ---- writing side: for the features that decide notifications (SLA ladder, circuits), in their transaction

  /** A personal notification for one agent. */
  async addForAgent(
    m: EntityManager,
    agentId: string,
    ticketId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await m.query(`INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data) VALUES ($1, $2, $3, $4)`, [
      agentId,
      ticketId,
      kind,
      JSON.stringify(data),
    ]);
  }

  /** A personal notification for an agent given by id as text (a circuit's target); nothing when no agent has that id. */
  async addForAgentIfKnown(
    m: EntityManager,
    agentId: string,
    ticketId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data) SELECT id, $2, $3, $4 FROM agents WHERE id::text = $1`,
      [agentId, ticketId, kind, JSON.stringify(data)],
    );
  }

  /** As addForDepartment, the department given by its code (a circuit's target); nothing for an unknown code. */
  async addForDepartmentCode(
    m: EntityManager,
    departmentCode: string,
    role: string | null,
    ticketId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO notifications (recipient_role, recipient_department_id, ticket_id, kind, data) SELECT $1, id, $3, $4, $5 FROM departments WHERE code = $2`,
      [role, departmentCode, ticketId, kind, JSON.stringify(data)],
    );
  }

  /** A shared notification for a department's queue (`role` null) or for one role in it (e.g. its heads). */
  async addForDepartment(
    m: EntityManager,
    departmentId: string,
    role: Role | null,
    ticketId: string | null,
    kind: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO notifications (recipient_role, recipient_department_id, ticket_id, kind, data) VALUES ($1, $2, $3, $4, $5)`,
      [role, departmentId, ticketId, kind, JSON.stringify(data)],
    );
  }

  /** One personal notification per active agent of a role, town-wide (e.g. the élus). */
  async addForRole(m: EntityManager, role: Role, ticketId: string | null, kind: string, data: Record<string, unknown>): Promise<void> {
    await m.query(
      `INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data) SELECT id, $2, $3, $4 FROM agents WHERE role = $1 AND active`,
      [role, ticketId, kind, JSON.stringify(data)],
    );
  }
}
