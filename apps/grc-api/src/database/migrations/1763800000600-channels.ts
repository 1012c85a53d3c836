import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels: the reporter's language. tickets.locale is the language the reporter used (the public form's
 * page language); the e-mails about the ticket are written in it. NULL: the town's language
 * (town_settings.locale), as before. (Tracking links' expiry needs no column: it is computed from
 * resolved_at/closed_at and GRC_TRACKING_TTL_DAYS.)
 */
export class Channels1763800000600 implements MigrationInterface {
  name = 'Channels1763800000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN locale varchar(2) CONSTRAINT tickets_locale_check CHECK (locale IN ('fr', 'en'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP CONSTRAINT IF EXISTS tickets_locale_check, DROP COLUMN IF EXISTS locale`);
  }
}
