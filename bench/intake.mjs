#!/usr/bin/env node
// Ticket intake over HTTP: POST /api/v1/tickets with 8 clients against the built app, on a fresh database (demo
// town) and a Redis of its own, and what each created ticket costs in round trips.
//   node bench/intake.mjs [--duration=20] [--connections=8] [--apis=1] [--history=0] [--cpu-prof] [--port=3990]
//   --apis=N      N API processes (GRC_ROLE=api, the clients spread over them) and one worker process;
//                 --apis=0: one process in role all (the quick start)
//   --history=N   the requester already has N tickets (a business reporting many items)
//   --cpu-prof    profile the (first) API process (node --cpu-prof) and print where its time went
//   --count-queries  count the statements the (first) API process sends (bench/count-queries.cjs), per ticket
//   --workers=N   GRC_API_WORKERS=N: each API process (or the all-role one) is a node:cluster primary of N processes
//                 sharing its port (grc serve; --count-queries then counts nothing: the statements are the children's)
//   --pgbench     then the same rows written by PostgreSQL alone (bench/intake-pgbench.sql, pgbench -M prepared, same
//                 clients and duration, the app stopped): the database's own limit, and the app's share of it
//   --main=PATH   another build's main.js (e.g. a copy of the previous build, to compare; --apis=0 for builds
//                 without the operations port)
// Prints tickets/s, latency percentiles, PostgreSQL transactions and Redis commands per created ticket.
// See bench/README.md. Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL) and the redis-server binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import pg from 'pg';
import Redis from 'ioredis';
import autocannon from 'autocannon';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['duration', 'connections', 'apis', 'history', 'cpu-prof', 'port', 'keep-db', 'main', 'count-queries', 'workers', 'pgbench'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const DURATION = Number(args.duration ?? 20);
const CONNECTIONS = Number(args.connections ?? 8);
const APIS = Number(args.apis ?? 1);
const HISTORY = Number(args.history ?? 0);
const PROFILE = Boolean(args['cpu-prof']);
const PORT = Number(args.port ?? 3990);
const WORKERS = Number(args.workers ?? 1);
const PGBENCH = Boolean(args.pgbench);
const WARMUP = 5;
const DB = 'grc_bench_intake';
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${PG_BASE}/${DB}`;
const MAIN = resolve(ROOT, args.main ?? 'dist/apps/grc-api/main.js');
const PASSWORD = 'Demo-GRC-2026!';
const AGENT = 'karim.benali@saint-aubin.fr';
const PROFILES = join(ROOT, 'bench/results/profiles');
const COUNT = Boolean(args['count-queries']);
const COUNTS_FILE = join(os.tmpdir(), `grc-bench-queries-${process.pid}.json`);
/** node options of the first API process: profile and/or count its statements */
const firstApiArgs = () => [
  ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES}`] : []),
  ...(COUNT ? ['-r', join(ROOT, 'bench/count-queries.cjs')] : []),
];
/** The first API process's statement counts so far (it writes them on SIGWINCH). */
async function queryCounts(proc) {
  if (!COUNT) return {};
  rmSync(COUNTS_FILE, { force: true });
  proc.child.kill('SIGWINCH');
  for (let i = 0; i < 50 && !existsSync(COUNTS_FILE); i++) await sleep(100);
  return JSON.parse(readFileSync(COUNTS_FILE, 'utf8'));
}
const log = (s) => console.log(s);

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npx nx build grc-api`);

async function adminQuery(sql) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      await client.ping();
      return { child, url, client };
    } catch {
      client.disconnect();
      await sleep(100);
    }
  }
  throw new Error('redis-server did not start (is it installed?)');
}

function env(redisUrl, extra) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: 'grc-bench-intake',
    GRC_LOGIN_ACCOUNT_FAILURES: '100000',
    GRC_LOGIN_IP_FAILURES: '100000',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    GRC_RETENTION_EVERY_MINUTES: '0',
    GRC_LOG_LEVEL: 'warn',
    GRC_BENCH_QUERY_COUNTS: COUNTS_FILE,
    GRC_API_WORKERS: String(WORKERS),
    ...extra,
  };
}

function start(name, nodeArgs, e, probe) {
  const child = spawn(process.execPath, [...nodeArgs, MAIN, 'serve'], { cwd: ROOT, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    name,
    child,
    async ready() {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${name} exited:\n${output.slice(-4000)}`);
        const ok = await fetch(probe, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(300);
      }
      throw new Error(`${name} not ready within 180 s:\n${output.slice(-4000)}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      if ((await Promise.race([done.then(() => 'ok'), sleep(20_000).then(() => 'timeout')])) === 'timeout') {
        child.kill('SIGKILL');
        await done;
      }
    },
  };
}

async function login(base) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email: AGENT, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`login: HTTP ${r.status} ${await r.text()}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('grc_session='));
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const round = (x, d = 1) => (x == null ? null : +x.toFixed(d));

/** Runs `connections` clients spread over the API processes for `duration` s. */
async function load(targets, body, duration) {
  const latencies = [];
  const statuses = {};
  const per = targets.map((t, i) => Math.floor(CONNECTIONS / targets.length) + (i < CONNECTIONS % targets.length ? 1 : 0));
  const runs = await Promise.all(
    targets.map((t, i) => {
      const instance = autocannon({
        url: `${t.base}/api/v1/tickets`,
        method: 'POST',
        connections: per[i],
        duration,
        timeout: 30,
        headers: { cookie: t.cookie, 'x-requested-with': 'grc', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      instance.on('response', (_c, status, _b, ms) => {
        latencies.push(ms);
        statuses[status] = (statuses[status] ?? 0) + 1;
      });
      return instance;
    }),
  );
  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses)
    .filter(([s]) => s >= 200 && s < 300)
    .reduce((n, [, k]) => n + k, 0);
  return {
    requests: latencies.length,
    ok,
    statuses,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    perSecond: round(ok / duration),
    p50: round(pct(latencies, 50)),
    p95: round(pct(latencies, 95)),
    p99: round(pct(latencies, 99)),
  };
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
/** user + system CPU ticks of a process so far, or undefined once it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
/** A process and all its descendants (node:cluster children of the API). */
function withDescendants(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}
/**
 * CPU time spent by groups of processes over a window, sampled every 250 ms (a process that exits keeps its last
 * reading). The throughput of a shared machine moves with the others' load; the CPU each ticket costs moves much
 * less, and the cores divided by it say what this machine could do for the app alone.
 */
function cpuMeter(groups) {
  const first = new Map();
  const last = new Map();
  const sample = async () => {
    for (const [name, pids] of Object.entries(groups)) {
      for (const pid of await pids()) {
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        const key = `${name}:${pid}`;
        if (!first.has(key)) first.set(key, t);
        last.set(key, t);
      }
    }
  };
  let timer;
  let sampling = sample();
  timer = setInterval(() => (sampling = sampling.then(sample)), 250);
  return {
    ready: () => sampling,
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample();
      const ms = Object.fromEntries(Object.keys(groups).map((n) => [n, 0]));
      for (const [key, t] of last) ms[key.slice(0, key.indexOf(':'))] += ((t - first.get(key)) * 1000) / HZ;
      return ms;
    },
  };
}

async function pgCounters(c) {
  const {
    rows: [r],
  } = await c.query(`SELECT xact_commit::bigint AS commits, xact_rollback::bigint AS rollbacks FROM pg_stat_database WHERE datname = $1`, [
    DB,
  ]);
  return { commits: Number(r.commits), rollbacks: Number(r.rollbacks) };
}
async function redisCommands(client) {
  const info = await client.info('commandstats');
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Self time of a .cpuprofile by function and by origin (app, a package, Node internals, GC, idle). */
function summariseProfile(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const origin = (url, fn) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    if (url.includes('/node_modules/')) {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
      return m ? m[1] : 'node_modules';
    }
    if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
    if (url.includes('dist/apps/grc-api')) return 'grc-api (app code)';
    return url;
  };
  const byOrigin = new Map();
  const byFn = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const o = origin(cf.url, cf.functionName || '(anonymous)');
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + us);
    const k = `${cf.functionName || '(anonymous)'} ${o}${cf.url && !cf.url.includes('node_modules') ? `:${cf.lineNumber + 1}` : ''}`;
    byFn.set(k, (byFn.get(k) ?? 0) + us);
  }
  const top = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => ({ what: k, ms: round(us / 1000, 0), share: `${round((100 * us) / total)} %` }));
  const idle = byOrigin.get('(idle)') ?? 0;
  return {
    totalMs: round(total / 1000, 0),
    busyMs: round((total - idle) / 1000, 0),
    byOrigin: top(byOrigin, 15),
    byFunction: top(byFn, 20),
  };
}

/** The rows of one creation written by PostgreSQL alone (bench/intake-pgbench.sql), with the app stopped. */
async function pgbench(db, categoryId, citizenId) {
  const {
    rows: [ids],
  } = await db.query(
    `SELECT (SELECT department_id FROM tickets WHERE category_id = $1 ORDER BY created_at DESC LIMIT 1) AS department,
            (SELECT id FROM agents WHERE email = $2) AS agent`,
    [categoryId, AGENT],
  );
  const url = new URL(DATABASE_URL);
  const run = await runMetered(db, 'pgbench', [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(CONNECTIONS),
    '-j',
    String(Math.min(CONNECTIONS, os.cpus().length)),
    '-T',
    String(DURATION),
    '-f',
    join(ROOT, 'bench/intake-pgbench.sql'),
    '-D',
    `category=${categoryId}`,
    '-D',
    `department=${ids.department}`,
    '-D',
    `citizen=${citizenId}`,
    '-D',
    `agent=${ids.agent}`,
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username || 'postgres'),
    DB,
  ]);
  if (run.status !== 0) throw new Error(`pgbench failed (${run.error?.message ?? run.status}):\n${run.stdout}\n${run.stderr}`);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(run.stdout)?.[1];
  if (!tps) throw new Error(`pgbench: no tps in\n${run.stdout}`);
  const txs = Number(/number of transactions actually processed: (\d+)/.exec(run.stdout)?.[1] ?? NaN);
  const cpuMsPerTransaction = Object.fromEntries(Object.entries(run.cpu).map(([k, v]) => [k, round(v / txs, 3)]));
  return {
    tps: round(Number(tps)),
    latencyAverageMs: round(Number(latency ?? NaN)),
    cpuMsPerTransaction,
    capacityTransactionsPerSecond: round((os.cpus().length * 1000) / cpuMsPerTransaction.postgres),
  };
}

/** pgbench run to its end while its PostgreSQL backends' and its own CPU are metered. */
async function runMetered(db, cmd, argv) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const meter = cpuMeter({
    postgres: async () =>
      (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [DB])).rows.map((x) => x.pid),
    client: () => [child.pid],
  });
  const status = await new Promise((r, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => r(code));
  });
  const cpu = await meter.stop();
  return { status, stdout, stderr, cpu };
}

async function main() {
  log(
    `build ${MAIN.slice(ROOT.length + 1)}; intake: ${CONNECTIONS} clients, ${APIS || 'one all-role'} API process(es)${WORKERS > 1 ? ` of ${WORKERS} cluster processes each` : ''}${APIS ? ' + 1 worker' : ''}, history ${HISTORY}, ${DURATION} s`,
  );
  log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND pid <> pg_backend_pid()`);
  await adminQuery(`DROP DATABASE IF EXISTS ${DB}`);
  await adminQuery(`CREATE DATABASE ${DB}`);
  const redis = await startRedis();
  const procs = [];
  let db;
  try {
    const loaded = spawnSync(process.execPath, [MAIN, 'load-pack', 'packs/demo-town'], {
      cwd: ROOT,
      env: env(redis.url, {}),
      encoding: 'utf8',
    });
    if (loaded.status !== 0) throw new Error(`load-pack failed:\n${loaded.stdout}\n${loaded.stderr}`);
    db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    const {
      rows: [citizen],
    } = await db.query(`SELECT c.id FROM citizens c JOIN tickets t ON t.citizen_id = c.id JOIN departments d ON d.id = t.department_id
       WHERE d.code = 'voirie' AND c.email IS NOT NULL ORDER BY c.created_at LIMIT 1`);
    const {
      rows: [category],
    } = await db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    if (HISTORY > 0) {
      // the requester's past: copies of one of the demo's tickets, spread over three years, no language recorded
      await db.query(`SET session_replication_role = replica`);
      await db.query(
        `INSERT INTO tickets (reference, channel, category_id, department_id, citizen_id, subject, description, priority, status, created_at, updated_at)
         SELECT 'GRC-HIST-' || g, t.channel, t.category_id, t.department_id, $1, t.subject, t.description, t.priority, 'closed',
                now() - (g || ' minutes')::interval * 100, now() - (g || ' minutes')::interval * 100
           FROM (SELECT * FROM tickets LIMIT 1) t, generate_series(1, $2::int) g`,
        [citizen.id, HISTORY],
      );
      await db.query(`SET session_replication_role = origin`);
      await db.query(`ANALYZE tickets`);
    }
    const ports = [];
    if (APIS === 0) {
      const port = PORT;
      const p = start(
        'all',
        firstApiArgs(),
        env(redis.url, { GRC_ROLE: 'all', PORT: String(port) }),
        `http://127.0.0.1:${port}/api/v1/health`,
      );
      procs.push(p);
      ports.push(port);
    } else {
      for (let i = 0; i < APIS; i++) {
        const port = PORT + i;
        procs.push(
          start(
            `api-${i + 1}`,
            i === 0 ? firstApiArgs() : [],
            env(redis.url, { GRC_ROLE: 'api', PORT: String(port) }),
            `http://127.0.0.1:${port}/api/v1/health`,
          ),
        );
        ports.push(port);
      }
      const mport = await freePort();
      procs.push(
        start(
          'worker',
          [],
          env(redis.url, { GRC_ROLE: 'worker', GRC_METRICS_PORT: String(mport), GRC_METRICS_HOST: '127.0.0.1' }),
          `http://127.0.0.1:${mport}/health/ready`,
        ),
      );
    }
    if (PROFILE) {
      mkdirSync(PROFILES, { recursive: true });
      for (const f of readdirSync(PROFILES)) rmSync(join(PROFILES, f));
    }
    await Promise.all(procs.map((p) => p.ready()));
    const targets = await Promise.all(
      ports.map(async (port) => ({ base: `http://127.0.0.1:${port}`, cookie: await login(`http://127.0.0.1:${port}`) })),
    );
    const body = {
      channel: 'phone',
      categoryId: category.id,
      citizenId: citizen.id,
      priority: 'normal',
      subject: 'Nid-de-poule devant le 12 rue Nationale',
      description: 'Appel d’un riverain : un trou s’est formé au milieu de la chaussée, les voitures font des écarts pour l’éviter.',
    };
    const probe = await fetch(`${targets[0].base}/api/v1/tickets`, {
      method: 'POST',
      headers: { cookie: targets[0].cookie, 'x-requested-with': 'grc', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (probe.status !== 201) throw new Error(`a creation answers ${probe.status}: ${await probe.text()}`);
    await load(targets, body, WARMUP);
    const count = async () => Number((await db.query(`SELECT count(*) AS n FROM tickets WHERE reference NOT LIKE 'GRC-HIST-%'`)).rows[0].n);
    const before = {
      tickets: await count(),
      pg: await pgCounters(db),
      redis: await redisCommands(redis.client),
      queries: await queryCounts(procs[0]),
    };
    // PostgreSQL's backends by the process they serve (application_name grc-api / grc-worker / grc-all)
    const backends = async (names) =>
      (
        await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name = ANY($2)`, [
          DB,
          names,
        ])
      ).rows.map((x) => x.pid);
    const meter = cpuMeter({
      app: () => procs.flatMap((p) => withDescendants(p.child.pid)),
      appWorker: () => procs.filter((p) => p.name === 'worker').flatMap((p) => withDescendants(p.child.pid)),
      postgres: () => backends(['grc-api', 'grc-worker', 'grc-all']),
      postgresWorker: () => backends(['grc-worker']),
      redis: () => [redis.child.pid],
      loadGenerator: () => [process.pid],
    });
    await meter.ready();
    const r = await load(targets, body, DURATION);
    // let the after-commit work (jobs, counters) settle before counting what it cost
    await sleep(2000);
    const cpu = await meter.stop();
    const after = {
      tickets: await count(),
      pg: await pgCounters(db),
      redis: await redisCommands(redis.client),
      queries: await queryCounts(procs[0]),
    };
    const created = after.tickets - before.tickets;
    const commands = Object.fromEntries(
      Object.entries(after.redis)
        .map(([k, v]) => [k, v - (before.redis[k] ?? 0)])
        .filter(([k, v]) => v > 0 && k !== 'info'),
    );
    const totalCommands = Object.values(commands).reduce((a, b) => a + b, 0);
    const result = {
      date: new Date().toISOString(),
      params: {
        connections: CONNECTIONS,
        apis: APIS,
        workers: WORKERS,
        history: HISTORY,
        duration: DURATION,
        main: MAIN.slice(ROOT.length + 1),
      },
      loadAverage: os.loadavg().map((x) => round(x, 2)),
      ...r,
      created,
      pgTransactionsPerTicket: round((after.pg.commits - before.pg.commits) / created, 2),
      redisCommandsPerTicket: round(totalCommands / created, 1),
      cpuMsPerTicket: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / created, 3)])),
      redisCommands: Object.fromEntries(
        Object.entries(commands)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([k, v]) => [k, round(v / created, 2)]),
      ),
    };
    if (COUNT) {
      const per = Object.entries(after.queries)
        .map(([q, n]) => [q, (n - (before.queries[q] ?? 0)) / created])
        .filter(([, n]) => n > 0.005)
        .sort((a, b) => b[1] - a[1]);
      result.statementsPerTicket = round(
        per.reduce((a, [, n]) => a + n, 0),
        2,
      );
      result.statements = Object.fromEntries(per.map(([q, n]) => [q, round(n, 2)]));
      log(`  statements sent by ${procs[0].name} per created ticket: ${result.statementsPerTicket}`);
      for (const [q, n] of per) log(`    ${round(n, 2).toFixed(2).padStart(6)}  ${q}`);
    }
    log(
      `  ${r.ok}/${r.requests} created (${JSON.stringify(r.statuses)}), ${r.perSecond} tickets/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms`,
    );
    log(
      `  per created ticket: ${result.pgTransactionsPerTicket} PostgreSQL transactions, ${result.redisCommandsPerTicket} Redis commands ${JSON.stringify(result.redisCommands)}`,
    );
    const serverMs = result.cpuMsPerTicket.app + result.cpuMsPerTicket.postgres + result.cpuMsPerTicket.redis;
    result.capacityTicketsPerSecond = round((os.cpus().length * 1000) / serverMs);
    log(
      `  CPU per created ticket: app ${result.cpuMsPerTicket.app} ms, PostgreSQL ${result.cpuMsPerTicket.postgres} ms, Redis ${result.cpuMsPerTicket.redis} ms (load generator ${result.cpuMsPerTicket.loadGenerator} ms): ${os.cpus().length} cores for app + PostgreSQL + Redis alone = ${result.capacityTicketsPerSecond} tickets/s`,
    );
    if (APIS > 0)
      log(
        `    of which the worker process ${result.cpuMsPerTicket.appWorker} ms and its PostgreSQL connections ${result.cpuMsPerTicket.postgresWorker} ms (jobs after the commit: figures, e-mails, timers)`,
      );
    for (const p of procs) await p.stop();
    if (PROFILE) {
      const file = readdirSync(PROFILES).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        result.profile = { file: `bench/results/profiles/${file}`, ...summariseProfile(join(PROFILES, file)) };
        log(`  CPU profile (${result.profile.file}): busy ${result.profile.busyMs} ms of ${result.profile.totalMs} ms`);
        for (const o of result.profile.byOrigin) log(`    ${o.share.padStart(7)}  ${o.what}`);
        log('  top functions (self time):');
        for (const f of result.profile.byFunction.slice(0, 12)) log(`    ${f.share.padStart(7)}  ${f.what}`);
      }
    }
    if (PGBENCH) {
      result.pgbench = await pgbench(db, category.id, citizen.id);
      result.shareOfPgbench = round(r.perSecond / result.pgbench.tps, 2);
      log(
        `  PostgreSQL alone, same rows (pgbench -M prepared, ${CONNECTIONS} clients, ${DURATION} s): ${result.pgbench.tps} transactions/s; the app: ${Math.round(100 * result.shareOfPgbench)} % of it`,
      );
      log(
        `  pgbench CPU per transaction: PostgreSQL ${result.pgbench.cpuMsPerTransaction.postgres} ms (pgbench ${result.pgbench.cpuMsPerTransaction.client} ms): ${os.cpus().length} cores for PostgreSQL alone = ${result.pgbench.capacityTransactionsPerSecond} transactions/s; the app's ticket costs PostgreSQL ${round(result.cpuMsPerTicket.postgres / result.pgbench.cpuMsPerTransaction.postgres, 2)}× pgbench's`,
      );
    }
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/intake-latest.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    for (const p of procs) await p.stop().catch(() => undefined);
    await db?.end().catch(() => undefined);
    redis.client.disconnect();
    redis.child.kill('SIGTERM');
    if (!args['keep-db']) await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
