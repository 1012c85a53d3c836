import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  decodeCursor, encodeCursor, isRole, NOTIFICATION_PAGE_DEFAULT,
  type NotificationAudience, type NotificationItem, type NotificationPage, type NotificationReadAllResult,
} from '@grc/domain';
import { invalidField, notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { detailsOf, renderMessage, topicOf } from './notification-messages';
import type { NotificationListQueryDto } from './notifications.dto';

/** A notification id as it travels: the bigint identity in decimal. */
export const NOTIFICATION_ID = /^[1-9][0-9]{0,17}$/;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
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

interface Row {
  id: string;
  kind: string;
  data: Record<string, unknown> | null;
  ticket_id: string | null;
  recipient_role: string | null;
  recipient_department_id: string | null;
  created_at: Date;
  my_read_at: Date | null;
  personal: boolean;
  k0: string;
  t_reference: string | null;
  t_subject: string | null;
  t_accessible: boolean | null;
  d_code: string | null;
  d_name: string | null;
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

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * The agents' notifications written by the SLA ladder and the validation circuits: listing (newest
 * first, keyset cursor), unread count, marking read one by one or all at once. Marking read is the
 * agent's own reading state, not a change to the town's data: it is not audited.
 */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(agent: AuthenticatedAgent, query: NotificationListQueryDto): Promise<NotificationPage> {
    const limit = query.limit ?? NOTIFICATION_PAGE_DEFAULT;
    const sql = new Sql(agent);
    let keyset = '';
    if (query.cursor !== undefined) {
      const values = decodeCursor(query.cursor);
      const [at, id] = values ?? [];
      if (!values || values.length !== 2 || typeof at !== 'string' || !CURSOR_TIME.test(at) || typeof id !== 'string' || !NOTIFICATION_ID.test(id)) {
        throw invalidField('cursor', 'Curseur de pagination invalide ou expiré : revenez à la première page.', 'invalid_cursor');
      }
      keyset = ` AND (n.created_at, n.id) < (${sql.p(at)}::timestamptz, ${sql.p(id)}::bigint)`;
    }
    const lim = sql.p(limit + 1);
    const unreadPersonal = query.unread ? ' AND n.read_at IS NULL' : '';
    const unreadShared = query.unread ? ' AND r.agent_id IS NULL' : '';
    // Two index-friendly branches (personal, shared), each already ordered and limited, merged.
    const rows: Row[] = await this.db.query(
      `SELECT x.*, ${KEY_TIME} AS k0,
              t.reference AS t_reference, t.subject AS t_subject, ${this.accessible(sql, agent)} AS t_accessible,
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
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor([last.k0, String(last.id)]) : null;
    return { items: page.map(toItem), nextCursor, unread: await this.unreadCount(agent) };
  }

  async unreadCount(agent: AuthenticatedAgent): Promise<number> {
    const [row] = await this.db.query(
      `SELECT (SELECT count(*) FROM notifications n WHERE ${PERSONAL} AND n.read_at IS NULL)
            + (SELECT count(*) FROM notifications n ${MY_READ} WHERE ${SHARED} AND r.agent_id IS NULL) AS unread`,
      [agent.id, agent.departmentIds, agent.role],
    );
    return Number(row.unread);
  }

  /** One notification the agent receives, or 404 (another agent's, another department's, unknown, malformed). */
  async one(agent: AuthenticatedAgent, id: string): Promise<NotificationItem> {
    if (!NOTIFICATION_ID.test(id)) throw notFound('Notification');
    const sql = new Sql(agent);
    const nid = sql.p(id);
    const [row]: Row[] = await this.db.query(
      `SELECT ${COLUMNS}, CASE WHEN ${PERSONAL} THEN n.read_at ELSE r.read_at END AS my_read_at, coalesce(${PERSONAL}, false) AS personal, '' AS k0,
              t.reference AS t_reference, t.subject AS t_subject, ${this.accessible(sql, agent)} AS t_accessible,
              d.code AS d_code, d.name AS d_name
       FROM notifications n ${MY_READ}
       LEFT JOIN tickets t ON t.id = n.ticket_id
       LEFT JOIN departments d ON d.id = n.recipient_department_id
       WHERE n.id = ${nid}::bigint AND ((${PERSONAL}) OR (${SHARED}))`,
      sql.params,
    );
    if (!row) throw notFound('Notification');
    return toItem(row);
  }

  /** Marks one notification read for this agent (idempotent: the first reading time is kept). */
  async markRead(agent: AuthenticatedAgent, id: string): Promise<NotificationItem> {
    const item = await this.one(agent, id);
    if (item.readAt === null) {
      if (item.audience.kind === 'agent') {
        await this.db.query(`UPDATE notifications SET read_at = now() WHERE id = $1 AND recipient_agent_id = $2 AND read_at IS NULL`, [id, agent.id]);
      } else {
        await this.db.query(
          `INSERT INTO notification_reads (notification_id, agent_id) VALUES ($1, $2) ON CONFLICT (notification_id, agent_id) DO NOTHING`, [id, agent.id]);
      }
    }
    return this.one(agent, id);
  }

  /** Marks every notification the agent receives read (only up to `upToId` when given: the newest one seen). */
  async markAllRead(agent: AuthenticatedAgent, upToId?: string): Promise<NotificationReadAllResult> {
    const marked = await this.db.transaction(async (m) => {
      // each statement gets only the parameters it uses (PostgreSQL cannot type an unused one)
      const personal: [unknown[], number] = await m.query(
        `UPDATE notifications n SET read_at = now() WHERE ${PERSONAL} AND n.read_at IS NULL${upToId ? ' AND n.id <= $2::bigint' : ''}`,
        upToId ? [agent.id, upToId] : [agent.id]);
      const params: unknown[] = [agent.id, agent.departmentIds, agent.role];
      const upTo = upToId ? ` AND n.id <= $${params.push(upToId)}::bigint` : '';
      const [shared]: Array<{ n: number }> = await m.query(
        `WITH ins AS (
           INSERT INTO notification_reads (notification_id, agent_id)
           SELECT n.id, $1 FROM notifications n ${MY_READ} WHERE ${SHARED} AND r.agent_id IS NULL${upTo}
           ON CONFLICT (notification_id, agent_id) DO NOTHING
           RETURNING 1)
         SELECT count(*)::int AS n FROM ins`, params);
      return personal[1] + (shared?.n ?? 0);
    });
    return { marked, unread: await this.unreadCount(agent) };
  }

  /** Whether the agent may open the ticket now (admins all; others their visible departments). */
  private accessible(sql: Sql, agent: AuthenticatedAgent): string {
    if (agent.role === 'admin') return `(t.id IS NOT NULL)`;
    return `(t.department_id = ANY(${sql.p(agent.visibleDepartmentIds)}::uuid[]))`;
  }
}

function toItem(r: Row): NotificationItem {
  const data = r.data && typeof r.data === 'object' ? r.data : {};
  const reference = r.t_reference ?? (typeof data['reference'] === 'string' ? data['reference'] : null);
  const subject = r.t_subject ?? (typeof data['subject'] === 'string' ? data['subject'] : '');
  const ticket = r.ticket_id && reference
    ? { id: r.ticket_id, reference, subject, accessible: r.t_accessible === true }
    : null;
  const department = r.recipient_department_id ? { id: r.recipient_department_id, code: r.d_code ?? '', name: r.d_name ?? '' } : null;
  const audience: NotificationAudience = r.personal || !department
    ? { kind: 'agent' }
    : r.recipient_role && isRole(r.recipient_role)
      ? { kind: 'role', role: r.recipient_role, department }
      : { kind: 'department', department };
  return {
    id: String(r.id),
    kind: r.kind,
    topic: topicOf(r.kind),
    createdAt: iso(r.created_at)!,
    readAt: iso(r.my_read_at),
    audience,
    ticket,
    message: renderMessage({ kind: r.kind, data, ticket }),
    details: detailsOf(data),
  };
}
