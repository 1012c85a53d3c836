import type { DataSource, QueryRunner } from 'typeorm';

type Runner = Pick<QueryRunner, 'query'> | Pick<DataSource, 'query'>;

/** The reloption every table of the schema carries: analysed after a single change, whatever its size. */
export const ANALYZE_THRESHOLD_OPTION = 'autovacuum_analyze_threshold=1';

/**
 * Keeps the planner's statistics of every table, the small ones included. Under row-level security each
 * tenant table carries the condition `commune_id = grc_commune()`, which the planner estimates from the
 * table's statistics. A town's reference tables (26 categories, 14 departments, a few rules) are filled
 * once by a pack and then hardly change, and autovacuum analyses a table only after 50 changes plus 10 %
 * of its rows: they never got statistics, the condition was taken to keep 1 row in 200, each of these
 * tables to hold one row, and a query joining them to `tickets` was planned as a nested loop over every
 * matching request per (category, department) pair — 14 s for a common word at 1 M requests (bench/run.mjs).
 *
 * So every `grc migrate` (as the tables' owner) sets the analyse threshold of each table to one change
 * (autovacuum then analyses a freshly loaded pack within its nap time, a minute by default; on a big table
 * the 10 % term still decides), and analyses the tables that have never been analysed (an upgraded
 * install's reference tables). Returns the tables it analysed.
 */
export async function keepPlannerStatistics(q: Runner): Promise<string[]> {
  const tables: Array<{ name: string; set: boolean; analysed: boolean }> = await q.query(
    `SELECT format('%I', c.relname) AS name,
            coalesce(c.reloptions, '{}') @> ARRAY[$1::text] AS set,
            EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) OR c.reltuples = 0 AS analysed
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND pg_has_role(c.relowner, 'USAGE')
     ORDER BY c.relname`,
    [ANALYZE_THRESHOLD_OPTION],
  );
  const analysed: string[] = [];
  for (const t of tables) {
    if (!t.set) await q.query(`ALTER TABLE ${t.name} SET (${ANALYZE_THRESHOLD_OPTION})`);
    if (!t.analysed) {
      await q.query(`ANALYZE ${t.name}`);
      analysed.push(t.name);
    }
  }
  return analysed;
}
