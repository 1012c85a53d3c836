import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  OPEN_STATUSES,
  decodeCursor,
  encodeCursor,
  parseReference,
  priorityRank,
  type InboxCounters,
  type InboxSort,
  type Page,
  type TicketSummary,
} from '@grc/domain';
import { forbidden, invalidField } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import type { InboxQueryDto } from './inbox.dto';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow, toSummary } from './ticket-view';

const DUE = `coalesce(t.sla_due_at, 'infinity'::timestamptz)`;

/** Each sort: its ordered key columns (all in one direction, so a row comparison is the keyset condition). */
const SORTS: Record<InboxSort, { keys: string[]; dir: 'ASC' | 'DESC' }> = {
  created_desc: { keys: ['t.created_at', 't.id'], dir: 'DESC' },
  created_asc: { keys: ['t.created_at', 't.id'], dir: 'ASC' },
  updated_desc: { keys: ['t.updated_at', 't.id'], dir: 'DESC' },
  priority_desc: { keys: ['t.priority', 't.created_at', 't.id'], dir: 'DESC' },
  // no deadline (none, paused, stopped) sorts last
  due_asc: { keys: [DUE, 't.id'], dir: 'ASC' },
};

// Timestamps travel in cursors as PostgreSQL text with microseconds: a JS Date would drop them and skip rows.
const keyText = (col: string) =>
  col === DUE
    ? `${col}::text`
    : col.endsWith('_at')
      ? `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
      : `${col}::text`;
const keyCast = (col: string) => (col.endsWith('_at') || col === DUE ? 'timestamptz' : col === 't.priority' ? 'smallint' : 'uuid');

/** Builds SQL with numbered parameters. */
class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

/**
 * The unified inbox read model: one indexed query across channels and departments, scoped to the
 * departments the agent may see (in SQL, never only in the console), keyset-paginated.
 */
@Injectable()
export class InboxQuery {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(agent: AuthenticatedAgent, query: InboxQueryDto): Promise<Page<TicketSummary>> {
    const sql = new Sql();
    const isAdmin = agent.role === 'admin';
    const view = query.view ?? (isAdmin ? 'all' : 'departments');
    if (view === 'all' && !isAdmin) throw forbidden('La vue « Toutes » est réservée aux administrateurs.');
    if (!isAdmin) sql.where.push(`t.department_id = ANY(${sql.p(agent.visibleDepartmentIds)}::uuid[])`);
    if (view === 'mine') sql.where.push(`t.assignee_id = ${sql.p(agent.id)}`);
    if (view === 'unassigned') sql.where.push('t.assignee_id IS NULL');
    if (view === 'departments' && isAdmin) sql.where.push(`t.department_id = ANY(${sql.p(agent.visibleDepartmentIds)}::uuid[])`);

    if (query.status?.length) sql.where.push(`t.status = ANY(${sql.p(query.status)}::text[])`);
    if (query.channel?.length) sql.where.push(`t.channel = ANY(${sql.p(query.channel)}::text[])`);
    if (query.categoryId?.length) sql.where.push(`t.category_id = ANY(${sql.p(query.categoryId)}::uuid[])`);
    if (query.departmentId?.length) sql.where.push(`t.department_id = ANY(${sql.p(query.departmentId)}::uuid[])`);
    if (query.priority?.length) sql.where.push(`t.priority = ANY(${sql.p(query.priority.map(priorityRank))}::smallint[])`);
    if (query.assigneeId?.length) {
      const ids = query.assigneeId.filter((a) => a !== 'none');
      if (ids.some((id) => !/^[0-9a-f-]{36}$/i.test(id))) throw invalidField('assigneeId', 'Identifiant d’agent invalide (ou « none »).');
      const parts = [
        ids.length ? `t.assignee_id = ANY(${sql.p(ids)}::uuid[])` : null,
        query.assigneeId.includes('none') ? 't.assignee_id IS NULL' : null,
      ];
      sql.where.push(`(${parts.filter(Boolean).join(' OR ')})`);
    }
    if (query.breached) sql.where.push(`(t.sla_breached OR t.sla_due_at < now())`);
    if (query.createdFrom) sql.where.push(`t.created_at >= ${sql.p(startOfDay(query.createdFrom))}::timestamptz`);
    if (query.createdTo) sql.where.push(`t.created_at < ${sql.p(endOfDay(query.createdTo))}::timestamptz`);

    const q = query.q?.trim();
    if (q) {
      const reference = parseReference(q);
      // words only (quotes kept for phrases): operators such as runs of '-' build tsqueries deep enough
      // to exhaust PostgreSQL's stack ("tsquery stack too small"); a query with no word matches nothing
      const words = q.replace(/[^\p{L}\p{N}\s"']/gu, ' ').trim();
      sql.where.push(
        reference
          ? `t.reference = ${sql.p(reference)}`
          : words
            ? `t.search_vector @@ websearch_to_tsquery('grc_french', ${sql.p(words)})`
            : 'false',
      );
    }

    const sort = SORTS[query.sort ?? 'created_desc'];
    if (query.cursor) {
      const values = decodeCursor(query.cursor);
      if (!values || values.length !== sort.keys.length)
        throw invalidField('cursor', 'Curseur de pagination invalide ou expiré : revenez à la première page.');
      const op = sort.dir === 'DESC' ? '<' : '>';
      sql.where.push(`(${sort.keys.join(', ')}) ${op} (${sort.keys.map((k, i) => `${sql.p(values[i])}::${keyCast(k)}`).join(', ')})`);
    }

    const limit = query.limit ?? 50;
    const rows: Array<SummaryRow & { k0: string; k1: string; k2?: string }> = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, ${sort.keys.map((k, i) => `${keyText(k)} AS k${i}`).join(', ')}
       FROM tickets t ${SUMMARY_JOINS}
       ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''}
       ORDER BY ${sort.keys.map((k) => `${k} ${sort.dir}`).join(', ')}
       LIMIT ${sql.p(limit + 1)}`,
      sql.params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? encodeCursor(sort.keys.map((_, i) => (last as unknown as Record<string, string>)[`k${i}`]!)) : null;
    return { items: page.map(toSummary), nextCursor };
  }

  /** Open work per view, from the read model the worker maintains (plus a live count for "mine"). */
  async counters(agent: AuthenticatedAgent): Promise<InboxCounters> {
    const isAdmin = agent.role === 'admin';
    const [row] = await this.db.query(
      `SELECT
         (SELECT count(*) FROM tickets WHERE assignee_id = $1 AND status = ANY($3::text[]))::int AS mine,
         coalesce(sum(total) FILTER (WHERE department_id = ANY($2::uuid[])), 0)::int AS departments,
         coalesce(sum(unassigned) FILTER (WHERE department_id = ANY($2::uuid[]) OR $4), 0)::int AS unassigned,
         coalesce(sum(total), 0)::int AS all_total,
         coalesce(min(computed_at), now()) AS computed_at
       FROM inbox_counters`,
      [agent.id, agent.visibleDepartmentIds, OPEN_STATUSES, isAdmin],
    );
    return {
      mine: row.mine,
      departments: row.departments,
      unassigned: row.unassigned,
      all: isAdmin ? row.all_total : null,
      computedAt: new Date(row.computed_at).toISOString(),
    };
  }
}

// Dates without time are whole days in the town's time zone (Europe/Paris).
const startOfDay = (d: string) => (d.length === 10 ? `${d}T00:00:00 Europe/Paris` : d);
const endOfDay = (d: string) => {
  if (d.length !== 10) return d;
  const next = new Date(`${d}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return `${next.toISOString().slice(0, 10)}T00:00:00 Europe/Paris`;
};
