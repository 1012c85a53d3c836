import { MigrationInterface, QueryRunner } from 'typeorm';

const SHARED = `(SELECT grc_shared_departments())::uuid[]`;
const CUBE_TABLES = ['report_cube', 'report_cube_durations'] as const;

/**
 * A métropole's figures of whole months count its shared services' requests of every commune (issue 11 × 15).
 *
 * The facts of a commune's request to a métropole's shared service are the commune's (1763800002500), and so are
 * their cells of the monthly cube (1763800002400: each commune's cube is folded from its own facts). The facts
 * have a second policy that lets the métropole read its shared departments' rows; the cube had none, so a
 * métropole's dashboard read those requests for the partial days at a period's ends (the facts) and not for its
 * whole months (the cube): 0 received over a year of Val-Fleuri's bulky-waste requests in the demo, 7 with one
 * more day. The same read-only policy on the cube's two tables (a commune's connection has no shared department:
 * `cardinality` is 0 and the rest is not evaluated); writing stays each commune's own (the first policy). Reversible.
 */
export class CubeSharedPolicy1763800004020 implements MigrationInterface {
  name = 'CubeSharedPolicy1763800004020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    for (const t of CUBE_TABLES)
      await q.query(`CREATE POLICY ${t}_shared ON ${t} FOR SELECT
        USING (cardinality(${SHARED}) > 0 AND department_id = ANY (${SHARED}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    for (const t of CUBE_TABLES) await q.query(`DROP POLICY IF EXISTS ${t}_shared ON ${t}`);
  }
}
