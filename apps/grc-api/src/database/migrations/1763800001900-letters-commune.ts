import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replies by post (1763800001200) belong to the commune of their request, like the outbox they parallel:
 * `ticket_letters` gets `commune_id` and the forced policy of every tenant table (1763800001400 did the
 * others; the two branches met after both). The foreign key is added NOT VALID and validated at once: the
 * table is new and small (letters waiting to be printed), so the scan is short.
 */
export class LettersCommune1763800001900 implements MigrationInterface {
  name = 'LettersCommune1763800001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    const [row]: Array<{ id: string } | undefined> = await q.query(`SELECT id FROM communes WHERE is_default`);
    if (row) await q.query(`ALTER TABLE ticket_letters ADD COLUMN commune_id uuid NOT NULL DEFAULT '${row.id}'::uuid`);
    else await q.query(`ALTER TABLE ticket_letters ADD COLUMN commune_id uuid NOT NULL`);
    await q.query(`ALTER TABLE ticket_letters ALTER COLUMN commune_id SET DEFAULT grc_row_commune()`);
    await q.query(
      `ALTER TABLE ticket_letters ADD CONSTRAINT ticket_letters_commune_fk FOREIGN KEY (commune_id) REFERENCES communes(id) NOT VALID`,
    );
    await q.query(`ALTER TABLE ticket_letters VALIDATE CONSTRAINT ticket_letters_commune_fk`);
    await q.query(`ALTER TABLE ticket_letters ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE ticket_letters FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY ticket_letters_commune ON ticket_letters
      USING (commune_id = (SELECT grc_commune())) WITH CHECK (commune_id = (SELECT grc_commune()))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS ticket_letters_commune ON ticket_letters`);
    await q.query(`ALTER TABLE ticket_letters NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE ticket_letters DISABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE ticket_letters DROP COLUMN IF EXISTS commune_id`);
  }
}
