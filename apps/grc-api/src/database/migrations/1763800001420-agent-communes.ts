import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents belong to one or more communes (issue 15): `agent_communes`, shared by the install (it is read
 * before a request knows its commune: it says which communes the signed-in agent may work for), every
 * existing agent a member of the default commune. A session works for one of its agent's communes at a
 * time (`sessions.commune_id`; null: the agent's first, the default commune before any other), switched
 * from the console's shell (PUT /api/v1/auth/commune).
 */
export class AgentCommunes1763800001420 implements MigrationInterface {
  name = 'AgentCommunes1763800001420';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`CREATE TABLE agent_communes (
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      commune_id uuid NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agent_id, commune_id))`);
    await q.query(`CREATE INDEX agent_communes_commune ON agent_communes (commune_id)`);
    await q.query(
      `INSERT INTO agent_communes (agent_id, commune_id) SELECT a.id, c.id FROM agents a CROSS JOIN communes c WHERE c.is_default`,
    );
    await q.query(`ALTER TABLE sessions ADD COLUMN commune_id uuid REFERENCES communes(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions DROP COLUMN IF EXISTS commune_id`);
    await q.query(`DROP TABLE IF EXISTS agent_communes`);
  }
}
