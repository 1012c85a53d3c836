import { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureIndexableUnderRls } from '../rls-indexable';

/**
 * The places' indexes under row-level security (bench/places.mjs at 1 M requests and 500,000 addresses):
 * `to_tsvector` (the address search's words index, else every keystroke read the whole table of streets:
 * 25 ms at 10,000 streets) and `point(…)` with `<@` (the map's GiST index on the requests' positions, else
 * every viewport read every open request: 104 ms for an empty street-level box) join the LEAKPROOF
 * functions of database/rls-indexable.ts. Every `grc migrate` asserts the whole list again; this migration
 * does it for databases migrated by other means (the tests' template).
 */
export class RlsIndexablePlaces1763800002300 implements MigrationInterface {
  name = 'RlsIndexablePlaces1763800002300';

  async up(q: QueryRunner): Promise<void> {
    await ensureIndexableUnderRls(q);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ superuser }] = await q.query(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    if (superuser)
      for (const f of ['to_tsvector(regconfig, text)', 'point(double precision, double precision)', 'on_pb(point, box)'])
        await q.query(`ALTER FUNCTION ${f} NOT LEAKPROOF`);
  }
}
