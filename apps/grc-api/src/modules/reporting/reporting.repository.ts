import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import QueryStream from 'pg-query-stream';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../../common/prepared';
import {
  AGE_BUCKETS,
  DURATION_MEASURES,
  durationBucketSql,
  MINUTES_PER_DAY,
  type Breakdown,
  type OpenDataBacklog,
  type OpenDataCounts,
  type OpenDataDelays,
  type StepFact,
  type TicketFacts,
  type TicketStatus,
} from '@grc/domain';

/** What the refresh reads of a request to fold its facts. */
export interface FactsSourceRow {
  id: string;
  reference: string;
  department_id: string;
  category_id: string;
  channel: string;
  priority: number;
  assignee_id: string | null;
  status: TicketStatus;
  created_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  master_ticket_id: string | null;
  latitude: number | null;
  longitude: number | null;
  version: number;
}

export interface FactsEventRow {
  ticket_id: string;
  kind: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface FactsClockRow {
  ticket_id: string;
  target: string;
  breached: boolean;
  events: Array<{ type: string; at: string; reason?: string }>;
}

/** A request's facts as the refresh writes them. */
export interface FactsRow {
  ticketId: string;
  source: FactsSourceRow;
  area: string | null;
  facts: TicketFacts;
}

/** Which requests a figure counts: the caller's departments (null: the whole town) and the filters. */
export interface FactsScope {
  /** null: every department (the admin); else the visible departments, already narrowed by a filter */
  departmentIds: readonly string[] | null;
  categoryIds?: readonly string[];
  channels?: readonly string[];
  priorities?: readonly number[];
  areas?: readonly string[];
  /** only requests assigned to these agents (a head's own agents) */
  assigneeIds?: readonly string[];
}

/** Aggregates of one group (or of the whole scope), as numbers; null when nothing was counted. */
export interface AggregateRow extends CountsRow {
  fr_business_median: number | null;
  fr_business_p90: number | null;
  fr_days_median: number | null;
  fr_days_p90: number | null;
  res_business_median: number | null;
  res_business_p90: number | null;
  res_days_median: number | null;
  res_days_p90: number | null;
}

/** The exact counts of one group (from the facts, the cube or both added). */
export interface CountsRow {
  key: string | null;
  received: number;
  resolved: number;
  closed: number;
  backlog: number;
  sla_fr_met: number;
  sla_fr_total: number;
  sla_res_met: number;
  sla_res_total: number;
  breaches: number;
  escalations: number;
  reopened: number;
  circuit: number;
  duplicates: number;
}

/** The dimensions the cube's duration histograms are kept over, one at a time (`report_cube_durations.dim`). */
export const CUBE_DIMS = { category: 1, channel: 2, priority: 3, area: 4 } as const;
export type CubeDim = keyof typeof CUBE_DIMS;

/** The scope's filter on one dimension, as the histograms' text values; undefined: no filter on it. */
export function cubeDimFilter(scope: FactsScope, dim: CubeDim): string[] | undefined {
  const v =
    dim === 'category' ? scope.categoryIds : dim === 'channel' ? scope.channels : dim === 'priority' ? scope.priorities : scope.areas;
  return v?.length ? v.map(String) : undefined;
}

/** One bucket of a duration histogram of one group (measure: DURATION_MEASURES). */
export interface DurationRow {
  key: string | null;
  measure: number;
  bucket: number;
  n: number;
}

/**
 * The group expressions of the breakdowns (fixed text, never from the request); the cube has all but the agent.
 * Departments are counted each on its own: ReportingService rolls them up the tree.
 */
const GROUP_BY: Record<Breakdown, string> = {
  department: 'f.department_id::text',
  channel: 'f.channel',
  category: 'f.category_id::text',
  area: "coalesce(f.area, '')",
  priority: 'f.priority::text',
  agent: "coalesce(f.assignee_id::text, '')",
};

export const COUNT_FIELDS = [
  'received',
  'resolved',
  'closed',
  'backlog',
  'sla_fr_met',
  'sla_fr_total',
  'sla_res_met',
  'sla_res_total',
  'breaches',
  'escalations',
  'reopened',
  'circuit',
  'duplicates',
] as const;
/** Each date a count goes by, and the counts it gives (the others are 0 in its range): one definition per figure. */
const FACT_DATES: ReadonlyArray<{ date: string; counts: Partial<Record<(typeof COUNT_FIELDS)[number], string>> }> = [
  {
    date: 'received_at',
    counts: {
      received: 'count(*)',
      breaches: 'coalesce(sum(f.breaches), 0)',
      escalations: 'coalesce(sum(f.escalations), 0)',
      circuit: 'count(*) FILTER (WHERE f.circuit)',
      duplicates: 'count(*) FILTER (WHERE f.duplicate)',
    },
  },
  { date: 'resolved_at', counts: { resolved: 'count(*)', reopened: 'count(*) FILTER (WHERE f.reopen_count > 0)' } },
  { date: 'closed_at', counts: { closed: 'count(*)' } },
  {
    date: 'sla_first_response_at',
    counts: {
      sla_fr_met: "count(*) FILTER (WHERE f.sla_first_response = 'met')",
      sla_fr_total: 'count(*) FILTER (WHERE f.sla_first_response IS NOT NULL)',
    },
  },
  {
    date: 'sla_resolution_at',
    counts: {
      sla_res_met: "count(*) FILTER (WHERE f.sla_resolution = 'met')",
      sla_res_total: 'count(*) FILTER (WHERE f.sla_resolution IS NOT NULL)',
    },
  },
];

/** report_cube's columns summed by the dashboards (the backlog comes from received − settled) */
const CUBE_COUNTS = COUNT_FIELDS.filter((c) => c !== 'backlog');

const toCounts = (r: Record<string, unknown>): CountsRow => {
  const out = { key: (r['key'] as string | null) ?? null } as CountsRow;
  for (const k of COUNT_FIELDS) (out as unknown as Record<string, number>)[k] = Number(r[k] ?? 0);
  return out;
};
const toDuration = (r: Record<string, unknown>): DurationRow => ({
  key: (r['key'] as string | null) ?? null,
  measure: Number(r['measure']),
  bucket: Number(r['bucket']),
  n: Number(r['n']),
});

/**
 * How a cell of the per-request export is written as text for PostgreSQL's CSV (ReportingRepository.requests,
 * `csv`: COPY quotes a cell holding the separator, a quote or a line break, as csv-stringify does for the XLSX's
 * rows).
 */
const CSV_CELL = {
  /** a text; empty as NULL (COPY writes an empty text "", csv-stringify nothing) */
  text: (sql: string) => `nullif(${sql}, '')`,
  /** an instant in UTC with milliseconds, as JavaScript's toISOString writes it */
  instant: (sql: string) => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  /**
   * rounded to 2 decimals, in float8's shortest form (12.5, 3), as the XLSX's numbers; in float8 (through numeric it
   * cost a third of a large department's year)
   */
  decimal: (sql: string) => `(round(${sql} * 100) / 100)::text`,
  /** an integer or a boolean as PostgreSQL writes it as text (3, true; COPY alone would write a boolean t) */
  plain: (sql: string) => `${sql}::text`,
} as const;

/** A parameter of the export's COPY as a literal (COPY takes no parameters), quoted by the driver. */
const copyLiteral = (client: PoolClient, v: unknown): string =>
  client.escapeLiteral(
    v instanceof Date
      ? v.toISOString()
      : Array.isArray(v)
        ? `{${v.map((x) => `"${String(x).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`
        : String(v),
  );

/** The per-request export's columns (name, SQL, how its CSV cell is written), in the file's order. */
export const REQUEST_EXPORT_COLUMNS: ReadonlyArray<readonly [string, string, keyof typeof CSV_CELL]> = [
  ['reference', 'coalesce(f.reference, (SELECT t.reference FROM tickets t WHERE t.id = f.ticket_id))', 'text'],
  ['department', 'd.code', 'text'],
  ['category', 'c.code', 'text'],
  ['channel', 'f.channel', 'text'],
  ['priority', 'f.priority', 'plain'],
  ['area', 'f.area', 'text'],
  ['status', 'f.status', 'text'],
  ['received_at', 'f.received_at', 'instant'],
  ['first_response_at', 'f.first_response_at', 'instant'],
  ['resolved_at', 'f.resolved_at', 'instant'],
  ['closed_at', 'f.closed_at', 'instant'],
  ['first_response_business_minutes', 'f.first_response_business_minutes', 'decimal'],
  ['first_response_days', 'f.first_response_days', 'decimal'],
  ['resolution_business_minutes', 'f.resolution_business_minutes', 'decimal'],
  ['resolution_days', 'f.resolution_days', 'decimal'],
  ['reopen_count', 'f.reopen_count', 'plain'],
  ['sla_first_response', 'f.sla_first_response', 'text'],
  ['sla_resolution', 'f.sla_resolution', 'text'],
  ['breaches', 'f.breaches', 'plain'],
  ['escalations', 'f.escalations', 'plain'],
  ['circuit', 'f.circuit', 'plain'],
  ['duplicate', 'f.duplicate', 'plain'],
];

/**
 * Every query of the figures: the rollup tables (`report_ticket_facts`, `report_step_facts`,
 * `report_dirty`), the refresh's reads of tickets, their timeline and SLA clocks (reads only: requests
 * change through TicketsService), and the open data's tables.
 */
@Injectable()
export class ReportingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ------------------------------------------------------------------ rows first: the marks

  /** Marks requests for the next refresh (in the change's transaction). */
  async markDirty(m: EntityManager, ticketIds: readonly string[]): Promise<void> {
    if (ticketIds.length === 0) return;
    // prepared: every change of every request marks it (bench/intake.mjs)
    await preparedQuery(
      m,
      `INSERT INTO report_dirty (ticket_id) SELECT unnest($1::uuid[]) ON CONFLICT (ticket_id) DO UPDATE SET marked_at = now()`,
      [ticketIds],
    );
  }

  /**
   * Takes up to `limit` marks (locked SKIP LOCKED: two workers share the work); returns the ids and when each was marked.
   * The commune's own marks: a métropole also reads those of its shared services' requests, which are their commune's
   * (migration 1763800002500) and refreshed by the commune's pass, so each request's figures are its commune's.
   */
  takeDirty(m: EntityManager, limit: number): Promise<Array<{ ticket_id: string; marked_at: string }>> {
    // the mark's time as text: microseconds kept (a JS Date would round it and the mark would stay)
    return m.query(
      `SELECT ticket_id, marked_at::text AS marked_at FROM report_dirty WHERE commune_id = grc_commune()
       ORDER BY marked_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Removes the marks that were taken (a request marked again meanwhile keeps its newer mark). */
  async clearDirty(m: EntityManager, marks: ReadonlyArray<{ ticket_id: string; marked_at: string }>): Promise<void> {
    if (marks.length === 0) return;
    await m.query(
      `DELETE FROM report_dirty d USING unnest($1::uuid[], $2::timestamptz[]) AS x(id, at) WHERE d.ticket_id = x.id AND d.marked_at <= x.at`,
      [marks.map((x) => x.ticket_id), marks.map((x) => x.marked_at)],
    );
  }

  async dirtyCount(m: EntityManager = this.db.manager): Promise<number> {
    const [r] = await m.query(`SELECT count(*)::int AS n FROM report_dirty WHERE commune_id = grc_commune()`);
    return r.n;
  }

  /**
   * The rebuild's next batch of the commune's requests, by their ids (keyset on the primary key: no mark, no sort of
   * the whole table): ids ≥ `from` (a lane's start), > `after` (the previous batch's last), < `to` (the lane's end),
   * in order, at most `limit`. Nulls: no bound.
   */
  async rebuildBatch(
    m: EntityManager,
    range: { from: string | null; after: string | null; to: string | null },
    limit: number,
  ): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM tickets WHERE commune_id = grc_commune()
         AND ($1::uuid IS NULL OR id >= $1) AND ($2::uuid IS NULL OR id > $2) AND ($3::uuid IS NULL OR id < $3)
       ORDER BY id LIMIT $4`,
      [range.from, range.after, range.to, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Empties the commune's rollup rows of the requests whose ids are in a range — ≥ `from`, > `after`, ≤ `last`, < `to`
   * (nulls: no bound) — before the rebuild writes that range's rows again: the rebuild starts from nothing, one
   * batch (one short transaction) at a time.
   */
  async clearFactsRange(
    m: EntityManager,
    range: { from: string | null; after: string | null; last: string | null; to: string | null },
  ): Promise<void> {
    const bounds = `commune_id = grc_commune() AND ($1::uuid IS NULL OR ticket_id >= $1) AND ($2::uuid IS NULL OR ticket_id > $2)
      AND ($3::uuid IS NULL OR ticket_id <= $3) AND ($4::uuid IS NULL OR ticket_id < $4)`;
    const params = [range.from, range.after, range.last, range.to];
    await m.query(`DELETE FROM report_step_facts WHERE ${bounds}`, params);
    await m.query(`DELETE FROM report_ticket_facts WHERE ${bounds}`, params);
  }

  // ------------------------------------------------------------------ the refresh's reads

  sources(m: EntityManager, ids: readonly string[]): Promise<FactsSourceRow[]> {
    return m.query(
      `SELECT id, reference, department_id, category_id, channel, priority, assignee_id, status, created_at, resolved_at, closed_at,
              master_ticket_id, latitude, longitude, version
       FROM tickets WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  events(m: EntityManager, ids: readonly string[]): Promise<FactsEventRow[]> {
    return m.query(
      `SELECT ticket_id, kind, at, data FROM ticket_events
       WHERE ticket_id = ANY($1::uuid[]) AND kind IN ('reply', 'status_changed', 'workflow_started', 'draft_submitted', 'opinion_given',
         'workflow_step', 'workflow_finished', 'sla_escalated')
       ORDER BY ticket_id, at, id`,
      [ids],
    );
  }

  clocks(m: EntityManager, ids: readonly string[]): Promise<FactsClockRow[]> {
    return m.query(`SELECT ticket_id, target, breached, events FROM ticket_sla WHERE ticket_id = ANY($1::uuid[])`, [ids]);
  }

  /** Writes the facts of the given requests (upsert) and their steps (replaced); removes the facts of requests gone. */
  async writeFacts(m: EntityManager, rows: readonly FactsRow[], gone: readonly string[]): Promise<void> {
    if (gone.length) {
      await m.query(`DELETE FROM report_step_facts WHERE ticket_id = ANY($1::uuid[])`, [gone]);
      await m.query(`DELETE FROM report_ticket_facts WHERE ticket_id = ANY($1::uuid[])`, [gone]);
    }
    if (rows.length === 0) return;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const doc = rows.map((r) => ({
      ticket_id: r.ticketId,
      department_id: r.source.department_id,
      category_id: r.source.category_id,
      channel: r.source.channel,
      priority: r.source.priority,
      assignee_id: r.source.assignee_id,
      area: r.area,
      status: r.source.status,
      received_at: iso(r.source.created_at),
      first_response_at: iso(r.facts.firstResponseAt),
      resolved_at: iso(r.facts.resolvedAt),
      closed_at: iso(r.facts.closedAt),
      first_response_business_minutes: r.facts.firstResponseBusinessMinutes,
      first_response_days: r.facts.firstResponseDays,
      resolution_business_minutes: r.facts.resolutionBusinessMinutes,
      resolution_days: r.facts.resolutionDays,
      reopen_count: r.facts.reopenCount,
      sla_first_response: r.facts.slaFirstResponse,
      sla_first_response_at: iso(r.facts.slaFirstResponseAt),
      sla_resolution: r.facts.slaResolution,
      sla_resolution_at: iso(r.facts.slaResolutionAt),
      breaches: r.facts.breaches,
      escalations: r.facts.escalations,
      circuit: r.facts.circuit,
      duplicate: r.facts.duplicate,
      ticket_version: r.source.version,
      reference: r.source.reference,
    }));
    await m.query(
      `INSERT INTO report_ticket_facts AS f (ticket_id, reference, department_id, category_id, channel, priority, assignee_id, area, status, received_at,
         first_response_at, resolved_at, closed_at, first_response_business_minutes, first_response_days, resolution_business_minutes,
         resolution_days, reopen_count, sla_first_response, sla_first_response_at, sla_resolution, sla_resolution_at, breaches, escalations,
         circuit, duplicate, ticket_version, refreshed_at)
       SELECT ticket_id, reference, department_id, category_id, channel, priority, assignee_id, area, status, received_at,
         first_response_at, resolved_at, closed_at, first_response_business_minutes, first_response_days, resolution_business_minutes,
         resolution_days, reopen_count, sla_first_response, sla_first_response_at, sla_resolution, sla_resolution_at, breaches, escalations,
         circuit, duplicate, ticket_version, now()
       FROM jsonb_to_recordset($1::jsonb) AS x(ticket_id uuid, reference varchar, department_id uuid, category_id uuid, channel varchar, priority smallint,
         assignee_id uuid, area varchar, status varchar, received_at timestamptz, first_response_at timestamptz, resolved_at timestamptz,
         closed_at timestamptz, first_response_business_minutes double precision, first_response_days double precision,
         resolution_business_minutes double precision, resolution_days double precision, reopen_count integer, sla_first_response varchar,
         sla_first_response_at timestamptz, sla_resolution varchar, sla_resolution_at timestamptz, breaches integer, escalations integer,
         circuit boolean, duplicate boolean, ticket_version integer)
       ON CONFLICT (ticket_id) DO UPDATE SET reference = EXCLUDED.reference, department_id = EXCLUDED.department_id, category_id = EXCLUDED.category_id,
         channel = EXCLUDED.channel, priority = EXCLUDED.priority, assignee_id = EXCLUDED.assignee_id, area = EXCLUDED.area,
         status = EXCLUDED.status, received_at = EXCLUDED.received_at, first_response_at = EXCLUDED.first_response_at,
         resolved_at = EXCLUDED.resolved_at, closed_at = EXCLUDED.closed_at,
         first_response_business_minutes = EXCLUDED.first_response_business_minutes, first_response_days = EXCLUDED.first_response_days,
         resolution_business_minutes = EXCLUDED.resolution_business_minutes, resolution_days = EXCLUDED.resolution_days,
         reopen_count = EXCLUDED.reopen_count, sla_first_response = EXCLUDED.sla_first_response,
         sla_first_response_at = EXCLUDED.sla_first_response_at, sla_resolution = EXCLUDED.sla_resolution,
         sla_resolution_at = EXCLUDED.sla_resolution_at, breaches = EXCLUDED.breaches, escalations = EXCLUDED.escalations,
         circuit = EXCLUDED.circuit, duplicate = EXCLUDED.duplicate, ticket_version = EXCLUDED.ticket_version, refreshed_at = now()`,
      [JSON.stringify(doc)],
    );
    const ids = rows.map((r) => r.ticketId);
    await m.query(`DELETE FROM report_step_facts WHERE ticket_id = ANY($1::uuid[])`, [ids]);
    const steps = rows.flatMap((r) =>
      r.facts.steps.map((s: StepFact, seq: number) => ({
        ticket_id: r.ticketId,
        seq,
        department_id: r.source.department_id,
        definition_code: s.definitionCode.slice(0, 64),
        step: s.step.slice(0, 64),
        entered_at: s.enteredAt.toISOString(),
        left_at: s.leftAt.toISOString(),
        business_minutes: s.businessMinutes,
        calendar_minutes: s.calendarMinutes,
      })),
    );
    if (steps.length)
      await m.query(
        `INSERT INTO report_step_facts (ticket_id, seq, department_id, definition_code, step, entered_at, left_at, business_minutes, calendar_minutes)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ticket_id uuid, seq integer, department_id uuid, definition_code varchar, step varchar,
           entered_at timestamptz, left_at timestamptz, business_minutes double precision, calendar_minutes double precision)`,
        [JSON.stringify(steps)],
      );
  }

  /** The rollup as rows (the rebuild = incremental proof), in ticket order, without the refresh's own timestamp. */
  snapshot(m: EntityManager = this.db.manager): Promise<unknown[]> {
    return m
      .query(
        `SELECT f.*, (SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.seq), '[]'::jsonb) FROM report_step_facts s WHERE s.ticket_id = f.ticket_id) AS steps
       FROM report_ticket_facts f ORDER BY f.ticket_id`,
      )
      .then((rows: Array<Record<string, unknown>>) =>
        rows.map((row) => {
          const out = { ...row };
          delete out['refreshed_at'];
          return out;
        }),
      );
  }

  // ------------------------------------------------------------------ the figures

  private where(scope: FactsScope, first: number): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, v: unknown) => {
      params.push(v);
      clauses.push(sql(first + params.length - 1));
    };
    if (scope.departmentIds) add((n) => `f.department_id = ANY($${n}::uuid[])`, scope.departmentIds);
    if (scope.categoryIds?.length) add((n) => `f.category_id = ANY($${n}::uuid[])`, scope.categoryIds);
    if (scope.channels?.length) add((n) => `f.channel = ANY($${n}::varchar[])`, scope.channels);
    if (scope.priorities?.length) add((n) => `f.priority = ANY($${n}::smallint[])`, scope.priorities);
    if (scope.areas?.length) add((n) => `coalesce(f.area, '') = ANY($${n}::varchar[])`, scope.areas);
    if (scope.assigneeIds) add((n) => `f.assignee_id = ANY($${n}::uuid[])`, scope.assigneeIds);
    return { sql: clauses.length ? ` AND ${clauses.join(' AND ')}` : '', params };
  }

  /**
   * `SELECT key, <select> FROM <from> WHERE <where> GROUP BY key<more>`. The department breakdown is per department,
   * not over the tree: joined to the tree, the planner read each department's facts by the department alone and
   * filtered the dates (18 s for a month's edge at 10 M requests); the service adds each department's rows to its
   * ancestors' (ancestryIndex).
   */
  private grouped(by: Breakdown | null, from: string, select: string, where: string, more: readonly string[] = []): string {
    const extra = more.map((x) => `, ${x}`).join('');
    if (by) return `SELECT ${GROUP_BY[by]} AS key, ${select} FROM ${from} WHERE ${where} GROUP BY 1${extra}`;
    return `SELECT NULL::text AS key, ${select} FROM ${from} WHERE ${where}${more.length ? ` GROUP BY ${more.join(', ')}` : ''}`;
  }

  /**
   * The counts of [start, end) — $1, $2 — from the facts (no backlog: see factsBacklog / factsOpenDelta); grouped
   * by a breakdown or not. One range per date a count goes by (FACT_DATES), each read from its own index: the
   * rows are the sum of the ranges' (combineAggregates adds them). One scan of the OR of the five ranges let the
   * planner pick, at 10 M requests, a walk of the departments' whole index with the dates as a filter (7.6 M rows
   * read for 197,000: 6.3 s).
   */
  async factsCounts(
    scope: FactsScope,
    start: Date,
    end: Date,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<CountsRow[]> {
    const w = this.where(scope, 3);
    const arms = FACT_DATES.map(({ date, counts }) => {
      const measures = COUNT_FIELDS.map((c) => `${counts[c] ?? '0'}::int AS ${c}`).join(', ');
      return this.grouped(by, 'report_ticket_facts f', measures, `f.${date} >= $1 AND f.${date} < $2${w.sql}`);
    });
    const rows: Array<Record<string, unknown>> = await m.query(arms.map((a) => `(${a})`).join(' UNION ALL '), [start, end, ...w.params]);
    return rows.map(toCounts);
  }

  /** The backlog at `end` ($1) from the facts alone: received before it, not finally resolved before it. */
  async factsBacklog(
    scope: FactsScope,
    end: Date,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ key: string | null; n: number }>> {
    const w = this.where(scope, 2);
    const rows: Array<{ key: string | null; n: number }> = await m.query(
      this.grouped(
        by,
        'report_ticket_facts f',
        'count(*)::int AS n',
        `f.received_at < $1 AND (f.resolved_at IS NULL OR f.resolved_at >= $1)${w.sql}`,
      ),
      [end, ...w.params],
    );
    return rows.map((r) => ({ key: r.key ?? null, n: Number(r.n) }));
  }

  /**
   * The duration histograms of [start, end) from the facts: first responses given, requests resolved in it — one
   * range of its date each, read from its index (as factsCounts, not one scan of the OR of the two).
   */
  async factsDurations(
    scope: FactsScope,
    start: Date,
    end: Date,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<DurationRow[]> {
    const w = this.where(scope, 3);
    const arm = (date: string, measures: string) =>
      this.grouped(
        by,
        `report_ticket_facts f CROSS JOIN LATERAL (VALUES ${measures}) AS e(measure, minutes)`,
        `e.measure, ${durationBucketSql('e.minutes')} AS bucket, count(*)::int AS n`,
        `f.${date} >= $1 AND f.${date} < $2 AND e.minutes IS NOT NULL${w.sql}`,
        ['2', '3'],
      );
    const M = DURATION_MEASURES;
    const sql = [
      arm(
        'first_response_at',
        `(${M.first_response_business}, f.first_response_business_minutes), (${M.first_response_days}, f.first_response_days * ${MINUTES_PER_DAY})`,
      ),
      arm(
        'resolved_at',
        `(${M.resolution_business}, f.resolution_business_minutes), (${M.resolution_days}, f.resolution_days * ${MINUTES_PER_DAY})`,
      ),
    ]
      .map((a) => `(${a})`)
      .join(' UNION ALL ');
    const rows: Array<Record<string, unknown>> = await m.query(sql, [start, end, ...w.params]);
    return rows.map(toDuration);
  }

  /**
   * How the backlog moved over [from, end) — $1, $2 — from the facts: received in it, less settled in it
   * (resolved, in the month of greatest(received, resolved)). Read as its two index ranges: the requests
   * received in it and not resolved before its end, less those received before it and resolved in it.
   */
  async factsOpenDelta(
    scope: FactsScope,
    from: Date,
    end: Date,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ key: string | null; n: number }>> {
    const w = this.where(scope, 3);
    const inP = (col: string) => `${col} >= $1 AND ${col} < $2`;
    const came = this.grouped(
      by,
      'report_ticket_facts f',
      'count(*)::int AS n',
      `${inP('f.received_at')} AND (f.resolved_at IS NULL OR f.resolved_at >= $2)${w.sql}`,
    );
    const went = this.grouped(
      by,
      'report_ticket_facts f',
      '(-count(*))::int AS n',
      `${inP('f.resolved_at')} AND f.received_at < $1${w.sql}`,
    );
    const rows: Array<{ key: string | null; n: number }> = await m.query(`SELECT * FROM (${came}) a UNION ALL SELECT * FROM (${went}) b`, [
      from,
      end,
      ...w.params,
    ]);
    return rows.map((r) => ({ key: r.key ?? null, n: Number(r.n) }));
  }

  // ------------------------------------------------------------------ the monthly cube (migration 1763800002400)

  /** The time zone the commune's cube is built in; null: no cube (the dashboards read the facts). */
  async cubeTimeZone(m: EntityManager = this.db.manager): Promise<string | null> {
    const [r] = await m.query(`SELECT time_zone FROM report_cube_state`);
    return r?.time_zone ?? null;
  }

  /** Takes the commune's cube build lock, exclusive (the facts' triggers take it shared), until the transaction ends. */
  private async lockCube(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('report_cube_build:' || coalesce(grc_commune()::text, ''), 0))`);
  }

  /** Forgets the cube (the facts' triggers then leave it alone, the dashboards read the facts). */
  async dropCube(m: EntityManager): Promise<void> {
    await this.lockCube(m);
    await m.query(`DELETE FROM report_cube_state WHERE commune_id = grc_commune()`);
    await m.query(`DELETE FROM report_cube_durations WHERE commune_id = grc_commune()`);
    await m.query(`DELETE FROM report_cube WHERE commune_id = grc_commune()`);
  }

  /**
   * Builds the cube from the facts, set-based: `report_cube_fold` (INSERT … SELECT … GROUP BY, no row through
   * JavaScript) over the facts received in one month of the town's time zone at a time — a month's requests
   * count almost only in that month and the next, so each statement writes a few months' cells, not the
   * whole cube — in the caller's transaction (readers see the former cube until it commits; the lock keeps
   * the refresh out meanwhile). The commune's own facts only: a métropole also reads its shared services' facts, which
   * are their communes' (and in their cubes). Returns the facts folded.
   */
  async buildCube(m: EntityManager, timeZone: string): Promise<number> {
    await this.dropCube(m);
    await m.query(`INSERT INTO report_cube_state (time_zone) VALUES ($1)`, [timeZone]);
    const months: Array<{ at: Date }> = await m.query(
      `SELECT (g AT TIME ZONE $1) AS at FROM (SELECT date_trunc('month', min(received_at) AT TIME ZONE $1) AS lo,
         date_trunc('month', max(received_at) AT TIME ZONE $1) AS hi FROM report_ticket_facts WHERE commune_id = grc_commune()) r,
         generate_series(r.lo, r.hi, interval '1 month') g ORDER BY 1`,
      [timeZone],
    );
    let total = 0;
    for (let i = 0; i < months.length; i++) {
      const [r] = await m.query(
        `SELECT cardinality(x.facts) AS n, report_cube_fold(1, x.facts) FROM (SELECT ARRAY(SELECT f FROM report_ticket_facts f
           WHERE f.commune_id = grc_commune() AND f.received_at >= $1 AND ($2::timestamptz IS NULL OR f.received_at < $2)) AS facts) x`,
        [months[i].at, months[i + 1]?.at ?? null],
      );
      total += Number(r.n);
    }
    return total;
  }

  /** The counts of the whole months [fromMonth, toMonth) ('YYYY-MM-01') from the cube (no backlog: see cubeOpen). */
  async cubeCounts(
    scope: FactsScope,
    fromMonth: string,
    toMonth: string,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<CountsRow[]> {
    const w = this.where(scope, 3);
    const select = CUBE_COUNTS.map((c) => `coalesce(sum(f.${c}), 0)::int AS ${c}`).join(', ');
    const rows: Array<Record<string, unknown>> = await m.query(
      this.grouped(by, 'report_cube f', select, `f.month >= $1::date AND f.month < $2::date${w.sql}`),
      [fromMonth, toMonth, ...w.params],
    );
    return rows.map(toCounts);
  }

  /** The backlog at the start of `month` ('YYYY-MM-01') from the cube: Σ received − Σ settled of the months before. */
  async cubeOpen(
    scope: FactsScope,
    month: string,
    by: Breakdown | null,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ key: string | null; n: number }>> {
    const w = this.where(scope, 2);
    const rows: Array<{ key: string | null; n: number }> = await m.query(
      this.grouped(
        by,
        'report_cube f',
        `(coalesce(sum(f.received), 0) - coalesce(sum(f.settled), 0))::int AS n`,
        `f.month < $1::date${w.sql}`,
      ),
      [month, ...w.params],
    );
    return rows.map((r) => ({ key: r.key ?? null, n: Number(r.n) }));
  }

  /**
   * The duration histograms of the whole months [fromMonth, toMonth) from the cube, over the grouping set of
   * one dimension (`dim`: the breakdown's, or the one filtered on): the departments' scope always applies,
   * the filter on that dimension too; grouped by department (the tree), by that dimension, or not at all.
   */
  async cubeDurations(
    scope: FactsScope,
    fromMonth: string,
    toMonth: string,
    by: Breakdown | null,
    dim: CubeDim,
    m: EntityManager = this.db.manager,
  ): Promise<DurationRow[]> {
    const params: unknown[] = [fromMonth, toMonth, CUBE_DIMS[dim]];
    let where = `f.month >= $1::date AND f.month < $2::date AND f.dim = $3`;
    if (scope.departmentIds) {
      params.push(scope.departmentIds);
      where += ` AND f.department_id = ANY($${params.length}::uuid[])`;
    }
    const values = cubeDimFilter(scope, dim);
    if (values) {
      params.push(values);
      where += ` AND f.value = ANY($${params.length}::varchar[])`;
    }
    if (by !== null && by !== 'department' && by !== dim) throw new Error(`cube durations: by=${by} over dim=${dim}`);
    const select = `f.measure, f.bucket, sum(f.n)::int AS n`;
    const sql =
      by === dim
        ? `SELECT f.value AS key, ${select} FROM report_cube_durations f WHERE ${where} GROUP BY 1, 2, 3`
        : this.grouped(by, 'report_cube_durations f', select, where, ['2', '3']);
    const rows: Array<Record<string, unknown>> = await m.query(sql, params);
    return rows.map(toDuration);
  }

  /** The cube as rows, zero cells left out (the rebuild = incremental proof). */
  async cubeSnapshot(m: EntityManager = this.db.manager): Promise<{ cells: unknown[]; durations: unknown[] }> {
    const cells = await m.query(
      `SELECT month::text, department_id, category_id, channel, priority, area, settled, ${CUBE_COUNTS.join(', ')} FROM report_cube
       ORDER BY month, department_id, category_id, channel, priority, area`,
    );
    const durations = await m.query(
      `SELECT month::text, department_id, dim, value, measure, bucket, n FROM report_cube_durations
       ORDER BY month, department_id, dim, value, measure, bucket`,
    );
    return { cells, durations };
  }

  /** How many rows the cube holds (the bench prints it beside the facts'). */
  async cubeSize(m: EntityManager = this.db.manager): Promise<{ facts: number; cells: number; durations: number }> {
    const [r] =
      await m.query(`SELECT (SELECT count(*) FROM report_ticket_facts)::int AS facts, (SELECT count(*) FROM report_cube)::int AS cells,
      (SELECT count(*) FROM report_cube_durations)::int AS durations`);
    return r;
  }

  /**
   * The backlog at `end` per age bucket (days since receipt, AGE_BUCKETS), given the backlog's total (the dashboard's
   * figure, from the cube; a promise: the statement runs meanwhile): the buckets of a bounded age are the requests received in their days and still open at
   * `end` — a range of the received date — and the oldest bucket is the rest of the total. Counting the oldest
   * bucket too read every open request (700,000 at 10 M requests, where the 5-year seed leaves 5 % open). The
   * requests not resolved yet and those resolved since `end` are two reads, the first from the unresolved
   * requests' indexes alone (by department for a head, by date for the town: 1763800004030); counted with FILTERs,
   * no per-row arithmetic (a whole town's 190,000 rows sorted by a computed age took half the statement's time).
   */
  async ageProfile(
    scope: FactsScope,
    end: Date,
    backlog: number | Promise<number>,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ code: string; count: number }>> {
    const bounded = AGE_BUCKETS.filter((b) => b.max !== null);
    const oldest = Math.max(...bounded.map((b) => Number(b.max)));
    const w = this.where(scope, 3);
    const daysBefore = (days: number) => new Date(end.getTime() - days * 86_400_000);
    // a bucket [min, max) days of age is received in (end − max days, end − min days]; its two bounds are parameters
    const params: unknown[] = [end, daysBefore(oldest), ...w.params];
    const bound = (v: Date) => `$${params.push(v)}`;
    const counts = bounded
      .map(
        (b) =>
          `count(*) FILTER (WHERE a.received_at <= ${bound(daysBefore(b.min))} AND a.received_at > ${bound(daysBefore(Number(b.max)))})::int AS ${b.code}`,
      )
      .join(', ');
    // open at `end`: not resolved yet (its own partial index, read alone), or resolved since (few when `end` is recent)
    const [row]: Array<Record<string, number>> = await m.query(
      `SELECT ${counts}
       FROM (SELECT f.received_at FROM report_ticket_facts f WHERE f.received_at < $1 AND f.received_at > $2 AND f.resolved_at IS NULL${w.sql}
             UNION ALL
             SELECT f.received_at FROM report_ticket_facts f WHERE f.received_at < $1 AND f.received_at > $2 AND f.resolved_at >= $1${w.sql}) a`,
      params,
    );
    const count = (code: string) => Number(row?.[code] ?? 0);
    const recent = bounded.reduce((n, b) => n + count(b.code), 0);
    const total = await backlog;
    return AGE_BUCKETS.map((b) => ({ code: b.code, count: b.max === null ? Math.max(0, total - recent) : count(b.code) }));
  }

  /** Validation circuits' steps left in [start, end): how many and their mean durations. */
  steps(
    scope: FactsScope,
    start: Date,
    end: Date,
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ definitionCode: string; step: string; count: number; meanBusinessMinutes: number; meanCalendarMinutes: number }>> {
    const w = this.where(scope, 3);
    return m
      .query(
        `SELECT s.definition_code AS "definitionCode", s.step, count(*)::int AS count,
                avg(s.business_minutes) AS "meanBusinessMinutes", avg(s.calendar_minutes) AS "meanCalendarMinutes"
         FROM report_step_facts s JOIN report_ticket_facts f ON f.ticket_id = s.ticket_id
         WHERE s.left_at >= $1 AND s.left_at < $2${w.sql}
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [start, end, ...w.params],
      )
      .then((rows: Array<Record<string, unknown>>) =>
        rows.map((r) => ({
          definitionCode: String(r['definitionCode']),
          step: String(r['step']),
          count: Number(r['count']),
          meanBusinessMinutes: Number(r['meanBusinessMinutes']),
          meanCalendarMinutes: Number(r['meanCalendarMinutes']),
        })),
      );
  }

  /**
   * The requests behind the figures of [start, end) (received in it), for the per-request export: no citizen, no
   * text; the reference from the facts (1763800004030), from the request for a fact written before it had one.
   * `rows`: one object per request, REQUEST_EXPORT_COLUMNS by name (the XLSX), streamed by a cursor (`batchSize`
   * rows at a time). `csv`: the file's lines as bytes, written by PostgreSQL itself (`COPY … TO STDOUT (FORMAT
   * csv)`, through pg-copy-streams with backpressure; `;`, ISO 8601 instants in UTC, numbers to 2 decimals) — a
   * large department's year at 10 M requests is 266,000 rows, which JavaScript formatted at 15,000 a second and a
   * cursor still fetched in 130 round trips. Either runs on a connection of its own, so that a year is never held
   * whole: back to the pool when the stream ends; when it fails or is destroyed before its end (the client went
   * away) the connection is closed instead (a copy cannot be stopped half-way and the connection reused).
   */
  async requests(scope: FactsScope, start: Date, end: Date, opts: { as: 'rows'; batchSize?: number } | { as: 'csv' }): Promise<Readable> {
    const w = this.where(scope, 3);
    const select = REQUEST_EXPORT_COLUMNS.map(([name, sql, kind]) => `${opts.as === 'csv' ? CSV_CELL[kind](sql) : sql} AS ${name}`).join(
      ', ',
    );
    const sql = `SELECT ${select}
      FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id JOIN categories c ON c.id = f.category_id
      WHERE f.received_at >= $1 AND f.received_at < $2${w.sql}
      ORDER BY f.received_at, f.ticket_id`;
    const params = [start, end, ...w.params];
    // the pool itself (its checkout sets the commune: database/tenancy.ts), to close the connection of a copy cut short
    const client = await (this.db.driver as unknown as { master: Pool }).master.connect();
    let stream: Readable;
    try {
      stream =
        opts.as === 'csv'
          ? client.query(
              copyTo(
                `COPY (${sql.replace(/\$(\d+)/g, (_, n: string) => copyLiteral(client, params[Number(n) - 1]))}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')`,
              ),
            )
          : client.query(new QueryStream(sql, params, { batchSize: opts.batchSize ?? 2000 }));
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
    let ended = false;
    let released = false;
    const release = (broken: boolean) => {
      if (released) return;
      released = true;
      client.release(broken ? new Error('export stream stopped before its end') : undefined);
    };
    // a copy's stream ends at its last line, before the server's ready-for-query: the connection goes back only then
    let idle = opts.as !== 'csv';
    if (!idle) {
      const copy = stream as Readable & { handleReadyForQuery(): void };
      const ready = copy.handleReadyForQuery.bind(copy);
      copy.handleReadyForQuery = () => {
        ready();
        idle = true;
        if (ended) release(false);
      };
    }
    stream.once('end', () => {
      ended = true;
      if (idle) release(false);
    });
    stream.once('error', () => release(true));
    stream.once('close', () => {
      if (!ended) release(true);
    });
    return stream;
  }

  /** Agents who belong to one of the departments (a head's own agents). */
  agentsOf(departmentIds: readonly string[], m: EntityManager = this.db.manager): Promise<Array<{ id: string; name: string }>> {
    return m.query(
      `SELECT DISTINCT a.id, a.display_name AS name FROM agents a JOIN agent_departments ad ON ad.agent_id = a.id
       WHERE ad.department_id = ANY($1::uuid[]) ORDER BY 2`,
      [departmentIds],
    );
  }

  agentNames(ids: readonly string[], m: EntityManager = this.db.manager): Promise<Array<{ id: string; name: string }>> {
    return m.query(`SELECT id, display_name AS name FROM agents WHERE id = ANY($1::uuid[])`, [ids]);
  }

  // ------------------------------------------------------------------ open data

  settings(m: EntityManager = this.db.manager): Promise<
    | {
        csv_separator: ';' | ',';
        threshold: number;
        months: number;
        licence_title: string;
        licence_url: string;
      }
    | undefined
  > {
    return m
      .query(`SELECT csv_separator, threshold, months, licence_title, licence_url FROM open_data_settings WHERE id = 1`)
      .then((r) => r[0]);
  }

  async saveSettings(
    m: EntityManager,
    s: { csvSeparator: string; threshold: number; months: number; licenceTitle: string; licenceUrl: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO open_data_settings (id, csv_separator, threshold, months, licence_title, licence_url, updated_at)
       VALUES (1, $1, $2, $3, $4, $5, now())
       ON CONFLICT (commune_id) DO UPDATE SET csv_separator = $1, threshold = $2, months = $3, licence_title = $4, licence_url = $5, updated_at = now()`,
      [s.csvSeparator, s.threshold, s.months, s.licenceTitle, s.licenceUrl],
    );
  }

  /**
   * The open data's backlog per cell (department and category codes, channel, area) at the start of `month`
   * ('YYYY-MM-01'), from the cube: Σ received − Σ settled of the months before — one pass over the cube's cells
   * (a few thousand per month), where the facts would be every request still open then (700,000 at 10 M).
   */
  openDataBacklog(month: string, m: EntityManager = this.db.manager): Promise<OpenDataBacklog[]> {
    return m
      .query(
        `SELECT d.code AS department, c.code AS category, f.channel, nullif(f.area, '') AS area,
                (sum(f.received) - sum(f.settled))::int AS open
         FROM report_cube f JOIN departments d ON d.id = f.department_id JOIN categories c ON c.id = f.category_id
         WHERE f.month < $1::date GROUP BY 1, 2, 3, 4 HAVING sum(f.received) <> sum(f.settled)`,
        [month],
      )
      .then((rows: OpenDataBacklog[]) => rows.map((r) => ({ ...r, open: Number(r.open) })));
  }

  /** The open data's counts per cell of one month ('YYYY-MM-01') from the cube, summed over priorities. */
  openDataCounts(month: string, m: EntityManager = this.db.manager): Promise<OpenDataCounts[]> {
    return m
      .query(
        `SELECT d.code AS department, c.code AS category, f.channel, nullif(f.area, '') AS area,
                sum(f.received)::int AS received, sum(f.resolved)::int AS resolved, sum(f.settled)::int AS settled,
                sum(f.sla_res_met)::int AS "slaMet", sum(f.sla_res_total)::int AS "slaTotal"
         FROM report_cube f JOIN departments d ON d.id = f.department_id JOIN categories c ON c.id = f.category_id
         WHERE f.month = $1::date GROUP BY 1, 2, 3, 4`,
        [month],
      )
      .then((rows: Array<Record<string, unknown>>) =>
        rows.map((r) => ({
          department: String(r['department']),
          category: String(r['category']),
          channel: String(r['channel']),
          area: (r['area'] as string | null) ?? null,
          received: Number(r['received']),
          resolved: Number(r['resolved']),
          settled: Number(r['settled']),
          slaMet: Number(r['slaMet']),
          slaTotal: Number(r['slaTotal']),
        })),
      );
  }

  /**
   * The resolution delays (calendar days) of the requests resolved in [start, end), per cell, from the facts (read
   * by their resolution date's index): the exact medians the dataset publishes (the cube keeps histograms).
   */
  openDataDelays(start: Date, end: Date, m: EntityManager = this.db.manager): Promise<OpenDataDelays[]> {
    return m
      .query(
        `SELECT d.code AS department, c.code AS category, f.channel, f.area, array_agg(f.resolution_days::float8) AS days
         FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id JOIN categories c ON c.id = f.category_id
         WHERE f.resolved_at >= $1 AND f.resolved_at < $2 AND f.resolution_days IS NOT NULL GROUP BY 1, 2, 3, 4`,
        [start, end],
      )
      .then((rows: Array<OpenDataDelays & { days: Array<number | string> }>) => rows.map((r) => ({ ...r, days: r.days.map(Number) })));
  }

  /** Replaces the published files in one transaction (readers see the old set or the new one). */
  async publish(
    m: EntityManager,
    files: ReadonlyArray<{ name: string; mediaType: string; content: Buffer; sha256: string }>,
  ): Promise<void> {
    await m.query(`DELETE FROM open_data_files WHERE NOT (name = ANY($1::varchar[]))`, [files.map((f) => f.name)]);
    for (const f of files)
      await m.query(
        `INSERT INTO open_data_files (name, media_type, content, sha256, generated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (commune_id, name) DO UPDATE SET media_type = $2, content = $3, sha256 = $4, generated_at = now()`,
        [f.name, f.mediaType, f.content, f.sha256],
      );
  }

  file(
    name: string,
    m: EntityManager = this.db.manager,
  ): Promise<{ name: string; media_type: string; content: Buffer; sha256: string; generated_at: Date } | undefined> {
    return m.query(`SELECT name, media_type, content, sha256, generated_at FROM open_data_files WHERE name = $1`, [name]).then((r) => r[0]);
  }

  files(
    m: EntityManager = this.db.manager,
  ): Promise<Array<{ name: string; media_type: string; sha256: string; generated_at: Date; size: number }>> {
    return m.query(`SELECT name, media_type, sha256, generated_at, octet_length(content)::int AS size FROM open_data_files ORDER BY name`);
  }
}
