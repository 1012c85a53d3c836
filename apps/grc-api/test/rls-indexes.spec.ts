import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ensureIndexableUnderRls } from '../src/database/rls-indexable';
import { writeRowsSql } from '../src/modules/anonymisation/anonymisation.repository';
import { OPEN_COUNTS_SQL } from '../src/modules/worker/inbox-counters.repository';

/**
 * Row-level security must not cost the indexes (database/rls-indexable.ts): as the application's role,
 * with its commune set, each search the product runs on a tenant table is planned on its index. Sequential
 * scans are switched off so that the tiny test database plans like the 1 M one; without LEAKPROOF the
 * planner cannot use these conditions in an index at all and every plan below is a filtered scan.
 */
describe('row-level security keeps the search indexes', () => {
  let owner: DataSource;
  let app: Client;

  beforeAll(async () => {
    owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    const [{ id }] = await owner.query(`SELECT id FROM communes WHERE is_default`);
    app = new Client({ connectionString: process.env['DATABASE_URL'], options: '-c role=grc_app' });
    await app.connect();
    await app.query(`SELECT set_config('grc.commune', $1, false)`, [id]);
    await app.query(`SET enable_seqscan = off`);
  });
  afterAll(async () => {
    await app.end();
    await owner.destroy();
  });

  const plan = async (sql: string, params: unknown[]): Promise<string> =>
    (await app.query(`EXPLAIN ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');

  it('has every function of those conditions marked LEAKPROOF by the migrations', async () => {
    expect(await ensureIndexableUnderRls(owner)).toEqual([]);
  });

  it.each([
    [
      'full-text search of requests',
      `SELECT id FROM tickets t WHERE t.search_vector @@ websearch_to_tsquery('grc_french', $1)`,
      ['lampadaire'],
      'tickets_search',
    ],
    ['a citizen matched by e-mail', `SELECT id FROM citizens WHERE lower(email) = lower($1)`, ['Jeanne@Example.org'], 'citizens_email'],
    ['citizens found by name', `SELECT id FROM citizens z WHERE z.search_text LIKE '%' || $1 || '%'`, ['dupont'], 'citizens_search'],
    [
      'duplicate candidates by subject',
      `SELECT id FROM tickets c WHERE lower(grc_unaccent(c.subject)) % lower(grc_unaccent($1))`,
      ['nid de poule'],
      'tickets_subject_trgm',
    ],
    [
      'address search by the first letters of words',
      `SELECT key FROM address_streets WHERE to_tsvector('simple', search) @@ to_tsquery('simple', $1)`,
      ['rue:* & vic:*'],
      'address_streets_words',
    ],
    [
      'address search by resemblance (a typo)',
      `SELECT key FROM address_streets WHERE $1 <% search`,
      ['rue victr hugo'],
      'address_streets_search_gist',
    ],
    [
      'the map of open requests in a viewport',
      `SELECT count(*) FROM tickets t WHERE t.latitude IS NOT NULL AND t.longitude IS NOT NULL
         AND t.status IN ('new', 'open', 'waiting_citizen') AND point(t.longitude, t.latitude) <@ box(point($1, $2), point($3, $4))`,
      [2.3, 48.8, 2.31, 48.81],
      'tickets_open_position_commune',
    ],
  ])('plans %s on its index', async (_what, sql, params, index) => {
    const text = await plan(sql, params);
    expect(text).toContain(index);
    expect(text).toMatch(/Index Cond/);
  });

  // the inbox counters' recompute (every 60 s and after changes) from the covering index alone: reading each open
  // request's row for its commune and assignee took 5.2 s at 1 M requests (migration 1763800003710)
  it('counts the open requests per department from the index alone', async () => {
    // a handful of rows: the planner would take a bitmap scan, which reads the rows whatever the index holds
    await app.query('BEGIN');
    try {
      await app.query('SET LOCAL enable_bitmapscan = off');
      expect(await plan(OPEN_COUNTS_SQL, [['new', 'open', 'waiting_citizen']])).toMatch(
        /Index Only Scan using tickets_open_department_counts on tickets/,
      );
    } finally {
      await app.query('ROLLBACK');
    }
  });

  // the anonymisation's writes by key (retention batches): the treated rows come from a function scan, so the key
  // condition is column = column (LEAKPROOF) and may be the index's; `(jsonb_populate_record(…)).id` was not, and
  // every batch read the whole table of citizens (190 ms at 400,000)
  it.each([
    ['citizens', 'citizens_pkey', true],
    ['attachments', 'attachments_pkey', false],
    ['mail_outbox', 'mail_outbox_pkey', false],
  ])('writes anonymised rows of %s by their key index', async (table, index, bumpVersion) => {
    await app.query('BEGIN');
    try {
      const text = await plan(writeRowsSql(table, { bumpVersion }), ['[]']);
      // the key looked up in the index (a full index scan in place of a sequential one would show no condition)
      expect(text).toMatch(new RegExp(`Index Scan using ${index} on ${table} x[^\\n]*\\n\\s+Index Cond: \\(id = r\\.id\\)`));
    } finally {
      await app.query('ROLLBACK');
    }
  });
});
