import { MigrationInterface, QueryRunner } from 'typeorm';
import { LEAKPROOF_FUNCTIONS, ensureIndexableUnderRls } from '../rls-indexable';

/**
 * Keeps the indexes of full-text, e-mail and trigram conditions usable under row-level security
 * (database/rls-indexable.ts says why). Without a superuser the migration passes: the product stays
 * right but its searches scan, and `grc migrate` says so with the statements for a DBA, on every run.
 */
export class RlsIndexable1763800001110 implements MigrationInterface {
  name = 'RlsIndexable1763800001110';

  async up(q: QueryRunner): Promise<void> {
    await ensureIndexableUnderRls(q);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ superuser }] = await q.query(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    if (superuser) for (const f of LEAKPROOF_FUNCTIONS) await q.query(`ALTER FUNCTION ${f} NOT LEAKPROOF`);
  }
}
