import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The map's index of open requests' positions (modules/places). `tickets` is the big table: built
 * CONCURRENTLY (writes go on meanwhile), so outside a transaction; IF NOT EXISTS so that a build that failed
 * (an invalid index, dropped with DROP INDEX CONCURRENTLY) can be run again (docs/install.md, upgrades).
 */
export class PlacesTicketPositions1763800001035 implements MigrationInterface {
  name = 'PlacesTicketPositions1763800001035';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_position ON tickets USING gist (point(longitude, latitude))
      WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND status IN ('new', 'open', 'waiting_citizen')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_open_position`);
  }
}
