import { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_GUARD_FUNCTION } from './1763800000840-retention';

/**
 * The role the application runs as (GRC_DB_ROLE, default grc_app): no login of its own, not a superuser,
 * owner of nothing — it reads and writes rows of this schema and may not change its structure. The
 * migrations run as the schema's owner (GRC_MIGRATE_DATABASE_URL), who keeps DDL.
 * The audit trail is append-only for it (no UPDATE/DELETE/TRUNCATE grant), and for everyone by
 * triggers that raise: rewriting history takes the owner disabling a trigger, in the open.
 * The per-year reference sequences are created on demand by grc_next_ticket_number: it now runs with its
 * owner's rights (SECURITY DEFINER, fixed search_path), so grc_app needs no CREATE on the schema.
 */
export class AppRole1763800000950 implements MigrationInterface {
  name = 'AppRole1763800000950';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grc_app') THEN
        BEGIN
          CREATE ROLE grc_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'the role grc_app does not exist and % may not create it', current_user
            USING HINT = 'as a superuser: CREATE ROLE grc_app NOLOGIN; GRANT grc_app TO <the application''s login role>; (docs/install.md)';
        END;
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO grc_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO grc_app`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE ON migrations FROM grc_app`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM grc_app`);
    await q.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO grc_app`);
    await q.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO grc_app`);
    // tables and sequences of later migrations (run by this same owner) are granted too
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO grc_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO grc_app`);
    await q.query(`ALTER FUNCTION grc_next_ticket_number(integer) SECURITY DEFINER SET search_path = public, pg_temp`);

    // raises for every UPDATE/DELETE but grc_audit_redact's (migration 1763800000840: changes' values and ip only)
    await q.query(AUDIT_GUARD_FUNCTION);
    await q.query(`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION grc_audit_append_only()`);
    await q.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION grc_audit_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS grc_audit_append_only()`);
    await q.query(`ALTER FUNCTION grc_next_ticket_number(integer) SECURITY INVOKER RESET search_path`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM grc_app`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM grc_app`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM grc_app`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM grc_app`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM grc_app`);
  }
}
