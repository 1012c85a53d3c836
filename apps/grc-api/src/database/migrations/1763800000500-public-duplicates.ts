import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The citizen side and duplicates.
 * - ticket_tracking_keys: the secrets of tracking links (only their SHA-256). Several per ticket, so that
 *   the link shown after the public form and the one in an acknowledgement e-mail both keep working.
 * - tickets.master_ticket_id: a follower points to its master (one level: a master follows nobody);
 *   linked_from_status keeps the follower's status at link time, restored on unlink.
 * - trigram index on the subject and an index of open tickets per category for the duplicate candidates.
 */
export class PublicDuplicates1763800000500 implements MigrationInterface {
  name = 'PublicDuplicates1763800000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ticket_tracking_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      key_hash char(64) NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX ticket_tracking_keys_ticket ON ticket_tracking_keys (ticket_id)`);

    await q.query(`ALTER TABLE tickets
      ADD COLUMN master_ticket_id uuid REFERENCES tickets(id) ON DELETE SET NULL,
      ADD COLUMN linked_from_status varchar(20),
      ADD CONSTRAINT tickets_master_not_self CHECK (master_ticket_id IS NULL OR master_ticket_id <> id)`);
    await q.query(`CREATE INDEX tickets_master ON tickets (master_ticket_id) WHERE master_ticket_id IS NOT NULL`);
    await q.query(`CREATE INDEX tickets_open_category ON tickets (category_id, created_at DESC)
      WHERE status IN ('new', 'open', 'waiting_citizen')`);
    await q.query(`CREATE INDEX tickets_subject_trgm ON tickets USING gin (lower(grc_unaccent(subject)) gin_trgm_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS tickets_subject_trgm`);
    await q.query(`DROP INDEX IF EXISTS tickets_open_category`);
    await q.query(`DROP INDEX IF EXISTS tickets_master`);
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_master_not_self,
      DROP COLUMN IF EXISTS linked_from_status, DROP COLUMN IF EXISTS master_ticket_id`);
    await q.query(`DROP TABLE IF EXISTS ticket_tracking_keys`);
  }
}
