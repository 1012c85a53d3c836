import { MigrationInterface, QueryRunner } from 'typeorm';

/** [index, column]: every date a count of the figures goes by, for the facts read beside the monthly cube */
export const DATES: ReadonlyArray<readonly [string, string]> = [
  ['report_facts_commune_received', 'received_at'],
  ['report_facts_commune_resolved', 'resolved_at'],
  ['report_facts_commune_first_response', 'first_response_at'],
  ['report_facts_commune_closed', 'closed_at'],
  ['report_facts_commune_sla_first_response', 'sla_first_response_at'],
  ['report_facts_commune_sla_resolution', 'sla_resolution_at'],
];

/**
 * The facts the dashboards still read beside the monthly cube (1763800002400) — the partial days at both ends
 * of a period, the backlog's moves since the last month's start — are the requests with one of their dates in
 * a few days: one index per date, behind the commune (row-level security's equality), so that the town-wide
 * view (no department filter, where the `(department_id, …)` indexes of 1763800001020 do not serve) reads
 * those days and not every request. Built CONCURRENTLY (10 M facts: writes go on), partial where the date may
 * be null.
 */
export class ReportingFactsDates1763800002410 implements MigrationInterface {
  name = 'ReportingFactsDates1763800002410';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, col] of DATES)
      await q.query(
        `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON report_ticket_facts (commune_id, ${col})${col === 'received_at' ? '' : ` WHERE ${col} IS NOT NULL`}`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of DATES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
}
