import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Communes as tenants (issue 15), first step: the `communes` table (a commune, or the métropole that
 * groups communes: `parent_id`), and row-level security on the core tenant tables (database/tenancy.ts
 * TENANT_TABLES). Each gets `commune_id`; its policy lets a connection see and write only the rows of
 * the commune its `grc.commune` setting names (set by the connection layer); without the setting it sees
 * nothing and writes nothing. FORCE: the tables' owner is held to it too (only a superuser, or a role
 * with BYPASSRLS — which grc_app is not — escapes it).
 *
 * Never locks a big table for long: the column comes with a constant default (the existing rows' commune:
 * the town of town_settings), which PostgreSQL stores in the catalogue without rewriting the table; the
 * foreign key is added NOT VALID here and validated by the next migration, in a transaction of its own
 * (a scan that does not block writes). The column's default then becomes the current commune
 * (`grc_row_commune()`), for the rows written from now on.
 */
/** The tables this migration scoped, frozen (database/tenancy.ts TENANT_TABLES grows with later migrations). */
const TENANT_TABLES = [
  'departments',
  'categories',
  'routing_rules',
  'category_attributes',
  'citizens',
  'tickets',
  'ticket_events',
  'attachments',
] as const;

export class Communes1763800001090 implements MigrationInterface {
  name = 'Communes1763800001090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`CREATE TABLE communes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code varchar(64) NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name varchar(200) NOT NULL,
      kind varchar(16) NOT NULL DEFAULT 'commune' CHECK (kind IN ('commune', 'metropole')),
      parent_id uuid REFERENCES communes(id),
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (parent_id IS NULL OR parent_id <> id))`);
    await q.query(`CREATE UNIQUE INDEX communes_one_default ON communes ((true)) WHERE is_default`);
    // the commune a connection works for (null: none, it sees no tenant row)
    await q.query(`CREATE FUNCTION grc_commune() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT nullif(current_setting('grc.commune', true), '')::uuid $$`);
    // a new row's commune: the connection's, else the install's default (a superuser's script, a bench seed)
    await q.query(`CREATE FUNCTION grc_row_commune() RETURNS uuid LANGUAGE sql STABLE
      AS $$ SELECT coalesce(grc_commune(), (SELECT id FROM communes WHERE is_default)) $$`);

    // the existing town becomes the default commune (a database with data but no town settings gets one too)
    await q.query(`INSERT INTO communes (code, name, is_default) SELECT code, name, true FROM town_settings WHERE id = 1`);
    await q.query(`INSERT INTO communes (code, name, is_default)
      SELECT 'commune', 'Commune', true WHERE NOT EXISTS (SELECT 1 FROM communes) AND EXISTS (SELECT 1 FROM departments)`);
    const [row]: Array<{ id: string } | undefined> = await q.query(`SELECT id FROM communes WHERE is_default`);

    for (const t of TENANT_TABLES) {
      if (row) await q.query(`ALTER TABLE ${t} ADD COLUMN commune_id uuid NOT NULL DEFAULT '${row.id}'::uuid`);
      else await q.query(`ALTER TABLE ${t} ADD COLUMN commune_id uuid NOT NULL`); // an empty database: no row to fill
      await q.query(`ALTER TABLE ${t} ALTER COLUMN commune_id SET DEFAULT grc_row_commune()`);
      await q.query(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_commune_fk FOREIGN KEY (commune_id) REFERENCES communes(id) NOT VALID`);
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      // (SELECT …): evaluated once per statement, not per row
      await q.query(`CREATE POLICY ${t}_commune ON ${t}
        USING (commune_id = (SELECT grc_commune())) WITH CHECK (commune_id = (SELECT grc_commune()))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...TENANT_TABLES].reverse()) {
      await q.query(`DROP POLICY IF EXISTS ${t}_commune ON ${t}`);
      await q.query(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DROP COLUMN IF EXISTS commune_id`);
    }
    await q.query(`DROP FUNCTION IF EXISTS grc_row_commune()`);
    await q.query(`DROP FUNCTION IF EXISTS grc_commune()`);
    await q.query(`DROP TABLE IF EXISTS communes`);
  }
}
