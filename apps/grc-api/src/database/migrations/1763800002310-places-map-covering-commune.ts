import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The map's covering indexes carry the commune (issue 12 under issue 15's row-level security). The policy adds
 * `commune_id = grc_commune()` to every read of `tickets`; `tickets_open_position_cover` and
 * `tickets_open_unplaced` (migration 1763800001310) did not hold `commune_id`, so each map request went back to
 * the table for every open request in view — the heap reads that index-only scans had removed (26,000 pages
 * for the whole town's 50,000 open requests at 1 M, bench/places.mjs). Same keys and predicates, with
 * `commune_id` INCLUDEd; built CONCURRENTLY beside the former ones, which are then dropped (writes go on).
 */
export class PlacesMapCoveringCommune1763800002310 implements MigrationInterface {
  name = 'PlacesMapCoveringCommune1763800002310';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_position_commune ON tickets USING gist (point(longitude, latitude))
      INCLUDE (commune_id, latitude, longitude, id, department_id, status, category_id, priority, assignee_id, channel, sla_breached, sla_due_at, created_at)
      WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND status IN ('new', 'open', 'waiting_citizen')`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_unplaced_commune ON tickets (department_id, status) INCLUDE (commune_id)
      WHERE status IN ('new', 'open', 'waiting_citizen') AND (latitude IS NULL OR longitude IS NULL)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_open_position_cover`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_open_unplaced`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_position_cover ON tickets USING gist (point(longitude, latitude))
      INCLUDE (latitude, longitude, id, department_id, status, category_id, priority, assignee_id, channel, sla_breached, sla_due_at, created_at)
      WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND status IN ('new', 'open', 'waiting_citizen')`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS tickets_open_unplaced ON tickets (department_id, status)
      WHERE status IN ('new', 'open', 'waiting_citizen') AND (latitude IS NULL OR longitude IS NULL)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_open_position_commune`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS tickets_open_unplaced_commune`);
  }
}
