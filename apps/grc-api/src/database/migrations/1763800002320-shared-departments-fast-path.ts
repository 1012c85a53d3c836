import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `grc_shared_departments()` (migration 1763800002000) asks `communes` first: a commune's connection — every
 * statement of every commune that is not a métropole — then reads one row of a table without policy and stops,
 * rather than reading `departments` under its own policies (whose InitPlans call `grc_metropole()` in turn).
 * The policies call it up to three times per inbox statement: 0.2–0.5 ms each, about 0.9 of the inbox's 2.5 ms
 * at 1 M requests (EXPLAIN ANALYZE as grc_app: 2.5 → 1.3 ms; bench/run.mjs --rls-compare measured RLS on
 * +21 to +33 % before). Same result for every connection; reversible.
 */
export class SharedDepartmentsFastPath1763800002320 implements MigrationInterface {
  name = 'SharedDepartmentsFastPath1763800002320';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION grc_shared_departments() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN EXISTS (SELECT 1 FROM communes WHERE id = grc_commune() AND kind = 'metropole')
               THEN (SELECT coalesce(array_agg(d.id), '{}') FROM departments d WHERE d.commune_id = grc_commune() AND d.shared)
               ELSE '{}'::uuid[] END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION grc_shared_departments() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT coalesce(array_agg(d.id), '{}') FROM departments d JOIN communes c ON c.id = d.commune_id
            WHERE d.commune_id = grc_commune() AND d.shared AND c.kind = 'metropole' $$`);
  }
}
