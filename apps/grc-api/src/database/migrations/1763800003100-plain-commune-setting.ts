import { MigrationInterface, QueryRunner } from 'typeorm';
// the tables whose rows the trigger of 1763800002500 files under the request's commune
import { FILED_TABLES } from './1763800002500-ticket-rows-commune';

/**
 * A commune's connection stops asking "is my commune a métropole?" row by row.
 *
 * The connection layer (database/tenancy.ts) now sets, with `grc.commune`, a second setting `grc.plain_commune`:
 * the same id when that commune is not a métropole, '' when it is. A commune's kind never changes once created
 * (the communes screen creates communes, packs create métropoles), so the answer holds for the connection.
 *
 * - The row trigger of 1763800002500 (`<table>_ticket_commune`, BEFORE INSERT on the request's rows: timeline,
 *   audit trail, clocks, timers, outbox…) looked `communes` up for every inserted row before returning at once for
 *   a commune. Its `WHEN` now compares the two settings: equal means a plain commune, the function is not even
 *   called. Measured on the 1 M-request anonymisation bench (EXPLAIN ANALYZE as grc_app, 500 rows inserted):
 *   10–36 µs a row for the trigger on `ticket_events` and `audit_events`, paid by every write of every request.
 * - `grc_shared_departments()` (every policy of a request's rows calls it, once per statement) answers '{}' from
 *   the settings alone for a plain commune.
 * Anything that sets `grc.commune` without the connection layer (a test, a superuser's session, a pack's
 * transaction-local commune) leaves the two different or `grc.plain_commune` unset: the full check runs, as
 * before. Same results for every connection; reversible.
 */

const PLAIN = `current_setting('grc.plain_commune', true) = current_setting('grc.commune', true)`;

const sharedDepartments = (fastPath: boolean) => `CREATE OR REPLACE FUNCTION grc_shared_departments() RETURNS uuid[]
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $f$ BEGIN
    ${fastPath ? `IF ${PLAIN} THEN RETURN '{}'::uuid[]; END IF;` : ''}
    RETURN (SELECT CASE WHEN EXISTS (SELECT 1 FROM communes WHERE id = grc_commune() AND kind = 'metropole')
               THEN (SELECT coalesce(array_agg(d.id), '{}') FROM departments d WHERE d.commune_id = grc_commune() AND d.shared)
               ELSE '{}'::uuid[] END);
  END $f$`;

export class PlainCommuneSetting1763800003100 implements MigrationInterface {
  name = 'PlainCommuneSetting1763800003100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    for (const t of FILED_TABLES) {
      await q.query(`DROP TRIGGER IF EXISTS ${t}_ticket_commune ON ${t}`);
      await q.query(`CREATE TRIGGER ${t}_ticket_commune BEFORE INSERT ON ${t} FOR EACH ROW
        WHEN (grc_commune() IS NOT NULL AND current_setting('grc.plain_commune', true) IS DISTINCT FROM current_setting('grc.commune', true))
        EXECUTE FUNCTION grc_ticket_row_commune()`);
    }
    await q.query(sharedDepartments(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    for (const t of FILED_TABLES) {
      await q.query(`DROP TRIGGER IF EXISTS ${t}_ticket_commune ON ${t}`);
      await q.query(`CREATE TRIGGER ${t}_ticket_commune BEFORE INSERT ON ${t} FOR EACH ROW WHEN (grc_commune() IS NOT NULL)
        EXECUTE FUNCTION grc_ticket_row_commune()`);
    }
    await q.query(sharedDepartments(false));
  }
}
