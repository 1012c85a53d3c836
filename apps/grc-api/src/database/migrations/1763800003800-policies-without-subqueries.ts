import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policies of the inbox's reference tables stop carrying sub-selects (issue 15: the cost of row-level security).
 *
 * Every statement that reads `categories` or `citizens` (the inbox's page and its full-text search join both) had
 * the planner plan, besides the statement, the sub-selects of their métropole policies: `categories_metropole`'s
 * EXISTS on `departments` (with the departments' own policies inside), and `citizens_shared`'s EXISTS on `tickets`
 * (the 21 indexes of `tickets` considered, and the tickets' policies inside) — on every statement, for every
 * commune, although a plain commune's connection never runs them. They become calls of STABLE PL/pgSQL functions,
 * never inlined: the planner sees one InitPlan (or one function call) where it planned a sub-query.
 * Measured on the 1 M-request bench (EXPLAIN ANALYZE as grc_app, medians of 11 in three sessions, loaded machine):
 * planning of the inbox's first page 1.39 → 0.96 ms (row-level security off: 0.72 ms), of the full-text search
 * 1.42 → 1.09 ms (off 0.82 ms); interleaved on/off, the statements' overhead fell from about +44 % to +22 %
 * (bench/rls-ab.mjs, bench/README.md).
 *
 * Same rows for every connection (the functions run as the caller, under the same policies and the statement's
 * snapshot):
 * - `categories_metropole`: EXISTS (a visible shared department d with d.id = default_department_id) is
 *   default_department_id = ANY (the ids of the visible shared departments), `grc_visible_shared_departments()`;
 *   coalesce(…, false) keeps a commune without métropole from computing that list at all.
 * - `categories_shared`: `cardinality(s) > 0 AND x = ANY (s)` is `x = ANY (s)` (ANY of an empty array is false).
 * - `citizens_shared`: the EXISTS on tickets is `grc_citizen_shared(id, shared departments)`; the added
 *   `commune_id IS DISTINCT FROM grc_commune()` only skips it for the rows `citizens_commune` shows anyway (the
 *   policies are OR-ed). For a métropole's connection that function costs more per foreign row than the sub-plan
 *   did (~1.7× on 20,000 rows): only its member communes' citizens pay it, a commune's connection never does.
 * Reversible: down restores the sub-selects as they were.
 */
const SHARED = `(SELECT grc_shared_departments())::uuid[]`;

const BEFORE = {
  categories_metropole: `commune_id = (SELECT grc_metropole()) AND EXISTS (SELECT 1 FROM departments d WHERE d.id = categories.default_department_id AND d.shared)`,
  categories_shared: `cardinality((SELECT grc_shared_departments())) > 0 AND default_department_id = ANY (${SHARED})`,
  citizens_shared: `cardinality((SELECT grc_shared_departments())) > 0 AND EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = citizens.id AND t.department_id = ANY (${SHARED}))`,
};

const AFTER = {
  categories_metropole: `coalesce(commune_id = (SELECT grc_metropole()), false)
    AND default_department_id = ANY ((SELECT grc_visible_shared_departments())::uuid[])`,
  categories_shared: `default_department_id = ANY (${SHARED})`,
  citizens_shared: `cardinality((SELECT grc_shared_departments())) > 0 AND commune_id IS DISTINCT FROM (SELECT grc_commune())
    AND grc_citizen_shared(id, ${SHARED})`,
};

const TABLE: Record<keyof typeof BEFORE, string> = {
  categories_metropole: 'categories',
  categories_shared: 'categories',
  citizens_shared: 'citizens',
};

export class PoliciesWithoutSubqueries1763800003800 implements MigrationInterface {
  name = 'PoliciesWithoutSubqueries1763800003800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    // the departments the caller sees that are shared (its métropole's, through departments_metropole, or its own)
    await q.query(`CREATE FUNCTION grc_visible_shared_departments() RETURNS uuid[] LANGUAGE plpgsql STABLE PARALLEL SAFE
      AS $f$ BEGIN RETURN (SELECT coalesce(array_agg(d.id), '{}') FROM departments d WHERE d.shared); END $f$`);
    // whether one of the citizen's requests that the caller sees is in one of `shared` (the métropole's shared services)
    await q.query(`CREATE FUNCTION grc_citizen_shared(citizen uuid, shared uuid[]) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE
      AS $f$ BEGIN RETURN EXISTS (SELECT 1 FROM tickets t WHERE t.citizen_id = citizen AND t.department_id = ANY (shared)); END $f$`);
    for (const [policy, using] of Object.entries(AFTER))
      await q.query(`ALTER POLICY ${policy} ON ${TABLE[policy as keyof typeof AFTER]} USING (${using})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    for (const [policy, using] of Object.entries(BEFORE))
      await q.query(`ALTER POLICY ${policy} ON ${TABLE[policy as keyof typeof BEFORE]} USING (${using})`);
    await q.query(`DROP FUNCTION IF EXISTS grc_citizen_shared(uuid, uuid[])`);
    await q.query(`DROP FUNCTION IF EXISTS grc_visible_shared_departments()`);
  }
}
