#!/usr/bin/env node
// Figures bench (issue 11): a seeded town (requests spread over --years, default 5), the rollup rebuilt from
// scratch, then over HTTP: the dashboard's p95 for a head (voirie) and for the DGS (the whole town, by
// department) over the last 12 months, a full-year CSV export of one department (its requests, one line each),
// the open data's regeneration (time, peak memory) and the rollup's refresh cost per 1,000 ticket changes (marks, then `main.js reporting-refresh`).
//   node bench/reporting.mjs [--tickets=10000000] [--years=5] [--duration=10] [--changes=1000] [--lean] [--metropole] [--skip-seed]
//     [--seed-only] [--keep-db] [--db=grc_bench_reporting] [--port=3989]
// --lean (default from 5 M requests): fewer timeline and audit rows per request (seed.mjs says which), to fit ~40 GB at 10 M.
// --metropole (default from 5 M requests): the demo métropole and its second commune loaded too, the requests spread over them.
// --seed-only: stop after the seed (no rollup rebuild, no HTTP). --skip-seed never drops the database; with --rebuild it
// rebuilds the whole rollup first (timed, as after a seed); --only-rebuild: that rebuild alone, then stop.
// --skip-cube: the HTTP figures without timing the cube's rebuild from the facts first (minutes at 10 M, just after
// a --only-rebuild that built it). --only-export: the export alone (no dashboards, open data or refresh).
// 10 M requests is the target on a quiet machine (seed first with --keep-db, then measure with --skip-seed); run it
// small on a shared machine (e.g. --tickets=100000). Its own database (grc_bench_reporting), port and queue prefix.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { loadavg } from 'node:os';
import pg from 'pg';
import autocannon from 'autocannon';
import { seed } from './seed.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = [
  'tickets',
  'years',
  'duration',
  'changes',
  'lean',
  'metropole',
  'skip-seed',
  'seed-only',
  'rebuild',
  'only-rebuild',
  'skip-cube',
  'only-export',
  'keep-db',
  'port',
  'db',
];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const TICKETS = Number(args.tickets ?? 10_000_000);
const YEARS = Number(args.years ?? 5);
const DURATION = Number(args.duration ?? 10);
const CHANGES = Number(args.changes ?? 1000);
const PORT = Number(args.port ?? 3989);
const LEAN = args.lean === undefined ? TICKETS >= 5_000_000 : args.lean !== 'false';
// --metropole (default from 5 M requests): the demo métropole's packs too, the requests spread over its communes (seed.mjs)
const METROPOLE = args.metropole === undefined ? TICKETS >= 5_000_000 : args.metropole !== 'false';
const DB = typeof args.db === 'string' ? args.db : 'grc_bench_reporting'; // --db=grc_bench10m: the kept 10 M database
if (!/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error(`--db: a plain database name, not ${DB}`);
const PREFIX = process.env.BENCH_QUEUE_PREFIX ?? 'grc-bench-reporting'; // BENCH_QUEUE_PREFIX: several benches on one Redis
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${PG_BASE}/${DB}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE = `http://127.0.0.1:${PORT}`;
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const HEAD = 'thierry.moreau@saint-aubin.fr';
const DGS = 'helene.marchand@saint-aubin.fr';
const PASSWORD = 'Demo-GRC-2026!';
const TARGETS = { dashboardP95Ms: 200, exportMs: 2000 };
const log = (s) => console.log(s);

const env = {
  ...process.env,
  DATABASE_URL,
  REDIS_URL,
  PORT: String(PORT),
  HOST: '127.0.0.1',
  GRC_ROLE: 'all',
  GRC_ROOT: ROOT,
  GRC_QUEUE_PREFIX: PREFIX,
  GRC_LOGIN_IP_FAILURES: '100000',
  GRC_DATA_DIR: join(ROOT, 'bench/.data'),
  // the bench folds the rollup itself (reporting-rebuild / reporting-refresh), the worker's jobs stay out of the way
  GRC_REPORTING_REFRESH_SECONDS: '0',
  GRC_OPEN_DATA_EVERY_HOURS: '0',
  GRC_RETENTION_EVERY_MINUTES: '0',
  NODE_ENV: 'production',
};

async function adminQuery(sql) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
const connect = async () => {
  const c = new pg.Client({ connectionString: DATABASE_URL, application_name: 'grc-bench-reporting' });
  await c.connect();
  return c;
};

async function startApp(extraArgs) {
  const child = spawn(process.execPath, [MAIN, 'serve', ...extraArgs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited during start-up:\n${output.slice(-4000)}`);
    const ok = await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, output: () => output };
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not start in time:\n${output.slice(-4000)}`);
}
async function stopApp(app) {
  if (!app || app.child.exitCode !== null) return;
  const done = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGTERM');
  if ((await Promise.race([done.then(() => 'ok'), sleep(15_000).then(() => 'timeout')])) === 'timeout') app.child.kill('SIGKILL');
}
/** One command of main.js (reporting-rebuild, reporting-refresh); its wall time and its log. */
async function command(name, ...more) {
  const t0 = performance.now();
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, name, ...more], { cwd: ROOT, env, maxBuffer: 16 << 20 });
  return { ms: Math.round(performance.now() - t0), out: `${stdout}${stderr}` };
}

async function login(email) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`login ${email}: HTTP ${r.status}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('grc_session='));
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
/** One connection (one person's latency) for `duration` seconds; p50/p95 of every 200. */
async function latency(path, cookie, duration) {
  const latencies = [];
  let errors = 0;
  const inst = autocannon({ url: `${BASE}${path}`, connections: 1, duration, headers: { cookie } });
  inst.on('response', (_c, status, _b, ms) => (status === 200 ? latencies.push(ms) : errors++));
  await inst;
  latencies.sort((a, b) => a - b);
  const r = (v) => (v === null || v === undefined ? null : Math.round(v));
  return { requests: latencies.length, errors, p50: r(pct(latencies, 50)), p95: r(pct(latencies, 95)), max: r(latencies.at(-1)) };
}

const iso = (d) => d.toISOString().slice(0, 10);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/apps/grc-api/main.js is missing: npx nx build grc-api');
  let app;
  const db = await connect().catch(() => null);
  await db?.end();
  try {
    if (!args['skip-seed']) {
      log(
        `fresh database ${DB}, demo town, then ${TICKETS.toLocaleString('en')} requests over ${YEARS} years${LEAN ? ' (lean timeline and audit)' : ''}`,
      );
      await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await adminQuery(`CREATE DATABASE ${DB}`);
      const packs = ['packs/demo-town', ...(METROPOLE ? ['packs/demo-metropole/grand-aubin', 'packs/demo-metropole/val-fleuri'] : [])];
      app = await startApp(['--migrate', ...packs.flatMap((p) => ['--demo', p])]);
      await stopApp(app);
      app = null;
      const s = await seed({ connect, tickets: TICKETS, days: Math.round(YEARS * 365.25), lean: LEAN, log });
      log(`seeded: ${JSON.stringify(s.counts)} in ${s.seconds.toFixed(0)} s (${JSON.stringify(s.phases)}); load ${load()}`);
      if (args['seed-only']) return;
    }
    if (!args['skip-seed'] || args.rebuild || args['only-rebuild']) {
      log(`rebuilding the rollup from scratch (main.js reporting-rebuild); load ${load()}`);
      const rebuild = await command('reporting-rebuild');
      log(`rollup rebuilt from scratch: ${rebuild.ms} ms (${/figures rebuilt: [^\n]*/.exec(rebuild.out)?.[0] ?? '?'}); load ${load()}`);
      if (args['only-rebuild']) return;
    }
    // the cube alone, set-based from the facts (what a time zone change or an upgrade costs)
    if (!args['skip-cube']) {
      const cube = await command('reporting-rebuild', '--cube-only');
      log(`cube rebuilt from the facts: ${cube.ms} ms wall (${/figures' cube rebuilt[^\n]*/.exec(cube.out)?.[0] ?? '?'}); load ${load()}`);
    }
    const c = await connect();
    const {
      rows: [size],
    } = await c.query(`SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM report_ticket_facts)::int AS facts,
      pg_size_pretty(pg_total_relation_size('report_ticket_facts')) AS facts_size, pg_size_pretty(pg_database_size(current_database())) AS db_size,
      (SELECT count(*) FROM report_cube)::int AS cells, (SELECT count(*) FROM report_cube_durations)::int AS durations,
      pg_size_pretty(pg_total_relation_size('report_cube') + pg_total_relation_size('report_cube_durations')) AS cube_size,
      (SELECT count(*) FROM (SELECT DISTINCT department_id, category_id, channel, priority, area FROM report_cube) x)::int AS combos,
      (SELECT count(DISTINCT month) FROM report_cube)::int AS months`);
    log(
      `database: ${size.tickets.toLocaleString('en')} requests, ${size.facts.toLocaleString('en')} facts (${size.facts_size}), ${size.db_size}`,
    );
    log(
      `cube: ${size.cells.toLocaleString('en')} cells + ${size.durations.toLocaleString('en')} histogram rows (${size.cube_size}) = ${((size.cells / Math.max(1, size.facts)) * 100).toFixed(1)} % of the facts' rows in cells; ${size.combos.toLocaleString('en')} dimension combinations seen over ${size.months} months`,
    );
    await c.query(`VACUUM (ANALYZE) report_ticket_facts`);
    await c.query(`VACUUM (ANALYZE) report_cube`);
    await c.query(`VACUUM (ANALYZE) report_cube_durations`);

    app = await startApp(['--migrate']);
    const head = await login(HEAD);
    const dgs = await login(DGS);
    const to = new Date(Date.now() - 86400e3);
    const from = new Date(to.getTime() - 364 * 86400e3);
    const period = `from=${iso(from)}&to=${iso(to)}`;
    // the 12 whole months before the current one (the cube alone, with the facts for the backlog's last month)
    const now = new Date();
    const wholeTo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
    const wholeFrom = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1));
    const whole = `from=${iso(wholeFrom)}&to=${iso(wholeTo)}`;
    const results = {};
    for (const [who, cookie, q, what] of args['only-export']
      ? []
      : [
          ['head', head, `${period}&by=channel`, 'last 365 days: whole months from the cube, partial edges from the facts'],
          ['dgs', dgs, `${period}&by=department`, 'last 365 days: whole months from the cube, partial edges from the facts'],
          ['head', head, `${whole}&by=channel`, '12 whole months'],
          ['dgs', dgs, `${whole}&by=department`, '12 whole months'],
        ]) {
      await latency(`/api/v1/reporting/dashboard?${q}`, cookie, 2); // warm-up
      const r = await latency(`/api/v1/reporting/dashboard?${q}`, cookie, DURATION);
      results[`dashboard_${who}_${what}`] = r;
      log(
        `dashboard (${who}, ${what}): p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms (${r.requests} requests, ${r.errors} errors; target p95 ≤ ${TARGETS.dashboardP95Ms} ms); load ${load()}`,
      );
    }
    const {
      rows: [voirie],
    } = await c.query(`SELECT id FROM departments WHERE code = 'voirie'`);
    const exports = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await fetch(`${BASE}/api/v1/reporting/export?${period}&departmentId=${voirie.id}&format=csv&kind=requests`, {
        headers: { cookie: dgs, 'accept-encoding': 'gzip, deflate, br, zstd' },
      });
      const body = await r.arrayBuffer();
      if (!r.ok) throw new Error(`export: HTTP ${r.status}`);
      exports.push({ ms: Math.round(performance.now() - t0), bytes: body.byteLength });
    }
    const lines = exports[0].bytes;
    exports.sort((a, b) => a.ms - b.ms);
    log(
      `full-year CSV export of voirie (its requests): median ${exports[1].ms} ms, max ${exports[2].ms} ms, ${(lines / 1e6).toFixed(1)} MB (target ≤ ${TARGETS.exportMs} ms)`,
    );
    if (args['only-export']) {
      await c.end();
      return;
    }

    // the open data's daily regeneration (every commune), its time and the process's peak memory
    const od = await command('reporting-rebuild', '--open-data-only');
    log(
      `open data: ${/open data regenerated: [^\n]*/.exec(od.out)?.[0] ?? '?'} (command wall time ${od.ms} ms with start-up); load ${load()}`,
    );

    // the refresh cost: CHANGES requests marked as changed, then one refresh
    await c.query(`INSERT INTO report_dirty (ticket_id) SELECT id FROM tickets ORDER BY random() LIMIT $1 ON CONFLICT DO NOTHING`, [
      CHANGES,
    ]);
    const refresh = await command('reporting-refresh');
    const inner = /figures refreshed: (\d+) request\(s\) in (\d+) ms/.exec(refresh.out);
    const folded = Number(inner?.[1] ?? 0);
    const ms = Number(inner?.[2] ?? NaN);
    log(
      `rollup refresh: ${folded} changed requests folded in ${ms} ms = ${Math.round((ms / Math.max(1, folded)) * 1000)} ms per 1,000 changes (command wall time ${refresh.ms} ms with start-up)`,
    );
    await c.end();
    log(`load average (1 / 5 / 15 min) at the end: ${load()} on ${(await import('node:os')).cpus().length} cores`);
  } finally {
    await stopApp(app);
    if (!args['keep-db'] && !args['skip-seed'] && !args['seed-only'])
      await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
