import { MigrationInterface, QueryRunner } from 'typeorm';
import { ensureIndexableUnderRls } from '../rls-indexable';

/**
 * The address search's words index (`to_tsvector('simple', search)`, address_streets) under row-level
 * security: `to_tsvector` joins the LEAKPROOF functions of database/rls-indexable.ts, else every
 * search-as-you-type read the whole table of streets (25 ms at 10,000 streets, bench/places.mjs). Every
 * `grc migrate` asserts the whole list again; this migration does it for installs migrated by other means.
 */
export class RlsIndexableAddresses1763800002300 implements MigrationInterface {
  name = 'RlsIndexableAddresses1763800002300';

  async up(q: QueryRunner): Promise<void> {
    await ensureIndexableUnderRls(q);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ superuser }] = await q.query(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    if (superuser) await q.query(`ALTER FUNCTION to_tsvector(regconfig, text) NOT LEAKPROOF`);
  }
}
