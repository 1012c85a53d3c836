import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake speed (issue 16): an acknowledgement's language is the request's, else the requester's latest
 * request that has one (OutboxRepository.context). Most requests have none (agents' entries), so that lookup
 * walked the requester's whole history on `tickets_citizen`: its cost grew with every request of a business
 * or an association. This partial index holds only the requests that have a language: one probe, whatever the
 * history.
 */
export class IntakeLocaleIndex1763800001080 implements MigrationInterface {
  name = 'IntakeLocaleIndex1763800001080';
  // `tickets` is the big table: built CONCURRENTLY (writes go on meanwhile), so outside a transaction
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_citizen_locale ON tickets (citizen_id, created_at DESC) INCLUDE (locale) WHERE locale IS NOT NULL AND citizen_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_citizen_locale`);
  }
}
