import { MigrationInterface, QueryRunner } from 'typeorm';

/** The retention purge's sweep asks which stored files an attachment row still names: by storage key. */
export class AttachmentKeys1763800001010 implements MigrationInterface {
  name = 'AttachmentKeys1763800001010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS attachments_storage_key ON attachments (storage_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS attachments_storage_key`);
  }
}
