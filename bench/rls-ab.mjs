// Row-level security on vs off, statement by statement, interleaved (issue 15).
//
//   BENCH_DB=grc_bench_rls node bench/rls-ab.mjs [--iterations=300]
//
// On a kept bench database (`node bench/run.mjs --keep-db`), runs the inbox's first page (agent, head) and its
// full-text search (common and rare word) as the app sends them — unnamed statements, so parsed, planned and
// executed each time — over two connections: one as the application's role `grc_app` under its commune (every
// policy applies), one as the superuser (no policy is added: row-level security off), nothing else changed. Each
// iteration runs every (read, side) pair once in a shuffled order, so that the load of a shared machine hits both
// sides alike; `run.mjs --rls-compare` measures them in 15 s blocks one after the other, which a load that moves by
// ±30 % between windows can swamp. Prints the client-side time of each statement (p50, p95) on and off.
import os from 'node:os';
import pg from 'pg';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const ITERATIONS = Number(args.iterations ?? 300);
const WARM_UP = 20;
const BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DB = process.env.BENCH_DB ?? 'grc_bench';

async function connect(role) {
  const c = new pg.Client({ connectionString: `${BASE}/${DB}`, options: `-c jit=off${role ? ` -c role=${role}` : ''}` });
  await c.connect();
  // what the connection layer sets (database/tenancy.ts): the default commune, a plain commune
  const { rows } = await c.query(`SELECT id FROM communes WHERE is_default`);
  await c.query(`SELECT set_config('grc.commune', $1, false), set_config('grc.plain_commune', $1, false)`, [rows[0].id]);
  return c;
}
const on = await connect('grc_app');
const off = await connect(null);

// the departments an agent sees: theirs and those below them (the session lookup's tree)
const visible = async (email) =>
  (
    await off.query(
      `WITH RECURSIVE tree AS (SELECT ad.department_id AS id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = $1
         UNION SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id)
       SELECT array_agg(id) AS ids FROM tree`,
      [email],
    )
  ).rows[0].ids;
const agent = await visible('karim.benali@saint-aubin.fr');
const head = await visible('philippe.garnier@saint-aubin.fr');

// the statement of InboxRepository.page (SUMMARY_COLUMNS, SUMMARY_JOINS of modules/tickets/ticket-view.ts), first page
const COLUMNS = `t.id, t.reference, t.subject, t.status, t.priority, t.channel, t.created_at, t.updated_at,
  c.id AS category_id, c.code AS category_code, c.name_fr AS category_name_fr, c.name_en AS category_name_en,
  d.id AS department_id, d.code AS department_code, d.name AS department_name,
  a.id AS assignee_id, a.display_name AS assignee_name,
  z.id AS citizen_id, t.sla_due_at, t.sla_breached OR coalesce(t.sla_due_at < now(), false) AS sla_breached,
  CASE WHEN z.kind = 'organisation' THEN z.organisation_name
       ELSE trim(coalesce(z.first_name, '') || ' ' || coalesce(z.last_name, '')) END AS citizen_name`;
const page = (words) => `SELECT ${COLUMNS},
   to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS k0, t.id::text AS k1
 FROM (SELECT t.* FROM tickets t
       WHERE t.department_id = ANY($1::uuid[])${words ? ` AND t.search_vector @@ websearch_to_tsquery('grc_french', $2)` : ''}
       ORDER BY t.created_at DESC, t.id DESC LIMIT ${words ? '$3' : '$2'}) t
 JOIN categories c ON c.id = t.category_id
 JOIN departments d ON d.id = t.department_id
 LEFT JOIN agents a ON a.id = t.assignee_id
 LEFT JOIN citizens z ON z.id = t.citizen_id
 ORDER BY t.created_at DESC, t.id DESC`;
const READS = {
  'inbox, agent': [page(false), [agent, 51]],
  'inbox, head': [page(false), [head, 51]],
  'search "trottoir"': [page(true), [agent, 'trottoir', 51]],
  'search "mérule"': [page(true), [agent, 'mérule', 51]],
};

const times = Object.fromEntries(Object.keys(READS).map((k) => [k, { on: [], off: [] }]));
const pairs = Object.keys(READS).flatMap((k) => [
  [k, 'on'],
  [k, 'off'],
]);
const loadStart = os.loadavg()[0];
for (let i = 0; i < ITERATIONS + WARM_UP; i++) {
  pairs.sort(() => Math.random() - 0.5);
  for (const [read, side] of pairs) {
    const [sql, params] = READS[read];
    const started = process.hrtime.bigint();
    const { rows } = await (side === 'on' ? on : off).query(sql, params);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i === 0 && rows.length === 0) throw new Error(`${read}, RLS ${side}: no rows (is ${DB} a seeded bench database?)`);
    if (i >= WARM_UP) times[read][side].push(ms);
  }
}
await on.end();
await off.end();

const quantile = (values, q) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const pct = (a, b) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
console.log(`${ITERATIONS} iterations on ${DB}, load average ${loadStart.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`);
for (const [read, t] of Object.entries(times)) {
  const [on50, off50, on95, off95] = [quantile(t.on, 0.5), quantile(t.off, 0.5), quantile(t.on, 0.95), quantile(t.off, 0.95)];
  console.log(
    `${read.padEnd(20)} p50 ${on50.toFixed(2)} / ${off50.toFixed(2)} ms (${pct(on50, off50)}, ${(on50 - off50).toFixed(2)} ms)` +
      `   p95 ${on95.toFixed(2)} / ${off95.toFixed(2)} ms (${pct(on95, off95)})`,
  );
}
