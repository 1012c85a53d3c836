import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ANALYZE_THRESHOLD_OPTION, keepPlannerStatistics } from '../src/database/planner-statistics';

/**
 * Every table keeps planner statistics (database/planner-statistics.ts): without them, the commune condition
 * of row-level security on a town's small reference tables is estimated at 1 row in 200, and the inbox of a
 * 1 M-request town took 14 s (bench/run.mjs). `grc migrate` runs `keepPlannerStatistics` every time.
 */
describe('planner statistics of every table', () => {
  let owner: DataSource;
  const statsOf = async (table: string): Promise<number> =>
    (await owner.query(`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1`, [table]))[0].n;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
  });
  afterAll(async () => {
    await owner.destroy();
  });

  it("runs the app's statements without JIT compilation (a policy's never-run sub-plan made a 4 ms look-up compile for 256 ms)", async () => {
    expect((await owner.query(`SHOW jit`))[0].jit).toBe('off');
    expect((await owner.query(`SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()`))[0].application_name).toBe(
      'grc',
    );
  });

  it('gives every table of the schema an analyse threshold of one change', async () => {
    await keepPlannerStatistics(owner);
    const without: Array<{ relname: string }> = await owner.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
         AND NOT coalesce(c.reloptions, '{}') @> ARRAY[$1::text]`,
      [ANALYZE_THRESHOLD_OPTION],
    );
    expect(without).toEqual([]);
    const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE c.relkind = 'r' AND s.nspname = current_schema()`);
    expect(n).toBeGreaterThan(40);
    // the figures' monthly cube (migration 1763800002400) too: its commune condition is planned from statistics
    const cube: Array<{ relname: string; set: boolean }> = await owner.query(
      `SELECT c.relname, coalesce(c.reloptions, '{}') @> ARRAY[$1::text] AS set FROM pg_class c
       WHERE c.relname IN ('report_cube', 'report_cube_durations', 'report_cube_state') ORDER BY 1`,
      [ANALYZE_THRESHOLD_OPTION],
    );
    expect(cube).toEqual(['report_cube', 'report_cube_durations', 'report_cube_state'].map((relname) => ({ relname, set: true })));
  });

  it('analyses the tables that hold rows but have no statistics (the reference tables a pack filled), once', async () => {
    // the state of a real install: the pack's categories and departments were never analysed
    await owner.query(`DELETE FROM pg_statistic WHERE starelid IN ('categories'::regclass, 'departments'::regclass)`);
    expect(await statsOf('categories')).toBe(0);
    expect(await statsOf('departments')).toBe(0);

    const analysed = await keepPlannerStatistics(owner);
    expect(analysed).toEqual(expect.arrayContaining(['categories', 'departments']));
    expect(await statsOf('categories')).toBeGreaterThan(0);
    expect(await statsOf('departments')).toBeGreaterThan(0);
    // the commune condition is now estimated from what the table holds (every category is the demo's commune)
    const [{ n_distinct }] = await owner.query(
      `SELECT n_distinct FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'categories' AND attname = 'commune_id'`,
    );
    expect(Number(n_distinct)).toBe(1);

    expect(await keepPlannerStatistics(owner)).not.toEqual(expect.arrayContaining(['categories']));
  });
});
