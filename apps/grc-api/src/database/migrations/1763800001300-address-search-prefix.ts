import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Address search-as-you-type under 30 ms on a large département (issue 12, bench/places.mjs): the streets are found
 * by a prefix full-text query on their normalised text (`to_tsvector('simple', search)`, GIN: "av de la ga" finds
 * "avenue de la gare …" without computing a similarity per row), and only a typo falls back to pg_trgm's word
 * similarity, read nearest first along a GiST trigram index (`<->>` KNN) instead of ranking every row of a GIN
 * match. The GIN trigram index of 1763800001030 served the former `<%` / `LIKE '%…%'` query only: dropped.
 * `address_streets` has one row per street (about 10,000 for 500,000 addresses): not a big table, built in the
 * migration's transaction.
 */
export class AddressSearchPrefix1763800001300 implements MigrationInterface {
  name = 'AddressSearchPrefix1763800001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX address_streets_words ON address_streets USING gin (to_tsvector('simple', search))`);
    await q.query(`CREATE INDEX address_streets_search_gist ON address_streets USING gist (search gist_trgm_ops)`);
    await q.query(`DROP INDEX IF EXISTS address_streets_search`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS address_streets_search ON address_streets USING gin (search gin_trgm_ops)`);
    await q.query(`DROP INDEX IF EXISTS address_streets_search_gist`);
    await q.query(`DROP INDEX IF EXISTS address_streets_words`);
  }
}
