import { MigrationInterface, QueryRunner } from 'typeorm';
import { SCOPED_1400 } from './1763800001400-communes-scope-all';

/**
 * Validates the foreign keys 1763800001400 added NOT VALID (each table's `commune_id`, and a circuit
 * instance's definition within its commune), in a transaction of its own: VALIDATE CONSTRAINT scans the
 * table under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on.
 */
export class CommunesScopeAllValidate1763800001410 implements MigrationInterface {
  name = 'CommunesScopeAllValidate1763800001410';

  async up(q: QueryRunner): Promise<void> {
    for (const t of SCOPED_1400) await q.query(`ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_commune_fk`);
    await q.query(`ALTER TABLE ticket_workflows VALIDATE CONSTRAINT ticket_workflows_definition_fk`);
  }

  async down(): Promise<void> {
    // a validated constraint stays valid: nothing to undo (1400's down drops it)
  }
}
