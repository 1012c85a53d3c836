-- The scans bench/migration-locks.ts cannot replay (a down() does not make a validated constraint NOT VALID again):
-- a foreign key on tickets added NOT VALID, then validated (its lock mode and time at 10 M), then dropped; a column with
-- a constant default added and rolled back (catalog only: its time is the wait for the AccessExclusive lock).
-- psql -h 127.0.0.1 -U postgres grc_bench10m -f bench/migration-locks-validate.sql
\timing on
BEGIN;
SET LOCAL lock_timeout = '5s';
ALTER TABLE tickets ADD CONSTRAINT lock_probe_fk FOREIGN KEY (commune_id) REFERENCES communes(id) NOT VALID;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND c.relname IN ('tickets','communes') ORDER BY 1,2;
COMMIT;
BEGIN;
ALTER TABLE tickets VALIDATE CONSTRAINT lock_probe_fk;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND c.relname IN ('tickets','communes') ORDER BY 1,2;
ROLLBACK;
ALTER TABLE tickets DROP CONSTRAINT lock_probe_fk;
BEGIN;
ALTER TABLE tickets ADD COLUMN lock_probe uuid NOT NULL DEFAULT '00000000-0000-4000-8000-000000000000';
ROLLBACK;
