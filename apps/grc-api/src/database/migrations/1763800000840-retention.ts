import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, retention and anonymisation.
 * - `tickets.anonymised_at`: when the requester's identity left the request (NULL: still held); the retention
 *   job's selection (closed, not yet anonymised, per category and closing date) has its partial index.
 * - `retention_rules`: per category (NULL: the town's default) how many months after closing the identity is
 *   kept, then `anonymise` (the request stays for the figures) or `delete`.
 * - `retention_runs`: each run of the retention job and of the purges, with its counts (the admin screen's report).
 * - `grc_audit_redact`: the one, narrow exception to the audit trail's append-only rule. The anonymisation must
 *   remove a person from the audit diffs too; the application (grc_app) still has no UPDATE on audit_events.
 *   This SECURITY DEFINER function may only rewrite `changes` (same top-level keys) and clear `ip` of the given
 *   rows, and appends its own `audit.redact` event; the trigger refuses every other update, to everyone.
 */
export const AUDIT_GUARD_FUNCTION = `CREATE OR REPLACE FUNCTION grc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- the redaction exception (grc_audit_redact, SECURITY DEFINER): changes' values and ip only, nothing else
    IF TG_OP = 'UPDATE' AND current_setting('grc.audit_redaction', true) = 'on'
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.actor_label = OLD.actor_label AND NEW.action = OLD.action
       AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id
       AND (NEW.ip IS NULL OR NEW.ip = OLD.ip)
       AND jsonb_typeof(NEW.changes) = jsonb_typeof(OLD.changes)
       AND (jsonb_typeof(OLD.changes) <> 'object' OR
            ARRAY(SELECT jsonb_object_keys(NEW.changes) ORDER BY 1) = ARRAY(SELECT jsonb_object_keys(OLD.changes) ORDER BY 1)) THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
  END $$`;

export class Retention1763800000840 implements MigrationInterface {
  name = 'Retention1763800000840';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN anonymised_at timestamptz`);
    await q.query(
      `CREATE INDEX tickets_retention_due ON tickets (category_id, closed_at) WHERE status = 'closed' AND anonymised_at IS NULL`,
    );

    await q.query(`CREATE TABLE retention_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      category_id uuid UNIQUE REFERENCES categories(id) ON DELETE CASCADE,
      months integer NOT NULL CHECK (months BETWEEN 0 AND 1200),
      action varchar(16) NOT NULL CHECK (action IN ('anonymise', 'delete')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by uuid)`);
    await q.query(`CREATE UNIQUE INDEX retention_rules_one_default ON retention_rules ((category_id IS NULL)) WHERE category_id IS NULL`);

    await q.query(`CREATE TABLE retention_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind varchar(16) NOT NULL CHECK (kind IN ('retention', 'purge')),
      state varchar(16) NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text)`);
    await q.query(`CREATE INDEX retention_runs_started ON retention_runs (started_at DESC)`);
    // one running run per kind: a second worker's run waits for the next schedule
    await q.query(`CREATE UNIQUE INDEX retention_runs_one_running ON retention_runs (kind) WHERE state = 'running'`);

    await q.query(`CREATE FUNCTION grc_audit_redact(p_actor text, p_ids bigint[], p_changes jsonb[], p_clear_ip boolean[])
      RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE n integer;
      BEGIN
        PERFORM set_config('grc.audit_redaction', 'on', true);
        UPDATE audit_events a SET changes = u.c, ip = CASE WHEN u.x THEN NULL ELSE a.ip END
          FROM unnest(p_ids, p_changes, p_clear_ip) AS u(id, c, x)
          WHERE a.id = u.id AND (a.changes IS DISTINCT FROM u.c OR (u.x AND a.ip IS NOT NULL));
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM set_config('grc.audit_redaction', 'off', true);
        IF n > 0 THEN
          INSERT INTO audit_events (actor_label, action, entity_type, entity_id, changes)
          VALUES (left(p_actor, 254), 'audit.redact', 'audit', (SELECT min(i)::text FROM unnest(p_ids) i),
                  jsonb_build_object('rows', jsonb_build_object('before', NULL, 'after', n),
                                     'lastId', jsonb_build_object('before', NULL, 'after', (SELECT max(i) FROM unnest(p_ids) i))));
        END IF;
        RETURN n;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION grc_audit_redact(text, bigint[], jsonb[], boolean[]) FROM PUBLIC`);
    // a database migrated before this file already has the app role and the strict trigger: widen it the same way
    await q.query(`DO $do$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'grc_audit_append_only') THEN
        EXECUTE $q$${AUDIT_GUARD_FUNCTION}$q$;
      END IF;
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        GRANT EXECUTE ON FUNCTION grc_audit_redact(text, bigint[], jsonb[], boolean[]) TO grc_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON retention_rules, retention_runs TO grc_app;
      END IF;
    END $do$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS grc_audit_redact(text, bigint[], jsonb[], boolean[])`);
    await q.query(`DROP TABLE IF EXISTS retention_runs`);
    await q.query(`DROP TABLE IF EXISTS retention_rules`);
    await q.query(`DROP INDEX IF EXISTS tickets_retention_due`);
    await q.query(`ALTER TABLE tickets DROP COLUMN IF EXISTS anonymised_at`);
  }
}
