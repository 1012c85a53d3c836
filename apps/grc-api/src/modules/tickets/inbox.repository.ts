import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OPEN_STATUSES, priorityRank, type InboxSort, type Priority, type TicketSummary } from '@grc/domain';
import { SUMMARY_COLUMNS, SUMMARY_JOINS, SummaryRow, toSummary } from './ticket-view';

const DUE = `coalesce(t.sla_due_at, 'infinity'::timestamptz)`;

/**
 * Each sort: its ordered key columns and their directions (the domain's INBOX_SORTS); the parts a page is read in
 * are pageParts'. A sort in one direction is one part (the keyset condition is a row comparison on its keys). The due date is
 * two, each in the order of an index: the requests with a running deadline by (sla_due_at, id) — an open request's
 * — and then those without one (paused, stopped, none: most of a department's history) newest first by
 * (created_at, id). One ORDER BY over `coalesce(sla_due_at, 'infinity')` had no index and sorted every request of
 * the departments (13–93 s a page at 10 M requests under bench/agents.mjs).
 */
const SORTS: Record<InboxSort, { keys: string[]; dirs: Array<'ASC' | 'DESC'> }> = {
  created_desc: { keys: ['t.created_at', 't.id'], dirs: ['DESC', 'DESC'] },
  created_asc: { keys: ['t.created_at', 't.id'], dirs: ['ASC', 'ASC'] },
  updated_desc: { keys: ['t.updated_at', 't.id'], dirs: ['DESC', 'DESC'] },
  priority_desc: { keys: ['t.priority', 't.created_at', 't.id'], dirs: ['DESC', 'DESC', 'DESC'] },
  due_asc: { keys: [DUE, 't.created_at', 't.id'], dirs: ['ASC', 'DESC', 'DESC'] },
};

/** A sort's ORDER BY. */
const orderOf = (sort: InboxSort): string => SORTS[sort].keys.map((k, i) => `${k} ${SORTS[sort].dirs[i]}`).join(', ');

/** How many rows of a page's order a full-text search reads before it reads its matches instead (page below). */
const PROBE_ROWS = 2000;

/** One part of a page: its own conditions (with the cursor's) and the order of the index that serves it. */
interface PagePart {
  where: string[];
  order: string;
}

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
    const merged = mergedDepartments(f);
    const sql = new Sql();
    const parts = pageParts(sql, f);
    // words to find in one part's order (not a reference, not several departments merged): probed first (below)
    const probing = !!f.words && !f.reference && !merged && parts.length === 1;
    inboxConditions(sql, {
      ...f,
      ...(merged ? { departmentScope: null, departmentId: undefined } : {}),
      ...(probing ? { words: undefined, reference: undefined } : {}),
    });
    const order = orderOf(f.sort);
    const limit = sql.p(f.limit + 1);
    const departments = merged ? sql.p(merged) : null;

    // The page is chosen from `tickets` alone (a LIMIT subquery is planned on its own), then joined to the
    // reference tables for its names. Joined in one level, the planner could drive the page from categories
    // and departments: under row-level security their commune condition is estimated from their statistics,
    // and a town's small reference tables usually have none (autovacuum analyses a table only after 50
    // changes), so each was taken for one row and the page became a nested loop of the whole match per
    // (category, department) pair — 14 s for "trottoir" at 1 M requests instead of 5 ms.
    const partSql = (part: PagePart): string => {
      const where = [...sql.where, ...part.where];
      if (!merged)
        return `SELECT t.* FROM tickets t ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${part.order} LIMIT ${limit}`;
      // Several departments: each one's first `limit + 1` rows by its own (department, sort keys) index, merged.
      // `department_id = ANY(…)` ordered by the sort keys leaves the planner two bad plans whose cost depends on
      // how many requests the departments hold — walk the whole town's order and filter (slow for a small
      // department: 2 s at 1 M requests with a generic plan), or read every row of the departments and sort —
      // this one reads at most (departments × page) index entries, whatever their size.
      return `SELECT t.* FROM unnest(${departments}::uuid[]) AS s(department_id)
              CROSS JOIN LATERAL (SELECT t.* FROM tickets t WHERE ${['t.department_id = s.department_id', ...where].join(' AND ')}
                                  ORDER BY ${part.order} LIMIT ${limit}) t`;
    };
    let chosen: string;
    if (probing) {
      // Words in the page's order: the planner walks the order and filters when it expects the words in many rows
      // (its estimate is the words' share of the whole town) and reads the matches then sorts them when it expects
      // few. The words and the departments are not independent ("trottoir" is in 1.9 M requests at 10 M, in 43 of
      // état civil's 888,000): walking a department that rarely has them read all of it (22 s). So the page walks
      // the order for PROBE_ROWS rows only; if they hold a whole page it is that (a word common there), else the
      // page is the matches read whole from the search index and sorted (a word rare there: few matches).
      const where = [...sql.where, ...parts[0]!.where];
      const words = `t.search_vector @@ websearch_to_tsquery('grc_french', ${sql.p(f.words)})`;
      const full = `(SELECT count(*) FROM probe) < ${limit}`;
      chosen = `WITH probe AS (SELECT t.* FROM (SELECT t.* FROM tickets t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                                                 ORDER BY ${order} LIMIT ${PROBE_ROWS}) t
                               WHERE ${words} ORDER BY ${order} LIMIT ${limit}),
                     matches AS MATERIALIZED (SELECT t.* FROM tickets t WHERE ${[...where, words, full].join(' AND ')})
                SELECT t.* FROM probe t WHERE NOT ${full}
                UNION ALL (SELECT t.* FROM matches t ORDER BY ${order} LIMIT ${limit})`;
    } else if (parts.length === 2) {
      // The due date's two parts: every dated request comes before every undated one, so the undated part is read
      // only when the dated one does not fill the page (its last page, or none dated). Read always, a filter that
      // few undated requests match (status "new", where every new request has a deadline) walked every
      // department's history on every page.
      chosen = `WITH dated AS (${partSql(parts[0]!)})
                SELECT t.* FROM (SELECT t.* FROM dated t
                                 UNION ALL SELECT t.* FROM (${partSql(parts[1]!)}) t WHERE (SELECT count(*) FROM dated) < ${limit}) t
                ORDER BY ${order} LIMIT ${limit}`;
    } else chosen = merged ? `SELECT t.* FROM (${partSql(parts[0]!)}) t ORDER BY ${order} LIMIT ${limit}` : partSql(parts[0]!);
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
 * The parts of a page (SORTS) with the cursor's condition in each. A sort in one direction: one part, the cursor a
 * row comparison. The due date: the dated requests after the cursor, if it is still among them, then the undated
 * ones (after the cursor if it is among them, all of them otherwise).
 */
function pageParts(sql: Sql, f: InboxFilter): PagePart[] {
  const sort = SORTS[f.sort];
  const after = f.after;
  if (f.sort !== 'due_asc') {
    const op = sort.dirs[0] === 'DESC' ? '<' : '>';
    const cursor = after
      ? [`(${sort.keys.join(', ')}) ${op} (${sort.keys.map((k, i) => `${sql.p(after[i])}::${keyCast(k)}`).join(', ')})`]
      : [];
    return [{ where: cursor, order: orderOf(f.sort) }];
  }
  const undatedCursor = after !== null && String(after[0]) === 'infinity';
  const newer = (): string => `(t.created_at, t.id) < (${sql.p(after![1])}::timestamptz, ${sql.p(after![2])}::uuid)`;
  const parts: PagePart[] = [];
  if (!undatedCursor) {
    const cursor = after
      ? [`(t.sla_due_at > ${sql.p(after[0])}::timestamptz OR (t.sla_due_at = ${sql.p(after[0])}::timestamptz AND ${newer()}))`]
      : [];
    parts.push({ where: ['t.sla_due_at IS NOT NULL', ...cursor], order: 't.sla_due_at ASC, t.created_at DESC, t.id DESC' });
  }
  parts.push({ where: ['t.sla_due_at IS NULL', ...(undatedCursor ? [newer()] : [])], order: 't.created_at DESC, t.id DESC' });
  return parts;
}

/**
 * The departments a page is read from one by one (InboxRepository.page), or null: several departments in scope (or
 * picked in the filter, within the scope), a sort that only each department's index serves ((department_id, sort
 * keys): updated, priority, due date — the creation order has a town-wide index, `tickets_created`, which the
 * planner walks and filters: 0.10 ms for the DST head's six departments at 10 M requests, where the merge took 0.80
 * ms), and no filter that another index answers better (full text or reference: the search index; the agent's own
 * requests or picked agents: the assignee index). Without it, `updated_desc`, `priority_desc` and `due_asc` sorted
 * every request of the departments: 13–93 s at 10 M (bench/agents.mjs).
 */
function mergedDepartments(f: InboxFilter): string[] | null {
  if (f.sort !== 'updated_desc' && f.sort !== 'priority_desc' && f.sort !== 'due_asc') return null;
  if (f.words !== undefined || f.reference !== undefined || f.assignee || f.assigneeIds?.length) return null;
  const scope = f.departmentScope;
  const picked = f.departmentId?.length ? (scope ? f.departmentId.filter((d) => scope.includes(d)) : f.departmentId) : scope;
  const departments = [...new Set(picked ?? [])];
  return departments.length > 1 ? departments : null;
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
