#!/usr/bin/env node
// Anonymisation bench (issue 10): the retention job anonymises N closed requests on a seeded town while agents
// read their inbox. Prints requests/s, the longest lock held (longest batch transaction, and the longest
// writing transaction seen by sampling pg_stat_activity every 20 ms) and the inbox p95 before and during the run.
//   node bench/anonymise.mjs [--tickets=1000000] [--anonymise=100000] [--skip-seed] [--keep-db] [--batch=100] [--concurrency=2] [--port=3988]
//                            [--save-seed] [--from-seed] [--log-statements] [--cpu-prof] [--all-in-one] [--without-mail] [--inbox-rate=20]
// The job runs in a worker process of its own (GRC_ROLE=worker) beside the API (GRC_ROLE=api), as in
// docker/compose.yml and deploy/kubernetes; --all-in-one runs both in one process (GRC_ROLE=all, a small town's
// single process), where the job's JavaScript shares the event loop with the agents' requests.
// --save-seed keeps a copy of the fresh seed (database grc_bench_anon_seed); --from-seed starts each run from that
// copy (CREATE DATABASE … TEMPLATE), so that several runs measure the same first anonymisation (median of runs).
// --log-statements has PostgreSQL log every statement of the run with its duration (log_min_duration_statement = 0
// on this database only): where a batch's time goes, read from the server's log. --cpu-prof writes the measured
// API process's CPU profile to bench/results/ (open it in Chrome DevTools or speedscope).
// Its own database (grc_bench_anon), port and queue prefix: it can run beside bench/run.mjs. See bench/README.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
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
  'anonymise',
  'skip-seed',
  'keep-db',
  'batch',
  'concurrency',
  'port',
  'save-seed',
  'from-seed',
  'log-statements',
  'cpu-prof',
  'all-in-one',
  'without-mail',
  'inbox-rate',
];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const TICKETS = Number(args.tickets ?? 1_000_000);
const N = Number(args.anonymise ?? 100_000);
const BATCH = Number(args.batch ?? 100);
const CONCURRENCY = Number(args.concurrency ?? 2); // GRC_RETENTION_CONCURRENCY: batches side by side
const PORT = Number(args.port ?? 3988);
// The agents' inbox reads, per second, at a steady rate (a few agents at work: each reads a page every few seconds),
// so that the latency measured is what an agent meets while the job runs. --inbox-rate=0: one connection reading
// back to back (the previous sessions' figures): a load of its own, about one core of this 2-core machine (API and
// PostgreSQL), which then competes with the job it is meant to observe.
const INBOX_RATE = Number(args['inbox-rate'] ?? 20);
const DB = 'grc_bench_anon';
const SEED_COPY = 'grc_bench_anon_seed';
const PREPARED = `${SEED_COPY}_${N}${args['without-mail'] ? '_nomail' : ''}`;
const PREFIX = 'grc-bench-anon';
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${PG_BASE}/${DB}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE = `http://127.0.0.1:${PORT}`;
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const AGENT = 'karim.benali@saint-aubin.fr';
const PASSWORD = 'Demo-GRC-2026!';
const TARGETS = { perSecond: 2000, longestLockMs: 200 };
const log = (s) => console.log(s);

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
  const c = new pg.Client({ connectionString: DATABASE_URL, application_name: 'grc-bench-anon' });
  await c.connect();
  return c;
};

async function startApp(extraArgs, { profile = false, role = 'all' } = {}) {
  const env = {
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    GRC_ROLE: role,
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: PREFIX,
    GRC_LOGIN_IP_FAILURES: '100000',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    // the bench wakes the job itself (below); the repeatable one would first run in a week
    GRC_RETENTION_EVERY_MINUTES: '10080',
    GRC_RETENTION_BATCH: String(BATCH),
    GRC_RETENTION_CONCURRENCY: String(CONCURRENCY),
    NODE_ENV: 'production',
  };
  const prof = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/results')}`, '--cpu-prof-name=anonymise-api.cpuprofile'] : [];
  const child = spawn(process.execPath, [...prof, MAIN, 'serve', ...extraArgs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  // a worker serves no HTTP: it is up once Nest says so (its queues' workers are then listening)
  if (role === 'worker') {
    const deadline = Date.now() + 180_000;
    while (!/worker started/.test(output)) {
      if (child.exitCode !== null) throw new Error(`the worker exited during start-up:\n${output.slice(-4000)}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the worker did not start within 180 s:\n${output.slice(-4000)}`);
      }
      await sleep(200);
    }
    return { child, role, output: () => output };
  }
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited during start-up:\n${output.slice(-4000)}`);
    const ok = await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, role, output: () => output };
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not start within 180 s:\n${output.slice(-4000)}`);
}
async function stopApp(app) {
  if (!app || app.child.exitCode !== null) return;
  const done = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGTERM');
  if ((await Promise.race([done.then(() => 'ok'), sleep(15_000).then(() => 'timeout')])) === 'timeout') app.child.kill('SIGKILL');
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

/** CPU ms (user + system) of a process, from /proc (Linux): fields 14 and 15 of its stat, in clock ticks. */
function cpuMsOfPid(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0; // gone
  }
}
/** CPU used so far by the process that runs the job and by each of the database's server processes for the app. */
async function cpuOf(db, proc) {
  // the worker's own connections when it is a process of its own; all-in-one, the agents' reads are counted too
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = ANY($2::text[])`, [
    DB,
    proc.role === 'worker' ? ['grc-worker'] : ['grc-all'],
  ]);
  return { process: cpuMsOfPid(proc.child.pid), postgres: new Map(rows.map((r) => [r.pid, cpuMsOfPid(r.pid)])) };
}
/** The database's CPU between two readings: per server process (one opened in between counts from zero). */
const postgresCpuBetween = (before, after) => [...after.postgres].reduce((n, [pid, ms]) => n + ms - (before.postgres.get(pid) ?? 0), 0);

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
/** The agent's inbox with one connection (one agent's latency) for `duration` seconds; p50/p95 from every response. */
async function inbox(cookie, duration) {
  const latencies = [];
  const inst = autocannon({
    url: `${BASE}/api/v1/tickets?view=departments&limit=50`,
    connections: 1,
    duration,
    headers: { cookie },
    ...(INBOX_RATE > 0 ? { overallRate: INBOX_RATE } : {}),
  });
  inst.on('response', (_c, status, _b, ms) => status === 200 && latencies.push(ms));
  await inst;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, p50: pct(latencies, 50), p95: pct(latencies, 95), max: latencies.at(-1) ?? null };
}

/**
 * Exactly N closed requests due: a rule "0 months, then anonymise" for every category, the other closed ones marked
 * as anonymised already (the job's selection skips them). With --from-seed the result is kept as a template of its
 * own (PREPARED), so that every later run measures the same N requests and skips this step's minutes.
 */
async function prepare() {
  const db = await connect();
  await db.query(`DELETE FROM retention_rules; DELETE FROM retention_runs`);
  await db.query(`INSERT INTO retention_rules (category_id, months, action) VALUES (NULL, 0, 'anonymise')`);
  await db.query(`UPDATE tickets SET anonymised_at = NULL WHERE anonymised_at IS NOT NULL`);
  const { rows: closed } = await db.query(`SELECT count(*)::int AS n FROM tickets WHERE status = 'closed'`);
  if (closed[0].n < N) throw new Error(`only ${closed[0].n} closed requests: seed more (--tickets)`);
  await db.query(
    `UPDATE tickets SET anonymised_at = now() WHERE status = 'closed' AND id NOT IN (SELECT id FROM tickets WHERE status = 'closed' ORDER BY random() LIMIT $1)`,
    [N],
  );
  // what the seed leaves out and a real request carries: the acknowledgement e-mail sent to its requester (the
  // outbox keeps the address and subject after the sent bodies' purge) and its public tracking key. Without
  // them the run would skip two of the tables it must rewrite (--without-mail: the seed as it is)
  if (!args['without-mail']) {
    const mail = await db.query(
      `INSERT INTO mail_outbox (ticket_id, kind, to_address, subject, text, message_id, state, attempts, next_attempt_at, created_at, updated_at, sent_at, commune_id)
         SELECT t.id, 'acknowledgement', c.email, 'Votre demande ' || t.reference || ' a bien été reçue',
           'Bonjour ' || coalesce(c.first_name || ' ' || c.last_name, c.organisation_name, '') || E',\n\nvotre demande ' || t.reference
             || ' « ' || t.subject || E' » est enregistrée. Vous pouvez la suivre en ligne.\n\nLa mairie',
           '<ack.' || t.id || '@bench.grc>', 'sent', 1, NULL, t.created_at, t.created_at, t.created_at, t.commune_id
         FROM tickets t JOIN citizens c ON c.id = t.citizen_id
         WHERE t.status = 'closed' AND t.anonymised_at IS NULL AND c.email IS NOT NULL
         ON CONFLICT DO NOTHING`,
    );
    const keys = await db.query(
      `INSERT INTO ticket_tracking_keys (ticket_id, key_hash, created_at, commune_id)
         SELECT t.id, encode(sha256(convert_to('bench-' || t.id, 'UTF8')), 'hex'), t.created_at, t.commune_id
         FROM tickets t WHERE t.status = 'closed' AND t.anonymised_at IS NULL ON CONFLICT DO NOTHING`,
    );
    log(
      `the due requests' acknowledgements (${mail.rowCount.toLocaleString('en')} e-mails) and tracking keys (${keys.rowCount.toLocaleString('en')})`,
    );
    await db.query(`VACUUM (ANALYZE) mail_outbox, ticket_tracking_keys`);
  }
  await db.query(`VACUUM (ANALYZE) tickets`);
  log(`${N.toLocaleString('en')} closed requests due (of ${closed[0].n.toLocaleString('en')} closed)`);
  await db.end();
  if (args['from-seed']) {
    log(`prepared database kept as ${PREPARED}`);
    await adminQuery(`CREATE DATABASE ${PREPARED} TEMPLATE ${DB}`);
  }
}

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/apps/grc-api/main.js is missing: npx nx build grc-api');
  let app;
  let worker;
  try {
    let prepared = false;
    if (args['from-seed']) {
      prepared = (await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${PREPARED}'`)).rows.length > 0;
      const from = prepared ? PREPARED : SEED_COPY;
      log(`database ${DB} from the kept ${prepared ? 'prepared ' : ''}seed ${from}`);
      await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await adminQuery(`CREATE DATABASE ${DB} TEMPLATE ${from}`);
    } else if (!args['skip-seed']) {
      log(`fresh database ${DB}, demo town, then ${TICKETS.toLocaleString('en')} requests`);
      await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await adminQuery(`CREATE DATABASE ${DB}`);
      app = await startApp(['--migrate', '--demo', 'packs/demo-town']);
      await stopApp(app);
      app = null;
      await seed({ connect, tickets: TICKETS, log });
      if (args['save-seed']) {
        log(`copy of the seed kept as ${SEED_COPY} (reuse it with --from-seed)`);
        await adminQuery(`DROP DATABASE IF EXISTS ${SEED_COPY} WITH (FORCE)`);
        await adminQuery(`CREATE DATABASE ${SEED_COPY} TEMPLATE ${DB}`);
        // the prepared copies came from the previous seed
        for (const { datname } of (await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE '${SEED_COPY}\\_%'`)).rows)
          await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    }
    // exactly N closed requests due: a rule "0 months, then anonymise" for every category, the other closed ones
    // marked as anonymised already (the job's selection skips them)
    if (!prepared) await prepare();
    const db = await connect();

    await db.query(
      `ALTER DATABASE ${DB} ${args['log-statements'] ? 'SET log_min_duration_statement = 0' : 'RESET log_min_duration_statement'}`,
    );
    const split = !args['all-in-one'];
    app = await startApp(['--migrate'], { profile: !!args['cpu-prof'] && !split, role: split ? 'api' : 'all' });
    if (split) worker = await startApp([], { profile: !!args['cpu-prof'], role: 'worker' });
    const cookie = await login(AGENT);
    await inbox(cookie, 3); // warm-up
    const before = await inbox(cookie, 10);
    log(`inbox before: p50 ${before.p50} ms, p95 ${before.p95} ms (${before.requests} requests)`);

    // lock sampling: the longest-running writing transaction of the app (backend_xid set: it holds row locks)
    // and, apart, the longest one holding a write lock on the tables agents work on (requests, citizens): the
    // one that could make an agent wait (the worker's inbox counters rebuild, say, writes only its own table)
    let longestXactMs = 0;
    let longestXactQuery = '';
    let longestAgentLockMs = 0;
    let sampling = true;
    const sampler = (async () => {
      const s = await connect();
      while (sampling) {
        const { rows } = await s.query(
          `SELECT extract(epoch FROM clock_timestamp() - a.xact_start) * 1000 AS ms, left(a.query, 120) AS query,
             EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.mode = 'RowExclusiveLock'
                     AND l.relation IN ('tickets'::regclass, 'citizens'::regclass)) AS agents
           FROM pg_stat_activity a
           WHERE a.datname = $1 AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid() AND a.application_name <> 'grc-bench-anon'`,
          [DB],
        );
        for (const r of rows) {
          if (r.ms > longestXactMs) [longestXactMs, longestXactQuery] = [r.ms, r.query];
          if (r.agents) longestAgentLockMs = Math.max(longestAgentLockMs, r.ms);
        }
        await sleep(20);
      }
      await s.end();
    })();

    // every run from now on counts: the app's own schedule may start one before the bench's job does (runs never
    // overlap, startRun refuses a second one), and the first to start does the work
    const { rows: t0 } = await db.query(`SELECT now() AS at`);
    const cpuBefore = await cpuOf(db, worker ?? app);
    const queue = new Queue('retention', { connection: { url: REDIS_URL }, prefix: PREFIX });
    await queue.add('run', {}, { jobId: `bench-${Date.now()}` });
    await queue.close();
    const during = [];
    let run;
    const deadline = Date.now() + 3_600_000;
    for (;;) {
      during.push(await inbox(cookie, 5));
      const { rows } = await db.query(
        `SELECT count(*)::int AS runs, count(*) FILTER (WHERE state = 'running')::int AS running,
           string_agg(DISTINCT state, ',') AS states,
           coalesce(sum((counts->>'requests')::int), 0)::int AS requests, coalesce(sum((counts->>'batches')::int), 0)::int AS batches,
           coalesce(max((counts->>'longestBatchMs')::int), 0)::int AS longest,
           coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)::float8 AS seconds
         FROM retention_runs WHERE kind = 'retention' AND started_at >= $1`,
        [t0[0].at],
      );
      run = rows[0];
      if (run.runs > 0 && run.running === 0 && run.requests > 0) break;
      if (Date.now() > deadline) throw new Error('the run did not finish within an hour');
    }
    const cpuAfter = await cpuOf(db, worker ?? app);
    sampling = false;
    await sampler;
    const seconds = run.seconds;
    const lat = during.flatMap((d) => [d]);
    const p95During = Math.max(...lat.map((d) => d.p95 ?? 0));
    const { rows: total } = await db.query(`SELECT count(*)::int AS n FROM tickets`);
    const result = {
      tickets: total[0].n,
      processes: split ? 'api + worker' : 'all-in-one',
      inboxReadsPerSecond: INBOX_RATE > 0 ? INBOX_RATE : 'back to back, one connection',
      acknowledgementsAndTrackingKeys: !args['without-mail'],
      anonymised: run.requests,
      runs: run.runs,
      state: run.states,
      seconds: +seconds.toFixed(1),
      perSecond: Math.round(run.requests / seconds),
      batches: run.batches,
      longestBatchMs: run.longest,
      longestWritingTransactionSampledMs: Math.round(longestXactMs),
      longestWritingTransactionQuery: longestXactQuery,
      longestLockOnRequestsOrCitizensSampledMs: Math.round(longestAgentLockMs),
      inboxBefore: before,
      inboxDuringWorstWindowP95: p95During,
      inboxDuringWindows: during.length,
      // CPU time per anonymised request, less sensitive than seconds to what else the machine runs
      cpuMsPerRequest: {
        process: +((cpuAfter.process - cpuBefore.process) / run.requests).toFixed(3),
        postgres: +(postgresCpuBetween(cpuBefore, cpuAfter) / run.requests).toFixed(3),
      },
      targets: TARGETS,
    };
    log(JSON.stringify(result, null, 2));
    log(
      `=> ${result.perSecond} requests/s (target ≥ ${TARGETS.perSecond}), longest lock on requests/citizens ${Math.max(result.longestBatchMs, result.longestLockOnRequestsOrCitizensSampledMs)} ms ` +
        `(target ≤ ${TARGETS.longestLockMs}), inbox p95 ${before.p95} ms before, ${p95During} ms during (worst 5 s window)`,
    );
    await db.end();
  } finally {
    await stopApp(worker);
    await stopApp(app);
    if (!args['keep-db'] && !args['skip-seed'] && !args['from-seed'])
      await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
