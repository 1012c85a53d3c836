import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Public pages per commune (issue 15): a commune's public pages (request form, tracking page, baromètre) are
 * served under `/c/<code>/…`, or on the host named here (`val-fleuri.example.fr`: the whole site is that
 * commune's). `communes` is a small shared table; reversible.
 */
export class CommunePublicHost1763800002010 implements MigrationInterface {
  name = 'CommunePublicHost1763800002010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`ALTER TABLE communes ADD COLUMN public_host varchar(253) UNIQUE
      CHECK (public_host ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE communes DROP COLUMN IF EXISTS public_host`);
  }
}
