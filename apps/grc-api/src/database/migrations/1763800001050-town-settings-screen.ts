import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14, the town's own settings edited in the console (Administration › Commune): a logo, the texts of
 * the public pages, the sender of the e-mails, and a version for optimistic locking. The table exists since
 * 1763800000001 (granted to grc_app by 1763800000950): new columns inherit its grants.
 */
export class TownSettingsScreen1763800001050 implements MigrationInterface {
  name = 'TownSettingsScreen1763800001050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE town_settings
      ADD COLUMN logo bytea CHECK (octet_length(logo) <= 262144),
      ADD COLUMN logo_type varchar(16) CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
      ADD COLUMN public_texts jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(public_texts) = 'object'),
      ADD COLUMN sender_address varchar(254),
      ADD COLUMN sender_name varchar(200),
      ADD COLUMN updated_by uuid,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD CONSTRAINT town_settings_logo_typed CHECK ((logo IS NULL) = (logo_type IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE town_settings DROP CONSTRAINT town_settings_logo_typed, DROP COLUMN logo, DROP COLUMN logo_type,
      DROP COLUMN public_texts, DROP COLUMN sender_address, DROP COLUMN sender_name, DROP COLUMN updated_by, DROP COLUMN version`);
  }
}
