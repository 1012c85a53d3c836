import { MigrationInterface, QueryRunner } from 'typeorm';

/** The facts' columns the cube's fold reads (1763800002400's `report_cube_fold`): a change elsewhere moves no cell. */
const FOLDED = [
  'commune_id',
  'department_id',
  'category_id',
  'channel',
  'priority',
  'area',
  'received_at',
  'first_response_at',
  'resolved_at',
  'closed_at',
  'reopen_count',
  'sla_first_response',
  'sla_first_response_at',
  'sla_resolution',
  'sla_resolution_at',
  'breaches',
  'escalations',
  'circuit',
  'duplicate',
  'first_response_business_minutes',
  'first_response_days',
  'resolution_business_minutes',
  'resolution_days',
];
const row = (t: string) => `(${FOLDED.map((c) => `${t}.${c}`).join(', ')})`;
const BATCH = 5000;

/**
 * The request's reference in its facts (issue 11, the per-request export at scale): the export of a large
 * department's year (266,000 requests at 10 M) read the reference from `tickets` by its key, one random read of
 * the big table per line — 1.7 s of the query's 2.8 s warm, 3 s of 4.1 cold (EXPLAIN ANALYZE as grc_app). A
 * reference never changes once given, so the facts can carry it; the refresh and the rebuild write it.
 *
 * The cube's UPDATE trigger now folds only the rows whose folded columns changed (old and new paired by
 * ticket): a refresh of a request whose figures did not move (a note, an assignment) costs the cube nothing,
 * and the backfill below — which changes only `reference` — moves no cell. Before, every updated row was taken
 * out of its cells and put back.
 *
 * The town's backlog by age (a DGS's dashboard): the requests not resolved yet, received in the last 90 days, read
 * from an index of their own led by the date (`report_facts_open_received`, built CONCURRENTLY); the departments'
 * one (`report_facts_unresolved`, led by the department) served a head but made the whole town read 90 days of
 * facts (404,000 rows, 360 ms at 10 M; 70 ms from the index alone).
 *
 * The backfill runs outside a transaction (a 10 M-row table: no lock held for more than one batch's
 * statement), commune by commune (the facts' and the requests' policies are forced, a migration sets no
 * commune otherwise), by ranges of `ticket_id` of BATCH rows. Rows written by a refresh meanwhile carry their
 * reference already. Run again (a failed upgrade), it fills what is left. At 10 M requests: 19 minutes (8,700
 * rows/s), the table's size doubled until VACUUM reuses the space. Reversible.
 */
export class FactsReference1763800004030 implements MigrationInterface {
  name = 'FactsReference1763800004030';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '5s'`);
    await q.query(`ALTER TABLE report_ticket_facts ADD COLUMN IF NOT EXISTS reference varchar(40)`);
    await q.query(`CREATE OR REPLACE FUNCTION report_cube_follow() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          -- the rows whose folded columns changed, before and after; the others move no cell
          PERFORM report_cube_fold(-1, ARRAY(SELECT o::report_ticket_facts FROM report_facts_old o
            JOIN report_facts_new n ON n.ticket_id = o.ticket_id WHERE ${row('o')} IS DISTINCT FROM ${row('n')}));
          PERFORM report_cube_fold(1, ARRAY(SELECT n::report_ticket_facts FROM report_facts_new n
            JOIN report_facts_old o ON o.ticket_id = n.ticket_id WHERE ${row('o')} IS DISTINCT FROM ${row('n')}));
          RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' THEN PERFORM report_cube_fold(-1, ARRAY(SELECT o::report_ticket_facts FROM report_facts_old o)); END IF;
        IF TG_OP = 'INSERT' THEN PERFORM report_cube_fold(1, ARRAY(SELECT n::report_ticket_facts FROM report_facts_new n)); END IF;
        RETURN NULL;
      END $fn$`);
    await q.query(`RESET lock_timeout`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS report_facts_open_received ON report_ticket_facts (received_at)
      INCLUDE (commune_id, department_id, ticket_id) WHERE resolved_at IS NULL`);
    const communes: Array<{ id: string; plain: string }> = await q.query(
      `SELECT id::text, CASE WHEN kind = 'metropole' THEN '' ELSE id::text END AS plain FROM communes ORDER BY code`,
    );
    for (const c of communes) {
      // as the connection layer sets them (database/tenancy.ts)
      await q.query(`SELECT set_config('grc.commune', $1, false), set_config('grc.plain_commune', $2, false)`, [c.id, c.plain]);
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const [r] = await q.query(
          `SELECT b.ticket_id::text AS last FROM (SELECT ticket_id FROM report_ticket_facts
             WHERE commune_id = $1 AND ticket_id > $2 ORDER BY ticket_id LIMIT ${BATCH}) b ORDER BY b.ticket_id DESC LIMIT 1`,
          [c.id, after],
        );
        if (!r?.last) break;
        await q.query(
          `UPDATE report_ticket_facts f SET reference = t.reference FROM tickets t
           WHERE f.commune_id = $1 AND f.ticket_id > $2 AND f.ticket_id <= $3 AND f.reference IS NULL AND t.id = f.ticket_id`,
          [c.id, after, r.last],
        );
        after = r.last;
      }
    }
    await q.query(`SELECT set_config('grc.commune', '', false), set_config('grc.plain_commune', '', false)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS report_facts_open_received`);
    await q.query(`SET lock_timeout = '5s'`);
    await q.query(`CREATE OR REPLACE FUNCTION report_cube_follow() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_cube_fold(-1, ARRAY(SELECT o::report_ticket_facts FROM report_facts_old o)); END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM report_cube_fold(1, ARRAY(SELECT n::report_ticket_facts FROM report_facts_new n)); END IF;
        RETURN NULL;
      END $fn$`);
    await q.query(`ALTER TABLE report_ticket_facts DROP COLUMN IF EXISTS reference`);
    await q.query(`RESET lock_timeout`);
  }
}
