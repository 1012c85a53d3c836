import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `grc_flush_search_indexes()`: moves the pending entries of the GIN indexes of `tickets` and `citizens` (full
 * text, trigrams) into the indexes' main structure. GIN queues new entries in a pending list (fastupdate) and
 * the writer that finds the list full (4 MB) merges it itself — inside its own transaction, a pause of up to
 * seconds while it holds its row locks. The retention job anonymises thousands of requests (each one a new
 * entry in every index) and calls this between its batches, holding no lock, so that no batch pays for a merge.
 * SECURITY DEFINER: `gin_clean_pending_list` asks for the index's owner, which the app role is not.
 */
export class SearchIndexFlush1763800001000 implements MigrationInterface {
  name = 'SearchIndexFlush1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION grc_flush_search_indexes() RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE n bigint := 0; i regclass;
      BEGIN
        FOR i IN SELECT x.indexrelid::regclass FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am a ON a.oid = c.relam
                 WHERE a.amname = 'gin' AND x.indrelid IN ('tickets'::regclass, 'citizens'::regclass) LOOP
          n := n + gin_clean_pending_list(i);
        END LOOP;
        RETURN n;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS grc_flush_search_indexes()`);
  }
}
