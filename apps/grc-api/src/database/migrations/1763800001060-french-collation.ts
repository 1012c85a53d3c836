import { MigrationInterface, QueryRunner } from 'typeorm';

/** The names people read in lists, and their type (unchanged): only their collation changes. */
const NAME_COLUMNS: Array<[table: string, column: string, type: string]> = [
  ['categories', 'name_fr', 'varchar(200)'],
  ['categories', 'name_en', 'varchar(200)'],
  ['departments', 'name', 'varchar(200)'],
  ['agents', 'display_name', 'varchar(200)'],
  ['sla_calendars', 'name', 'varchar(200)'],
  ['sla_policies', 'name', 'varchar(200)'],
  ['mail_reply_templates', 'name', 'varchar(100)'],
  ['mail_mailboxes', 'name', 'varchar(100)'],
  ['identity_providers', 'label', 'varchar(100)'],
];

/**
 * Issue 14: lists sorted by name follow French order whatever the database's own locale ("C.UTF-8" puts
 * "Éclairage" after "Nid-de-poule"): the name columns take PostgreSQL's ICU collation "fr-x-icu" (accents
 * second, case third, digits as numbers), so every ORDER BY on them is right without a COLLATE clause.
 * A server built without ICU keeps its default (a notice says so); the console sorts with Intl.Collator('fr') too.
 */
export class FrenchCollation1763800001060 implements MigrationInterface {
  name = 'FrenchCollation1763800001060';

  async up(q: QueryRunner): Promise<void> {
    const [{ icu }] = await q.query(`SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'fr-x-icu') AS icu`);
    if (!icu) {
      await q.query(`DO $$ BEGIN RAISE NOTICE 'no ICU collation fr-x-icu on this server: names keep the database''s collation'; END $$`);
      return;
    }
    for (const [table, column, type] of NAME_COLUMNS)
      await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} COLLATE "fr-x-icu"`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, column, type] of NAME_COLUMNS)
      await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} COLLATE "default"`);
  }
}
