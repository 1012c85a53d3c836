import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DPO's view (issue 10):
 * - the `dpo` role (délégué à la protection des données) for agents;
 * - `citizen_revisions`: the values of a person's personal fields before and after each change, kept
 *   in the citizen's own history only (the audit trail records those fields as "changed"); whole rows
 *   are removed when the person is anonymised (libs/domain/src/rgpd/personal-data.ts);
 * - indexes for the audit viewer's filters, each ending with the keyset's sort keys (at, id).
 */
export class Dpo1763800000860 implements MigrationInterface {
  name = 'Dpo1763800000860';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_role_check`);
    await q.query(`ALTER TABLE agents ADD CONSTRAINT agents_role_check CHECK (role IN ('agent', 'head', 'admin', 'elected', 'dpo'))`);

    await q.query(`CREATE TABLE citizen_revisions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      citizen_id uuid NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
      ticket_id uuid REFERENCES tickets(id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      action varchar(64) NOT NULL,
      changes jsonb NOT NULL)`);
    await q.query(`CREATE INDEX citizen_revisions_citizen ON citizen_revisions (citizen_id, at)`);
    await q.query(`CREATE INDEX citizen_revisions_ticket ON citizen_revisions (ticket_id) WHERE ticket_id IS NOT NULL`);

    // the viewer: newest first, by (at, id); filters by action, by actor, by record, or none
    await q.query(`CREATE INDEX audit_events_at ON audit_events (at, id)`);
    await q.query(`CREATE INDEX audit_events_action_at ON audit_events (action, at, id)`);
    await q.query(`DROP INDEX IF EXISTS audit_events_actor`);
    await q.query(`CREATE INDEX audit_events_actor ON audit_events (actor_id, at, id)`);
    await q.query(`DROP INDEX IF EXISTS audit_events_entity`);
    await q.query(`CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_events_entity`);
    await q.query(`CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, at)`);
    await q.query(`DROP INDEX IF EXISTS audit_events_actor`);
    await q.query(`CREATE INDEX audit_events_actor ON audit_events (actor_id, at)`);
    await q.query(`DROP INDEX IF EXISTS audit_events_action_at`);
    await q.query(`DROP INDEX IF EXISTS audit_events_at`);
    await q.query(`DROP TABLE IF EXISTS citizen_revisions`);
    await q.query(`DELETE FROM agents WHERE role = 'dpo'`);
    await q.query(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_role_check`);
    await q.query(`ALTER TABLE agents ADD CONSTRAINT agents_role_check CHECK (role IN ('agent', 'head', 'admin', 'elected'))`);
  }
}
