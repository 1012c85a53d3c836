import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Local accounts (issue 10): forced password change, TOTP second factor with recovery codes, the
 * pending second step of a login, the town's security settings (one row) and what the sessions list
 * shows (an id to end one by, when it was last seen for the idle timeout).
 */
export class LocalAccounts1763800000880 implements MigrationInterface {
  name = 'LocalAccounts1763800000880';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agents
      ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
      ADD COLUMN password_changed_at timestamptz`);

    await q.query(`ALTER TABLE sessions
      ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
      ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE UNIQUE INDEX sessions_id ON sessions (id)`);

    // secret: sealed with the app's SecretBox (GRC_SECRET_KEY); confirmed_at null while enrolment waits for a first code
    await q.query(`CREATE TABLE agent_totp (
      agent_id uuid PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
      secret text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      confirmed_at timestamptz,
      last_used_step bigint NOT NULL DEFAULT 0)`);
    await q.query(`CREATE TABLE agent_recovery_codes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      code_hash char(64) NOT NULL,
      used_at timestamptz,
      UNIQUE (agent_id, code_hash))`);

    // a password accepted, the code still to come: short-lived, keyed by the hash of the browser's pending cookie
    await q.query(`CREATE TABLE login_challenges (
      token_hash char(64) PRIMARY KEY,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0)`);
    await q.query(`CREATE INDEX login_challenges_expires ON login_challenges (expires_at)`);

    await q.query(`CREATE TABLE security_settings (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      second_factor_required_for_admins boolean NOT NULL DEFAULT false,
      idle_timeout_minutes integer NOT NULL DEFAULT 120 CHECK (idle_timeout_minutes BETWEEN 0 AND 10080),
      session_lifetime_hours integer NOT NULL DEFAULT 12 CHECK (session_lifetime_hours BETWEEN 1 AND 720),
      persistent_cookie boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1)`);
    await q.query(`INSERT INTO security_settings (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE security_settings`);
    await q.query(`DROP TABLE login_challenges`);
    await q.query(`DROP TABLE agent_recovery_codes`);
    await q.query(`DROP TABLE agent_totp`);
    await q.query(`DROP INDEX sessions_id`);
    await q.query(`ALTER TABLE sessions DROP COLUMN last_seen_at, DROP COLUMN id`);
    await q.query(`ALTER TABLE agents DROP COLUMN password_changed_at, DROP COLUMN must_change_password`);
  }
}
