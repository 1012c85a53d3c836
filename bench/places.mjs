#!/usr/bin/env node
// Places benchmark (issue 12): address search-as-you-type on a large département's BAN file, and the map of
// requests per viewport on a large town.
//   node bench/places.mjs [--addresses=500000] [--tickets=1000000] [--requests=400] [--port=3988] [--keep-db] [--reuse-db=NAME]
//   --keep-db keeps the database (its name is printed); --reuse-db=NAME skips steps 1–2 on such a kept database
//   (the HTTP step again: three runs for a median without importing three times), and seeds only with --tickets=N.
//   --open-in-view=N (default 50,000 when 200,000 tickets or more are seeded): closed requests of the town are
//   reopened in SQL until N open, placed requests are in the whole town's view (the issue's "50,000 open requests
//   in view"; bench data shaping, like seed.mjs's own inserts).
//   --only=search|map measures one of the two.
// 1. a fresh database grc_bench_places, migrated, the demo town loaded (main.js serve --migrate --demo, stopped);
// 2. a BAN file of --addresses generated (ban-generate.mjs) and imported with `main.js import-ban` (time printed);
// 3. --tickets requests seeded with bench/seed.mjs (the inbox benchmark's generator, positions in Saint-Aubin);
// 4. the API restarted; sequential requests (one connection: one user's latency), p50/p95/p99 printed:
//    - GET /api/v1/places/search?q=… over a rotating list of what people type (numbers, bis, abbreviations,
//      first letters), as an agent — target p95 ≤ 30 ms;
//    - GET /api/v1/places/requests-map for the whole town (zoom 13), a quarter (15) and a street (17), as the agent
//      (voirie + éclairage) and as the admin (every department) — target p95 ≤ 150 ms.
// Traffic goes to 127.0.0.1 only; every step is bounded.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { seed } from './seed.mjs';
import { writeBanFile } from './ban-generate.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
const ADDRESSES = Number(args.addresses ?? 500_000);
const TICKETS = Number(args.tickets ?? (args['reuse-db'] ? 0 : 1_000_000));
const OPEN_IN_VIEW = Number(args['open-in-view'] ?? (TICKETS >= 200_000 ? 50_000 : 0));
const ONLY = args.only ? String(args.only) : null;
const REQUESTS = Number(args.requests ?? 400);
const PORT = Number(args.port ?? 3988);
// not grc_*: other tools' clean-ups of stray test databases on a shared machine match that prefix
const DB = args['reuse-db'] ? String(args['reuse-db']) : `places_bench_${process.pid}`;
const REUSE = Boolean(args['reuse-db']);
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${PG_BASE}/${DB}`;
const BASE = `http://127.0.0.1:${PORT}`;
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const AGENT = 'karim.benali@saint-aubin.fr';
const ADMIN = 'admin@saint-aubin.fr';
const PASSWORD = 'Demo-GRC-2026!';
const log = (s) => console.log(s);

const env = {
  ...process.env,
  DATABASE_URL,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  GRC_ROLE: 'api',
  GRC_ROOT: ROOT,
  NODE_ENV: 'production',
  GRC_QUEUE_PREFIX: 'grc-bench-places',
  GRC_LOGIN_ACCOUNT_FAILURES: '100000',
  GRC_LOGIN_IP_FAILURES: '100000',
  GRC_DATA_DIR: join(ROOT, 'bench/.data'),
  GRC_LOG_LEVEL: 'warn',
};
async function admin(sql) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
const connect = async () => {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  // the machine is shared: a connection closed from outside is said, not an unhandled crash
  c.on('error', (e) => log(`  (a connection was closed: ${e.message})`));
  await c.connect();
  return c;
};

async function startApp(extra = [], role = 'api') {
  const child = spawn(process.execPath, [MAIN, 'serve', ...extra], {
    cwd: ROOT,
    env: { ...env, GRC_ROLE: role },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-8000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-8000)));
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited:\n${out}`);
    try {
      if ((await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(2000) })).ok) return child;
    } catch {
      /* not yet */
    }
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not start:\n${out}`);
}
async function stop(child) {
  if (!child || child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}
async function login(email) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`login ${email}: ${r.status}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('grc_session='));
}
const pct = (s, p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
/** Sequential GETs over a rotating list of paths; latency percentiles in ms. */
async function measure(title, paths, cookie, n = REQUESTS) {
  for (const p of paths.slice(0, 20)) await fetch(BASE + p, { headers: { cookie } }); // warm-up
  const times = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(BASE + paths[i % paths.length], { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
    const body = await r.text();
    times.push(performance.now() - t0);
    if (!r.ok) throw new Error(`${title}: HTTP ${r.status} ${body.slice(0, 300)}`);
    bytes += body.length;
  }
  times.sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  log(
    `  ${title}: ${n} requests, p50 ${f(pct(times, 50))} ms, p95 ${f(pct(times, 95))} ms, p99 ${f(pct(times, 99))} ms, mean body ${Math.round(bytes / n)} B`,
  );
  return { p50: +f(pct(times, 50)), p95: +f(pct(times, 95)), p99: +f(pct(times, 99)) };
}

/**
 * The street query alone, before and after migration 1763800001300, on one warm connection, interleaved (so that the
 * machine's load weighs on both alike): the former `<%` / `LIKE '%…%'` ranked by word_similarity (run on a copy of
 * the former GIN trigram index, made for the comparison and dropped after) and the current prefix query of
 * places.repository.ts. The texts are normalised roughly as parseAddressQuery does (accents, case, a few abbreviations).
 */
async function compareSql(typed) {
  const ABBR = { av: 'avenue', bd: 'boulevard', r: 'rue', pl: 'place', chem: 'chemin' };
  const texts = typed.map((q) =>
    q
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
      .split(' ')
      .filter((w, i) => !(i === 0 && /^\d+$/.test(w)) && !(i === 1 && w === 'bis'))
      .map((w) => ABBR[w] ?? w)
      .join(' '),
  );
  const c = await connect();
  await c.query(`CREATE INDEX IF NOT EXISTS bench_former_trgm_gin ON address_streets USING gin (search gin_trgm_ops)`);
  // as the API runs them: the application's role, under row-level security, its commune set
  await c.query(`SET ROLE grc_app`);
  await c.query(`SELECT set_config('grc.commune', (SELECT id::text FROM communes WHERE is_default), false)`);
  const former = (t) =>
    c.query(
      `SELECT key, name, postcode, commune, lat, lon, word_similarity($1, search) AS score FROM address_streets
       WHERE ($1 <% search OR search LIKE '%' || $4 || '%') AND ($2::text IS NULL OR postcode = $2)
       ORDER BY score DESC, similarity($1, search) DESC, addresses DESC, key LIMIT $3`,
      [t, null, 10, t.replace(/[\\%_]/g, (x) => `\\${x}`)],
    );
  const current = (t) => {
    const words = t.split(' ').filter(Boolean);
    return c.query(
      `SELECT key, name, postcode, commune, lat, lon, 1::float8 AS score FROM address_streets
       WHERE to_tsvector('simple', search) @@ to_tsquery('simple', $1) AND ($2::text IS NULL OR postcode = $2)
       ORDER BY starts_with(search, $4) DESC, length(search), addresses DESC, key LIMIT $3`,
      [words.map((w) => `${w}:*`).join(' & '), null, 10, words.join(' ')],
    );
  };
  const times = { former: [], current: [] };
  for (const t of texts.slice(0, 20)) await Promise.all([former(t), current(t)].map((p) => p.catch(() => undefined)));
  for (const t of texts)
    for (const [k, f] of [
      ['former', former],
      ['current', current],
    ]) {
      const t0 = performance.now();
      await f(t);
      times[k].push(performance.now() - t0);
    }
  await c.query(`RESET ROLE`);
  await c.query(`DROP INDEX IF EXISTS bench_former_trgm_gin`);
  await c.end();
  for (const k of ['former', 'current']) {
    const s = times[k].sort((a, b) => a - b);
    results[`sql_${k}`] = { p50: +pct(s, 50).toFixed(1), p95: +pct(s, 95).toFixed(1) };
    log(`  street query alone (SQL, ${k}): ${s.length} queries, p50 ${pct(s, 50).toFixed(1)} ms, p95 ${pct(s, 95).toFixed(1)} ms`);
  }
}

const results = { date: new Date().toISOString(), params: { addresses: ADDRESSES, tickets: TICKETS, requests: REQUESTS } };
let app;
try {
  if (!existsSync(MAIN))
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=grc-api', '--outputStyle=static'], {
      cwd: ROOT,
      stdio: 'inherit',
      timeout: 900_000,
    });
  if (!REUSE) {
    log(`1. fresh database ${DB}, demo town`);
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${DB}`);
    app = await startApp(['--migrate', '--demo', 'packs/demo-town'], 'all');
    await stop(app);
    app = undefined;

    const file = join(ROOT, 'bench/.data/adresses-99.csv');
    mkdirSync(dirname(file), { recursive: true });
    log(`2. BAN file of ${ADDRESSES.toLocaleString('en')} addresses, imported`);
    await writeBanFile(file, ADDRESSES, '99');
    const t0 = performance.now();
    execFileSync(process.execPath, [MAIN, 'import-ban', file], { cwd: ROOT, env, stdio: 'inherit', timeout: 1_800_000 });
    results.importSeconds = +((performance.now() - t0) / 1000).toFixed(1);
    log(`  import: ${results.importSeconds} s (${Math.round(ADDRESSES / results.importSeconds).toLocaleString('en')} addresses/s)`);
  } else log(`1–2. reusing the kept database ${DB}`);
  if (TICKETS > 0) {
    log(`3. seeding ${TICKETS.toLocaleString('en')} tickets (bench/seed.mjs)`);
    const s = await seed({ connect, tickets: TICKETS, log: () => undefined });
    log(`  seed: ${s.seconds.toFixed(1)} s`);
  }
  if (OPEN_IN_VIEW > 0) {
    const c = await connect();
    const open = `status IN ('new','open','waiting_citizen') AND latitude IS NOT NULL AND point(longitude, latitude) <@ box(point(0.64, 47.36), point(0.74, 47.43))`;
    const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM tickets WHERE ${open}`)).rows;
    if (n < OPEN_IN_VIEW) {
      const r = await c.query(
        `UPDATE tickets SET status = 'open', resolved_at = NULL, closed_at = NULL WHERE id IN (
           SELECT id FROM tickets WHERE status IN ('resolved', 'closed') AND latitude IS NOT NULL
             AND point(longitude, latitude) <@ box(point(0.64, 47.36), point(0.74, 47.43)) ORDER BY id LIMIT $1)`,
        [OPEN_IN_VIEW - n],
      );
      log(`  ${r.rowCount.toLocaleString('en')} closed requests reopened: ${OPEN_IN_VIEW.toLocaleString('en')} open in the town's view`);
    }
    await c.query('VACUUM ANALYZE tickets');
    await c.end();
  }
  const c = await connect();
  const [{ open }] = (
    await c.query(`SELECT count(*)::int AS open FROM tickets WHERE status IN ('new','open','waiting_citizen') AND latitude IS NOT NULL`)
  ).rows;
  const streets = (await c.query(`SELECT name, commune FROM address_streets ORDER BY md5(key) LIMIT 60`)).rows;
  // one statement each: VACUUM may not run in the implicit transaction of a multi-statement query
  await c.query('VACUUM ANALYZE addresses');
  await c.query('VACUUM ANALYZE address_streets');
  await c.end();
  results.openPlaced = open;

  log('4. HTTP, one connection');
  app = await startApp();
  const agent = await login(AGENT);
  const adminCookie = await login(ADMIN);
  const abbreviate = (n) =>
    n
      .replace(/^Avenue /, 'av. ')
      .replace(/^Boulevard /, 'bd ')
      .replace(/^Rue /, 'r. ')
      .replace(/^Place /, 'pl. ')
      .replace(/^Chemin /, 'chem. ');
  const typed = streets.flatMap((s, i) => [
    `${1 + (i % 40)} ${abbreviate(s.name)}`,
    `${17 + i} bis ${s.name.toLowerCase()}`,
    s.name.slice(0, 4 + (i % 8)),
    `${s.name} ${s.commune}`,
    `${3 + i} ${s.name.split(' ').slice(1).join(' ').normalize('NFD').replace(/\p{M}/gu, '')}`,
  ]);
  // the HTTP stack's floor on this machine now: an authenticated route that reads nothing of places
  results.floor = await measure('floor: GET /api/v1/auth/me (agent)', ['/api/v1/auth/me'], agent, Math.min(REQUESTS, 200));
  if (ONLY !== 'map') await compareSql(typed);
  if (ONLY !== 'map')
    results.search = await measure(
      'address search (agent)',
      typed.map((q) => `/api/v1/places/search?q=${encodeURIComponent(q)}`),
      agent,
    );
  const town = '0.64,47.36,0.74,47.43';
  const views = [
    `bbox=${town}&zoom=13`,
    `bbox=0.675,47.38,0.705,47.40&zoom=15`,
    `bbox=0.685,47.386,0.695,47.392&zoom=17`,
    `bbox=${town}&zoom=13&status=new`,
    `bbox=${town}&zoom=14&breached=true`,
  ];
  if (ONLY === 'search') throw Object.assign(new Error('done'), { done: true });
  // how many open requests each caller has in the whole town's view (the map's `total`)
  for (const [who, cookie, extra] of [
    ['agent', agent, ''],
    ['admin', adminCookie, 'view=all&'],
  ]) {
    const r = await fetch(`${BASE}/api/v1/places/requests-map?${extra}bbox=${town}&zoom=13`, {
      headers: { cookie },
      signal: AbortSignal.timeout(60_000),
    });
    const body = await r.json();
    results[`inView_${who}`] = body.total;
    log(`  whole town in view, ${who}: ${body.total.toLocaleString('en')} open requests in ${body.cells.length} cells`);
  }
  results.mapAgent = await measure(
    `map of requests (agent, ${open.toLocaleString('en')} open placed in the town)`,
    views.map((v) => `/api/v1/places/requests-map?${v}`),
    agent,
  );
  results.mapAdmin = await measure(
    'map of requests (admin, every department)',
    views.map((v) => `/api/v1/places/requests-map?view=all&${v}`),
    adminCookie,
  );
  log(JSON.stringify(results));
} catch (e) {
  if (!e.done) throw e;
  log(JSON.stringify(results));
} finally {
  await stop(app);
  if (args['keep-db'] || REUSE) log(`database kept: ${DB}`);
  else await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
}
