import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Validates the tenant tables' `commune_id` foreign keys added NOT VALID by 1763800001090, in a
 * transaction of its own: VALIDATE CONSTRAINT scans the table under a SHARE UPDATE EXCLUSIVE lock, which
 * lets reads and writes go on (in 925's transaction the tables' ACCESS EXCLUSIVE locks would be held
 * during the scan of every row).
 */
/** The tables this migration scoped, frozen (database/tenancy.ts TENANT_TABLES grows with later migrations). */
const TENANT_TABLES = [
  'departments',
  'categories',
  'routing_rules',
  'category_attributes',
  'citizens',
  'tickets',
  'ticket_events',
  'attachments',
] as const;

export class CommunesValidate1763800001100 implements MigrationInterface {
  name = 'CommunesValidate1763800001100';

  async up(q: QueryRunner): Promise<void> {
    for (const t of TENANT_TABLES) await q.query(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_commune_fk`);
  }

  async down(): Promise<void> {
    // a validated constraint stays valid: nothing to undo (925's down drops it with the column)
  }
}
