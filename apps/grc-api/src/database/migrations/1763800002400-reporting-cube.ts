import { MigrationInterface, QueryRunner } from 'typeorm';

/** The cube's dimensions (the dashboards' filters and breakdowns but the agent), in key order. */
const DIMS = 'commune_id, month, department_id, category_id, channel, priority, area';
const COUNTS = [
  'received',
  'settled',
  'resolved',
  'closed',
  'reopened',
  'sla_fr_met',
  'sla_fr_total',
  'sla_res_met',
  'sla_res_total',
  'breaches',
  'escalations',
  'circuit',
  'duplicates',
] as const;

/**
 * Issue 11, speed at scale: the monthly cube of the figures, kept from the per-request facts.
 *
 * - `report_cube`: one row per commune × month (of the town's time zone) × department × category × channel ×
 *   priority × area (the dashboards' filters and breakdowns; the agent is not a dimension: per-agent figures
 *   read the facts). Each count is put in the month of the date it counts by (received, resolved, closed,
 *   the SLA clocks' stops); `settled` counts the resolved requests in the month of greatest(received,
 *   resolved), so that the backlog at a month's start is Σ received − Σ settled of the months before.
 * - `report_cube_durations`: the duration histograms, per commune × month × department × one other dimension
 *   at a time (`dim` 1 category, 2 channel, 3 priority, 4 area; `value` its value as text, '' for no area) ×
 *   measure (1 first response business minutes, 2 first response days, 3 resolution business minutes,
 *   4 resolution days) × bucket (libs/domain figures/histogram.ts: log-spaced, 8 per doubling) → how many
 *   requests. A histogram has tens of buckets: over every dimension at once it would outgrow the facts at
 *   10 M requests; one dimension at a time (grouping sets) serves a breakdown by any of them, with a filter on
 *   the same one; other combinations read the facts' durations (the counts stay in the cube).
 * - `report_cube_state`: one row per commune once its cube is built (and the time zone its months are in);
 *   without it the dashboards read the facts and the facts' triggers leave the cube alone.
 *
 * `report_cube_fold(sign, rows)` adds (+1) or takes away (−1) the contribution of fact rows; statement
 * triggers on `report_ticket_facts` call it with the rows a statement changed (its transition tables), so the
 * cube follows every change of the facts — the refresh's upserts, and the rows that cascade away with a
 * deleted request or department, which no application code sees. Two transaction advisory locks per
 * commune: the build's, taken shared by the fold and exclusive by a build (one transaction), so a build never
 * interleaves with a refresh while refreshes without a cube (a rebuild's folds) run side by side; and the
 * writers', exclusive, so the cube's writers of one commune queue instead of deadlocking on cells. No foreign key to departments or categories: the cube is
 * derived from the facts, whose rows cascade away with a deleted department (the trigger then takes their
 * contribution away; a key here would refuse that very write). Tenant tables: `commune_id` and the forced policy of every
 * other (1763800001400); the function runs as the caller, under the policies.
 */
export class ReportingCube1763800002400 implements MigrationInterface {
  name = 'ReportingCube1763800002400';

  async up(q: QueryRunner): Promise<void> {
    const counts = COUNTS.map((c) => `${c} integer NOT NULL DEFAULT 0`).join(', ');
    await q.query(`CREATE TABLE report_cube (
      commune_id uuid NOT NULL DEFAULT grc_row_commune() REFERENCES communes(id),
      month date NOT NULL,
      department_id uuid NOT NULL,
      category_id uuid NOT NULL,
      channel varchar(16) NOT NULL,
      priority smallint NOT NULL,
      area varchar(200) NOT NULL DEFAULT '',
      ${counts},
      PRIMARY KEY (${DIMS}))`);
    // a head's scope: their departments, every month before the period's end (the backlog)
    await q.query(`CREATE INDEX report_cube_department_month ON report_cube (commune_id, department_id, month)`);
    await q.query(`CREATE TABLE report_cube_durations (
      commune_id uuid NOT NULL DEFAULT grc_row_commune() REFERENCES communes(id),
      month date NOT NULL,
      department_id uuid NOT NULL,
      dim smallint NOT NULL CHECK (dim BETWEEN 1 AND 4),
      value varchar(200) NOT NULL,
      measure smallint NOT NULL CHECK (measure BETWEEN 1 AND 4),
      bucket smallint NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (commune_id, month, department_id, dim, value, measure, bucket))`);
    await q.query(`CREATE INDEX report_cube_durations_department_month ON report_cube_durations (commune_id, department_id, dim, month)`);
    await q.query(`CREATE TABLE report_cube_state (
      commune_id uuid PRIMARY KEY DEFAULT grc_row_commune() REFERENCES communes(id),
      time_zone text NOT NULL,
      built_at timestamptz NOT NULL DEFAULT now())`);
    for (const t of ['report_cube', 'report_cube_durations', 'report_cube_state']) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${t}_commune ON ${t}
        USING (commune_id = (SELECT grc_commune())) WITH CHECK (commune_id = (SELECT grc_commune()))`);
    }

    // one contribution row per date a fact counts by; every row adds at least 1 to a count
    const z = (over: Partial<Record<(typeof COUNTS)[number], string>>) => COUNTS.map((c) => over[c] ?? '0').join(', ');
    const events = `(VALUES
        (f.received_at, ${z({ received: '1', breaches: 'f.breaches', escalations: 'f.escalations', circuit: 'f.circuit::int', duplicates: 'f.duplicate::int' })}),
        (f.resolved_at, ${z({ resolved: '1', reopened: '(f.reopen_count > 0)::int' })}),
        (CASE WHEN f.resolved_at IS NOT NULL THEN greatest(f.received_at, f.resolved_at) END, ${z({ settled: '1' })}),
        (f.closed_at, ${z({ closed: '1' })}),
        (CASE WHEN f.sla_first_response IS NOT NULL THEN f.sla_first_response_at END,
          ${z({ sla_fr_met: "(f.sla_first_response = 'met')::int", sla_fr_total: '1' })}),
        (CASE WHEN f.sla_resolution IS NOT NULL THEN f.sla_resolution_at END,
          ${z({ sla_res_met: "(f.sla_resolution = 'met')::int", sla_res_total: '1' })})
      ) AS e(at, ${COUNTS.join(', ')})`;
    const durations = `(VALUES
        (f.first_response_at, 1, f.first_response_business_minutes),
        (f.first_response_at, 2, f.first_response_days * 1440),
        (f.resolved_at, 3, f.resolution_business_minutes),
        (f.resolved_at, 4, f.resolution_days * 1440)
      ) AS e(at, measure, minutes)`;
    // libs/domain durationBucket(): 0 under a minute, then 8 buckets per doubling, 194 in all
    const bucket = `(CASE WHEN e.minutes >= 1 THEN least(193, 1 + floor(ln(e.minutes) / ln(2.0) * 8))::int ELSE 0 END)`;
    const cell = `f.commune_id, date_trunc('month', e.at AT TIME ZONE tz)::date, f.department_id, f.category_id, f.channel, f.priority,
      coalesce(f.area, '')`;
    const hcell = `f.commune_id, date_trunc('month', e.at AT TIME ZONE tz)::date, f.department_id, d.dim, d.value`;
    const HDIMS = 'commune_id, month, department_id, dim, value';
    const dims = `(VALUES (1, f.category_id::text), (2, f.channel::text), (3, f.priority::text), (4, coalesce(f.area, ''))) AS d(dim, value)`;
    const on = (t: string, cols: string) =>
      cols
        .split(', ')
        .map((c) => `${t}.${c} = k.${c}`)
        .join(' AND ');
    await q.query(`CREATE FUNCTION report_cube_fold(sign integer, rows report_ticket_facts[]) RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE tz text;
      BEGIN
        IF rows IS NULL OR cardinality(rows) = 0 THEN RETURN; END IF;
        -- shared against a build (which takes it exclusive): refreshes without a cube run side by side
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('report_cube_build:' || coalesce(grc_commune()::text, ''), 0));
        SELECT s.time_zone INTO tz FROM report_cube_state s;
        IF tz IS NULL THEN RETURN; END IF;
        -- the cube's writers of a commune one at a time (no deadlock on cells)
        PERFORM pg_advisory_xact_lock(hashtextextended('report_cube_write:' || coalesce(grc_commune()::text, ''), 0));
        INSERT INTO report_cube AS c (${DIMS}, ${COUNTS.join(', ')})
        SELECT ${cell}, ${COUNTS.map((c) => `sign * sum(e.${c})`).join(', ')}
        FROM unnest(rows) f CROSS JOIN LATERAL ${events}
        WHERE e.at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (${DIMS}) DO UPDATE SET ${COUNTS.map((c) => `${c} = c.${c} + EXCLUDED.${c}`).join(', ')};
        INSERT INTO report_cube_durations AS c (${HDIMS}, measure, bucket, n)
        SELECT ${hcell}, e.measure, ${bucket}, sign * count(*)
        FROM unnest(rows) f CROSS JOIN LATERAL ${durations} CROSS JOIN LATERAL ${dims}
        WHERE e.at IS NOT NULL AND e.minutes IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (${HDIMS}, measure, bucket) DO UPDATE SET n = c.n + EXCLUDED.n;
        IF sign < 0 THEN
          -- the cells this took to nothing go: the cube holds what the facts hold, no more
          DELETE FROM report_cube c USING (SELECT DISTINCT ${cell.replace(/\n\s*/g, ' ')} FROM unnest(rows) f CROSS JOIN LATERAL ${events}
              WHERE e.at IS NOT NULL) AS k(${DIMS})
            WHERE ${on('c', DIMS)} AND ${COUNTS.map((x) => `c.${x} = 0`).join(' AND ')};
          DELETE FROM report_cube_durations c USING (SELECT DISTINCT ${hcell} FROM unnest(rows) f
              CROSS JOIN LATERAL ${durations} CROSS JOIN LATERAL ${dims} WHERE e.at IS NOT NULL AND e.minutes IS NOT NULL) AS k(${HDIMS})
            WHERE ${on('c', HDIMS)} AND c.n = 0;
        END IF;
      END $fn$`);
    await q.query(`CREATE FUNCTION report_cube_follow() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_cube_fold(-1, ARRAY(SELECT o::report_ticket_facts FROM report_facts_old o)); END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM report_cube_fold(1, ARRAY(SELECT n::report_ticket_facts FROM report_facts_new n)); END IF;
        RETURN NULL;
      END $fn$`);
    await q.query(`CREATE TRIGGER report_cube_follow_insert AFTER INSERT ON report_ticket_facts
      REFERENCING NEW TABLE AS report_facts_new FOR EACH STATEMENT EXECUTE FUNCTION report_cube_follow()`);
    await q.query(`CREATE TRIGGER report_cube_follow_update AFTER UPDATE ON report_ticket_facts
      REFERENCING OLD TABLE AS report_facts_old NEW TABLE AS report_facts_new FOR EACH STATEMENT EXECUTE FUNCTION report_cube_follow()`);
    await q.query(`CREATE TRIGGER report_cube_follow_delete AFTER DELETE ON report_ticket_facts
      REFERENCING OLD TABLE AS report_facts_old FOR EACH STATEMENT EXECUTE FUNCTION report_cube_follow()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER IF EXISTS report_cube_follow_${t} ON report_ticket_facts`);
    await q.query(`DROP FUNCTION IF EXISTS report_cube_follow()`);
    await q.query(`DROP FUNCTION IF EXISTS report_cube_fold(integer, report_ticket_facts[])`);
    await q.query(`DROP TABLE IF EXISTS report_cube_state`);
    await q.query(`DROP TABLE IF EXISTS report_cube_durations`);
    await q.query(`DROP TABLE IF EXISTS report_cube`);
  }
}
