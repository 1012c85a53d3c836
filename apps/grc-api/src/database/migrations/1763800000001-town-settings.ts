import { MigrationInterface, QueryRunner } from 'typeorm';

/** The town itself (one row): its name, time zone and the prefix of its public ticket references. */
export class TownSettings1763800000001 implements MigrationInterface {
  name = 'TownSettings1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE town_settings (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      code varchar(64) NOT NULL,
      name varchar(200) NOT NULL,
      timezone varchar(64) NOT NULL DEFAULT 'Europe/Paris',
      locale varchar(2) NOT NULL DEFAULT 'fr',
      reference_prefix varchar(6) NOT NULL DEFAULT 'GRC' CHECK (reference_prefix ~ '^[A-Z]{2,6}$'),
      updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE town_settings`);
  }
}
