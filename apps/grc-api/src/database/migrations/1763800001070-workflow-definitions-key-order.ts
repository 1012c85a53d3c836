import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Circuits keep their keys in the author's order (issue 14, the visual editor): `jsonb` stores an
 * object's keys sorted by length, so a definition came back — and was exported as YAML — in another
 * order than written. `json` keeps the text as saved; the reads (`->`, `->>`) work the same.
 * Versions stored before keep the order jsonb gave them.
 */
export class WorkflowDefinitionsKeyOrder1763800001070 implements MigrationInterface {
  name = 'WorkflowDefinitionsKeyOrder1763800001070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow_definitions ALTER COLUMN definition TYPE json USING definition::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow_definitions ALTER COLUMN definition TYPE jsonb USING definition::jsonb`);
  }
}
