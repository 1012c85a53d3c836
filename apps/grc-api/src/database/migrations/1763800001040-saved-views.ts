import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved views of the inbox (issue 13): an agent's filters + sort + columns, personal or shared by a head
 * with their departments (`shared_department_ids`). The agents' own settings: no citizen's data.
 */
export class SavedViews1763800001040 implements MigrationInterface {
  name = 'SavedViews1763800001040';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE saved_views (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      name varchar(80) NOT NULL,
      query jsonb NOT NULL DEFAULT '{}'::jsonb,
      columns text[] NOT NULL DEFAULT '{}',
      shared_department_ids uuid[] NOT NULL DEFAULT '{}',
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX saved_views_owner ON saved_views (owner_id, name)`);
    await q.query(`CREATE INDEX saved_views_shared ON saved_views USING gin (shared_department_ids)`);
    // the app's role (created by AppRole, which runs last on a new database; on an upgraded one it exists already)
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO grc_app;
      END IF;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS saved_views`);
  }
}
