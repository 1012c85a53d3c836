import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Validation circuits (libs/workflows): versioned definitions (one draft at most per code, published
 * versions frozen), their bindings to categories and departments, the running instance of each
 * ticket (the engine's state as JSONB; the ticket's row version guards concurrent actions), and
 * delegations of approvals for a period. Adds the `elected` (élu) role to agents.
 */
export class Workflows1763800000300 implements MigrationInterface {
  name = 'Workflows1763800000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_role_check`);
    await q.query(`ALTER TABLE agents ADD CONSTRAINT agents_role_check CHECK (role IN ('agent', 'head', 'admin', 'elected'))`);

    await q.query(`CREATE TABLE workflow_definitions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL CHECK (code ~ '^[a-z][a-z0-9_-]*$'),
      version integer NOT NULL CHECK (version > 0),
      status varchar(16) NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
      name varchar(200) NOT NULL,
      definition jsonb NOT NULL,
      created_by uuid REFERENCES agents(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      UNIQUE (code, version),
      CHECK ((status = 'draft') = (published_at IS NULL)))`);
    // at most one draft per code
    await q.query(`CREATE UNIQUE INDEX workflow_definitions_one_draft ON workflow_definitions (code) WHERE status = 'draft'`);

    await q.query(`CREATE TABLE workflow_bindings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      category_id uuid REFERENCES categories(id) ON DELETE CASCADE,
      department_id uuid REFERENCES departments(id) ON DELETE CASCADE,
      definition_code varchar(64) NOT NULL,
      created_by uuid REFERENCES agents(id),
      created_at timestamptz NOT NULL DEFAULT now())`);
    // one binding per (category, department) pair, nulls included
    await q.query(`CREATE UNIQUE INDEX workflow_bindings_scope ON workflow_bindings (
      coalesce(category_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(department_id, '00000000-0000-0000-0000-000000000000'::uuid))`);

    await q.query(`CREATE TABLE ticket_workflows (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      definition_code varchar(64) NOT NULL,
      version integer NOT NULL,
      state jsonb NOT NULL,
      status varchar(16) NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
      step_id varchar(64) NOT NULL,
      step_kind varchar(32) NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (definition_code, version) REFERENCES workflow_definitions (code, version))`);
    await q.query(`CREATE INDEX ticket_workflows_active ON ticket_workflows (step_kind, updated_at) WHERE status = 'active'`);
    await q.query(`CREATE INDEX ticket_workflows_definition ON ticket_workflows (definition_code, version)`);

    await q.query(`CREATE TABLE delegations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      from_agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      to_agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      created_by uuid REFERENCES agents(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CHECK (from_agent_id <> to_agent_id),
      CHECK (ends_at > starts_at))`);
    await q.query(`CREATE INDEX delegations_to ON delegations (to_agent_id, ends_at) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX delegations_from ON delegations (from_agent_id, ends_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['delegations', 'ticket_workflows', 'workflow_bindings', 'workflow_definitions'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DELETE FROM agents WHERE role = 'elected'`);
    await q.query(`ALTER TABLE agents DROP CONSTRAINT IF EXISTS agents_role_check`);
    await q.query(`ALTER TABLE agents ADD CONSTRAINT agents_role_check CHECK (role IN ('agent', 'head', 'admin'))`);
  }
}
