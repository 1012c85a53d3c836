import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A métropole's agents (and the worker, as the métropole) working on a commune's request of a shared service
 * (1763800002000): every row their work adds about the request is the request's commune's, as its timeline
 * events already are (1763800002020) — its SLA clocks, timers, notifications, outbox, letters, circuit,
 * tracking keys, figures' marks, files, the citizen's revisions and the audit trail's `ticket` entries — so that the commune's
 * administrator and DPO read the whole trail of their requests and each commune's data stays together.
 *
 * - at the source: a `BEFORE INSERT` trigger, `grc_ticket_row_commune()`, files such a row under its request's
 *   commune when the connection's commune is a métropole (a commune's connection sees its own requests only:
 *   the trigger returns at once). The column's default (`grc_row_commune()`) stays for every other row.
 * - the métropole keeps working on those rows: a permissive policy per table lets it read and change the rows
 *   of the requests of its shared departments, and write them only under the request's commune (the audit
 *   trail: read and append). Each first tests that the connection has shared departments at all, so a
 *   commune's connection never runs the sub-query (like `ticket_events_shared`).
 * - the figures' rows (`report_ticket_facts`, `report_step_facts`) are written by each commune's own pass
 *   (the métropole's pass takes its own marks only); the métropole reads those of its shared departments.
 * - the rows filed under a métropole before are moved to their request's commune, as the métropole (the
 *   policies above let it), without locking a table; its figures' rows are dropped and their requests marked
 *   for their commune's next pass. Audit entries are append-only: earlier ones stay where they were filed (timeline
 *   events were filed right since 1763800002020; files and citizens' revisions a métropole added stay too).
 */
const SHARED = `(SELECT grc_shared_departments())::uuid[]`;
const HAS_SHARED = `cardinality(${SHARED}) > 0`;
const seen = (t: string) =>
  `${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${t}.ticket_id AND t.department_id = ANY (${SHARED}))`;
const filed = (t: string) =>
  `${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${t}.ticket_id AND t.commune_id = ${t}.commune_id AND t.department_id = ANY (${SHARED}))`;

/** rows of a request the métropole reads, changes and files (under the request's commune) */
const WORK_TABLES = [
  'ticket_sla',
  'timers',
  'notifications',
  'mail_outbox',
  'ticket_letters',
  'ticket_workflows',
  'ticket_tracking_keys',
  'report_dirty',
] as const;
/** rows the trigger files under the request's commune */
export const FILED_TABLES = [...WORK_TABLES, 'ticket_events', 'attachments', 'citizen_revisions', 'audit_events'] as const;
const AUDIT_TICKET = (t: string) =>
  `CASE WHEN ${t}.entity_type = 'ticket' AND ${t}.entity_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN ${t}.entity_id::uuid END`;

/**
 * The rows a métropole filed under itself about its communes' requests (before this migration), moved to their
 * request's commune, as the métropole (the policies above let it; no table lock) — those of requests still in its shared
 * departments —; its figures' rows are dropped and their requests marked for their commune's next pass. Exported
 * for test/metropole.spec.ts.
 */
export async function refileMetropoleRows(q: Pick<QueryRunner, 'query'>): Promise<void> {
  const metropoles: Array<{ id: string }> = await q.query(`SELECT id FROM communes WHERE kind = 'metropole' ORDER BY code`);
  for (const { id } of metropoles) {
    await q.query(`SELECT set_config('grc.commune', $1, true)`, [id]);
    for (const t of WORK_TABLES)
      await q.query(`UPDATE ${t} x SET commune_id = t.commune_id FROM tickets t
        WHERE t.id = x.ticket_id AND x.commune_id = grc_commune() AND t.commune_id <> x.commune_id
          AND t.department_id = ANY ((SELECT grc_shared_departments())::uuid[])`);
    const moved: Array<{ ticket_id: string }> = await q.query(`WITH f AS (
        DELETE FROM report_ticket_facts f USING tickets t
        WHERE t.id = f.ticket_id AND f.commune_id = grc_commune() AND t.commune_id <> f.commune_id RETURNING f.ticket_id)
      , s AS (DELETE FROM report_step_facts s USING tickets t
        WHERE t.id = s.ticket_id AND s.commune_id = grc_commune() AND t.commune_id <> s.commune_id RETURNING s.ticket_id)
      SELECT ticket_id FROM f UNION SELECT ticket_id FROM s`);
    if (moved.length)
      await q.query(
        `INSERT INTO report_dirty (ticket_id) SELECT unnest($1::uuid[]) ON CONFLICT (ticket_id) DO UPDATE SET marked_at = now()`,
        [moved.map((r) => r.ticket_id)],
      );
  }
  await q.query(`SELECT set_config('grc.commune', '', true)`);
}

export class TicketRowsCommune1763800002500 implements MigrationInterface {
  name = 'TicketRowsCommune1763800002500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`CREATE FUNCTION grc_ticket_row_commune() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ticket uuid;
        commune uuid;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM communes WHERE id = grc_commune() AND kind = 'metropole') THEN
          RETURN NEW;
        END IF;
        IF TG_TABLE_NAME = 'audit_events' THEN
          ticket := ${AUDIT_TICKET('NEW')};
        ELSE
          ticket := NEW.ticket_id;
        END IF;
        IF ticket IS NOT NULL THEN
          SELECT t.commune_id INTO commune FROM tickets t WHERE t.id = ticket;
          IF commune IS NOT NULL THEN
            NEW.commune_id := commune;
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    for (const t of FILED_TABLES)
      // not for a connection without a commune (a superuser's seed: the column's default, the default commune)
      await q.query(`CREATE TRIGGER ${t}_ticket_commune BEFORE INSERT ON ${t} FOR EACH ROW WHEN (grc_commune() IS NOT NULL)
        EXECUTE FUNCTION grc_ticket_row_commune()`);
    for (const t of WORK_TABLES) await q.query(`CREATE POLICY ${t}_shared_work ON ${t} USING (${seen(t)}) WITH CHECK (${filed(t)})`);
    // files, and the citizen's history of personal values changed on the request (the DPO's): filed, not read
    for (const t of ['attachments', 'citizen_revisions'])
      await q.query(`CREATE POLICY ${t}_shared_file ON ${t} FOR INSERT WITH CHECK (${filed(t)})`);
    for (const t of ['report_ticket_facts', 'report_step_facts'])
      await q.query(`CREATE POLICY ${t}_shared ON ${t} FOR SELECT USING (${seen(t)})`);
    const auditTicket = (check: boolean) =>
      `${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${AUDIT_TICKET('audit_events')}
         ${check ? 'AND t.commune_id = audit_events.commune_id' : ''} AND t.department_id = ANY (${SHARED}))`;
    await q.query(`CREATE POLICY audit_events_shared ON audit_events FOR SELECT USING (${auditTicket(false)})`);
    await q.query(`CREATE POLICY audit_events_shared_file ON audit_events FOR INSERT WITH CHECK (${auditTicket(true)})`);

    await refileMetropoleRows(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS audit_events_shared_file ON audit_events`);
    await q.query(`DROP POLICY IF EXISTS audit_events_shared ON audit_events`);
    for (const t of ['report_ticket_facts', 'report_step_facts']) await q.query(`DROP POLICY IF EXISTS ${t}_shared ON ${t}`);
    for (const t of ['attachments', 'citizen_revisions']) await q.query(`DROP POLICY IF EXISTS ${t}_shared_file ON ${t}`);
    for (const t of WORK_TABLES) await q.query(`DROP POLICY IF EXISTS ${t}_shared_work ON ${t}`);
    for (const t of FILED_TABLES) await q.query(`DROP TRIGGER IF EXISTS ${t}_ticket_commune ON ${t}`);
    await q.query(`DROP FUNCTION IF EXISTS grc_ticket_row_commune()`);
  }
}
