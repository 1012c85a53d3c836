import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14, the first administrator without a password on a command line: `grc create-admin` prints a
 * sign-in link that works once and expires; only the token's SHA-256 is kept. Granted to the app role like
 * the other tables of the accounts (1763800000950 granted the tables that existed then).
 */
export class SignInLinks1763800001600 implements MigrationInterface {
  name = 'SignInLinks1763800001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sign_in_links (
      token_hash char(64) PRIMARY KEY,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at))`);
    await q.query(`CREATE INDEX sign_in_links_agent ON sign_in_links (agent_id)`);
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_links TO grc_app;
      END IF;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_links`);
  }
}
