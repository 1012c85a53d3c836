import { MigrationInterface, QueryRunner } from 'typeorm';
// the commune-led indexes of 1763800002410, one per date a count of the figures goes by
import { DATES as COMMUNE_LED } from './1763800002410-reporting-facts-dates';

/** [date-led index (the commune-led one's name without `_commune`), column, commune-led index it replaces] */
const DATES = COMMUNE_LED.map(([name, col]) => [name.replace('report_facts_commune_', 'report_facts_'), col, name] as const);

/**
 * The dashboards' reads of the facts by date ranges, whatever the row-level policy (issue 11 at 10 M requests).
 *
 * The facts' `(commune_id, date)` indexes of 1763800002410 counted on the policy's equality on the commune; but the
 * facts have two policies, OR-ed: the commune's rows, or a métropole's shared departments' (1763800002500). An OR is
 * no index condition, so every count read each of those indexes whole (1.3–1.7 s each at 10 M, the DGS's dashboard
 * a minute). Led by the date, a range is a range for every connection; the commune and the departments are checked
 * on the few days' rows read. The validation steps get the same by the date they ended (the town-wide view has no
 * department to lead with), and the unresolved requests' index covers what a backlog's age profile reads (the
 * policy's columns included: an index-only scan). Built CONCURRENTLY (10 M facts: writes go on); the commune-led ones
 * are dropped (nothing can use them). Reversible.
 */
export class ReportingDatesFirst1763800004000 implements MigrationInterface {
  name = 'ReportingDatesFirst1763800004000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, col] of DATES)
      await q.query(
        `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON report_ticket_facts (${col})${col === 'received_at' ? '' : ` WHERE ${col} IS NOT NULL`}`,
      );
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS report_step_facts_left ON report_step_facts (left_at)`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS report_facts_unresolved ON report_ticket_facts (department_id, received_at)
       INCLUDE (commune_id, ticket_id) WHERE resolved_at IS NULL`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS report_facts_open`);
    for (const [, , communeLed] of DATES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${communeLed}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [, col, communeLed] of DATES)
      await q.query(
        `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${communeLed} ON report_ticket_facts (commune_id, ${col})${col === 'received_at' ? '' : ` WHERE ${col} IS NOT NULL`}`,
      );
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS report_facts_open ON report_ticket_facts (department_id, received_at) WHERE resolved_at IS NULL`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS report_facts_unresolved`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS report_step_facts_left`);
    for (const [name] of DATES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
}
