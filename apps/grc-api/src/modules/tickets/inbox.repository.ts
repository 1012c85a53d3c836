import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OPEN_STATUSES, priorityRank, type InboxSort, type Priority, type TicketSummary } from '@grc/domain';
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
export class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

/** What a page of the inbox is filtered on, once checked (InboxQuery): scope first, then the agent's filters. */
export interface InboxFilter {
  /** the departments the agent may see; null: every department (an admin's "all" view) */
  departmentScope: readonly string[] | null;
  /** the agent, for the "mine" view */
  assignee: string | null;
  unassigned: boolean;
  status?: readonly string[];
  channel?: readonly string[];
  categoryId?: readonly string[];
  departmentId?: readonly string[];
  priority?: readonly Priority[];
  /** agents' ids and/or unassigned ("none") */
  assigneeIds?: readonly string[];
  assigneeNone?: boolean;
  breached?: boolean;
  createdFrom?: string;
  createdTo?: string;
  /** a reference to find; else words for the full-text search ('' : nothing matches) */
  reference?: string | null;
  words?: string | null;
  sort: InboxSort;
  /** the previous page's last keys (as many as the sort has) */
  after: readonly unknown[] | null;
  limit: number;
}

/** How many keys a sort's cursor carries. */
export const sortKeyCount = (sort: InboxSort): number => SORTS[sort].keys.length;

/**
 * The inbox's scope and filters as SQL conditions on `tickets t` (the page, and the map of requests of
 * modules/places, which shows the same requests as the inbox with the same filters and permissions).
 */
export function inboxConditions(sql: Sql, f: Omit<InboxFilter, 'sort' | 'after' | 'limit'>): void {
  if (f.departmentScope) sql.where.push(departmentIn(sql, f.departmentScope));
  if (f.assignee) sql.where.push(`t.assignee_id = ${sql.p(f.assignee)}`);
  if (f.unassigned) sql.where.push('t.assignee_id IS NULL');

  if (f.status?.length) sql.where.push(`t.status = ANY(${sql.p(f.status)}::text[])`);
  if (f.channel?.length) sql.where.push(`t.channel = ANY(${sql.p(f.channel)}::text[])`);
  if (f.categoryId?.length) sql.where.push(`t.category_id = ANY(${sql.p(f.categoryId)}::uuid[])`);
  if (f.departmentId?.length) sql.where.push(departmentIn(sql, f.departmentId));
  if (f.priority?.length) sql.where.push(`t.priority = ANY(${sql.p(f.priority.map(priorityRank))}::smallint[])`);
  if (f.assigneeIds?.length || f.assigneeNone) {
    const ids = f.assigneeIds ?? [];
    const parts = [ids.length ? `t.assignee_id = ANY(${sql.p(ids)}::uuid[])` : null, f.assigneeNone ? 't.assignee_id IS NULL' : null];
    sql.where.push(`(${parts.filter(Boolean).join(' OR ')})`);
  }
  if (f.breached) sql.where.push(`(t.sla_breached OR t.sla_due_at < now())`);
  if (f.createdFrom) sql.where.push(`t.created_at >= ${sql.p(startOfDay(f.createdFrom))}::timestamptz`);
  if (f.createdTo) sql.where.push(`t.created_at < ${sql.p(endOfDay(f.createdTo))}::timestamptz`);

  if (f.reference !== undefined || f.words !== undefined) {
    sql.where.push(
      f.reference
        ? `t.reference = ${sql.p(f.reference)}`
        : f.words
          ? `t.search_vector @@ websearch_to_tsquery('grc_french', ${sql.p(f.words)})`
          : 'false',
    );
  }
}

/**
 * The unified inbox read model's SQL: one indexed query across channels and departments, scoped to the
 * departments the agent may see (in SQL, never only in the console), keyset-paginated — hand-written,
 * because the indexes of the migration are designed for exactly these queries (the keyset condition is
 * a row comparison on the sort keys). The checks and the cursor's encoding are InboxQuery's.
 */
@Injectable()
export class InboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Up to `limit + 1` rows (one more tells there is a next page) with their keys' text. */
  async page(f: InboxFilter): Promise<{ items: TicketSummary[]; lastKeys: string[] | null; more: boolean }> {
    const sort = SORTS[f.sort];
    const perDepartment = mergesDepartments(f);
    const sql = new Sql();
    inboxConditions(sql, perDepartment ? { ...f, departmentScope: null } : f);
    if (f.after) {
      const op = sort.dir === 'DESC' ? '<' : '>';
      sql.where.push(`(${sort.keys.join(', ')}) ${op} (${sort.keys.map((k, i) => `${sql.p(f.after![i])}::${keyCast(k)}`).join(', ')})`);
    }
    const order = sort.keys.map((k) => `${k} ${sort.dir}`).join(', ');
    const limit = sql.p(f.limit + 1);

    // The page is chosen from `tickets` alone (a LIMIT subquery is planned on its own), then joined to the
    // reference tables for its names. Joined in one level, the planner could drive the page from categories
    // and departments: under row-level security their commune condition is estimated from their statistics,
    // and a town's small reference tables usually have none (autovacuum analyses a table only after 50
    // changes), so each was taken for one row and the page became a nested loop of the whole match per
    // (category, department) pair — 14 s for "trottoir" at 1 M requests instead of 5 ms.
    let chosen: string;
    if (perDepartment) {
      // Several departments: each one's first `limit + 1` rows by its own (department, sort keys) index, merged.
      // `department_id = ANY(…)` ordered by the sort keys leaves the planner two bad plans whose cost depends on
      // how many requests the departments hold — walk the whole town's order and filter (slow for a small
      // department: 2 s at 1 M requests with a generic plan), or read every row of the departments and sort —
      // this one reads at most (departments × page) index entries, whatever their size.
      const where = ['t.department_id = s.department_id', ...sql.where];
      chosen = `SELECT t.* FROM unnest(${sql.p([...new Set(f.departmentScope)])}::uuid[]) AS s(department_id)
                CROSS JOIN LATERAL (SELECT t.* FROM tickets t WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit}) t
                ORDER BY ${order} LIMIT ${limit}`;
    } else {
      chosen = `SELECT t.* FROM tickets t ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit}`;
    }
    const rows: Array<SummaryRow & { k0: string; k1: string; k2?: string }> = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, ${sort.keys.map((k, i) => `${keyText(k)} AS k${i}`).join(', ')}
       FROM (${chosen}) t
       ${SUMMARY_JOINS}
       ORDER BY ${order}`,
      sql.params,
    );
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1] as unknown as Record<string, string> | undefined;
    return {
      items: page.map(toSummary),
      lastKeys: last ? sort.keys.map((_, i) => last[`k${i}`]!) : null,
      more: rows.length > f.limit,
    };
  }

  /** How many tickets the filters match (paging aside): open ones and all, capped at `cap` each (a tab's figure). */
  async count(f: InboxFilter, cap: number): Promise<{ open: number; all: number }> {
    const sql = filterSql(f);
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE x.status = ANY(${sql.p(OPEN_STATUSES)}::text[]))::int AS open, count(*)::int AS "all"
       FROM (SELECT t.status FROM tickets t ${sql.where.length ? `WHERE ${sql.where.join(' AND ')}` : ''} LIMIT ${sql.p(cap)}) x`,
      sql.params,
    );
    return row;
  }

  /** Open work per view, from the read model the worker maintains (plus a live count for "mine"). */
  async counters(
    agentId: string,
    visibleDepartmentIds: readonly string[],
    isAdmin: boolean,
  ): Promise<{ mine: number; departments: number; unassigned: number; all_total: number; computed_at: Date }> {
    const [row] = await this.db.query(
      `SELECT
         (SELECT count(*) FROM tickets WHERE assignee_id = $1 AND status = ANY($3::text[]))::int AS mine,
         coalesce(sum(total) FILTER (WHERE department_id = ANY($2::uuid[])), 0)::int AS departments,
         coalesce(sum(unassigned) FILTER (WHERE department_id = ANY($2::uuid[]) OR $4), 0)::int AS unassigned,
         coalesce(sum(total), 0)::int AS all_total,
         coalesce(min(computed_at), now()) AS computed_at
       FROM inbox_counters`,
      [agentId, visibleDepartmentIds, OPEN_STATUSES, isAdmin],
    );
    return row;
  }
}

/**
 * `department_id` in these departments. One department is an equality: PostgreSQL 15 cannot walk a btree in order
 * under `= ANY(array)`, even of one element, so a page of one department sorted by its update or priority order
 * sorted every request of the department instead of reading its `(department_id, sort keys)` index (20–70 s at 10 M
 * requests under bench/agents.mjs).
 */
function departmentIn(sql: Sql, ids: readonly string[]): string {
  return ids.length === 1 ? `t.department_id = ${sql.p(ids[0])}::uuid` : `t.department_id = ANY(${sql.p([...ids])}::uuid[])`;
}

/**
 * Whether a page is read department by department (InboxRepository.page): several departments in scope, a sort
 * that only each department's index serves ((department_id, sort keys): updated, priority — the creation order
 * has a town-wide index, `tickets_created`, which the planner walks and filters: 0.10 ms for the DST head's six
 * departments at 10 M requests, where the merge took 0.80 ms), and no filter that another index answers better
 * (full text or reference: the search index; the agent's own requests: the assignee index; departments picked in
 * the filter: fewer departments). Without it, `updated_desc` and `priority_desc` sorted every request of the
 * departments: 20–70 s at 10 M (bench/agents.mjs).
 */
function mergesDepartments(f: InboxFilter): boolean {
  return (
    (f.departmentScope?.length ?? 0) > 1 &&
    (f.sort === 'updated_desc' || f.sort === 'priority_desc') &&
    f.words === undefined &&
    f.reference === undefined &&
    !f.assignee &&
    !f.departmentId?.length &&
    !f.assigneeIds?.length
  );
}

/** The WHERE conditions of a filter (shared by a page and a count). */
function filterSql(f: InboxFilter): Sql {
  const sql = new Sql();
  inboxConditions(sql, f);
  return sql;
}

// Dates without time are whole days in the town's time zone (Europe/Paris).
const startOfDay = (d: string) => (d.length === 10 ? `${d}T00:00:00 Europe/Paris` : d);
const endOfDay = (d: string) => {
  if (d.length !== 10) return d;
  const next = new Date(`${d}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return `${next.toISOString().slice(0, 10)}T00:00:00 Europe/Paris`;
};
