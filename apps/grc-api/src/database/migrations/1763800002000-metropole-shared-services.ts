import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The métropole's shared services (issue 15): a department of a métropole (a commune of kind `metropole`,
 * the parent of its communes) flagged `shared` receives the requests of every member commune for the
 * categories that route to it (waste collection, encombrants…). Row-level security stays the net:
 *
 * - `grc_shared_departments()`: the shared departments of the connection's commune when it is a
 *   métropole, else none (`{}`). Read once per statement (`(SELECT …)`: an InitPlan), like `grc_commune()`.
 * - a second, permissive policy on `tickets` (PostgreSQL ORs it with the commune's): a row whose
 *   department is one of those. The inbox's plans do not change: they run on the department-led indexes
 *   and both policies are filters of one row; a commune's connection gets `{}`, so it still sees its
 *   commune's rows only — another commune's request in the shared department too is not its.
 * - read-only policies for what a shared request shows: its category (default department shared), its
 *   citizen, its timeline and its files (a request of a shared department) — each first tests that the
 *   connection has shared departments at all, so a commune's connection never runs the sub-query.
 * - a commune's connection sees its métropole's shared departments (`grc_metropole()`), read-only: the
 *   name of the department its request went to, and the target of its routing.
 *
 * `departments` is small: the column comes with a constant default (no rewrite). Reversible.
 */
// the cast makes it an array expression (an InitPlan), not `= ANY (sub-query)` over rows of arrays
const SHARED = `(SELECT grc_shared_departments())::uuid[]`;
const HAS_SHARED = `cardinality(${SHARED}) > 0`;

export class MetropoleSharedServices1763800002000 implements MigrationInterface {
  name = 'MetropoleSharedServices1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`ALTER TABLE departments ADD COLUMN shared boolean NOT NULL DEFAULT false`);
    // the métropole the connection's commune belongs to (communes is shared: no policy)
    await q.query(`CREATE FUNCTION grc_metropole() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT parent_id FROM communes WHERE id = grc_commune() $$`);
    await q.query(`CREATE FUNCTION grc_shared_departments() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_agg(d.id), '{}') FROM departments d JOIN communes c ON c.id = d.commune_id
            WHERE d.commune_id = grc_commune() AND d.shared AND c.kind = 'metropole' $$`);
    await q.query(`CREATE POLICY departments_metropole ON departments FOR SELECT
      USING (shared AND commune_id = (SELECT grc_metropole()))`);
    await q.query(`CREATE POLICY tickets_shared ON tickets
      USING (department_id = ANY (${SHARED})) WITH CHECK (department_id = ANY (${SHARED}))`);
    await q.query(`CREATE POLICY categories_shared ON categories FOR SELECT
      USING (${HAS_SHARED} AND default_department_id = ANY (${SHARED}))`);
    await q.query(`CREATE POLICY citizens_shared ON citizens FOR SELECT
      USING (${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = citizens.id AND t.department_id = ANY (${SHARED})))`);
    for (const t of ['ticket_events', 'attachments'])
      await q.query(`CREATE POLICY ${t}_shared ON ${t} FOR SELECT
        USING (${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${t}.ticket_id AND t.department_id = ANY (${SHARED})))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['attachments', 'ticket_events', 'citizens', 'categories', 'tickets'])
      await q.query(`DROP POLICY IF EXISTS ${t}_shared ON ${t}`);
    await q.query(`DROP POLICY IF EXISTS departments_metropole ON departments`);
    await q.query(`DROP FUNCTION IF EXISTS grc_shared_departments()`);
    await q.query(`DROP FUNCTION IF EXISTS grc_metropole()`);
    await q.query(`ALTER TABLE departments DROP COLUMN IF EXISTS shared`);
  }
}
