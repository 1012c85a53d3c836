#!/usr/bin/env node
// GRC benchmarks: seeds a large town in a throwaway database and measures the API over HTTP.
//   npm run bench -- [--tickets=1000000] [--skip-seed] [--keep-db] [--duration=20] [--connections=4] [--rls-compare]
// --rls-compare: the inbox and full-text reads are measured again with row-level security switched off on
// the tenant tables (issue 15), in the same run on the same data, and printed side by side (target: within 10 %).
// --reads-only: no creation run (a kept database, e.g. the 10 M one, stays as it was seeded).
// --main=PATH: measure another build (a copy of an earlier dist/apps/grc-api/main.js) on the same database.
// See bench/README.md. Every step is bounded (timeouts), traffic goes to 127.0.0.1 only.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import pg from 'pg';
import autocannon from 'autocannon';
import { seed } from './seed.mjs';
import { COMMON_WORD, RARE_WORD } from './phrases.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['tickets', 'skip-seed', 'keep-db', 'duration', 'connections', 'port', 'rls-compare', 'reads-only', 'main'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);

const TICKETS = Number(args.tickets ?? 1_000_000);
const DURATION = Number(args.duration ?? 20); // seconds per measured run
const READ_CONNECTIONS = Number(args.connections ?? 4); // reads are measured with 1 connection (latency) and with this many (under load)
const WRITE_CONNECTIONS = 8;
const WARMUP = 5; // seconds
const PORT = Number(args.port ?? 3987);
const DB = process.env.BENCH_DB ?? 'grc_bench'; // BENCH_DB: another name when several people bench on one machine
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const DATABASE_URL = `${PG_BASE}/${DB}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE = `http://127.0.0.1:${PORT}`;
// --main=PATH: another build's main.js (a copy of an earlier dist/apps/grc-api, to compare two builds on one database)
const MAIN = args.main ? resolve(String(args.main)) : join(ROOT, 'dist/apps/grc-api/main.js');
const PACK = 'packs/demo-town';
const PASSWORD = 'Demo-GRC-2026!'; // packs/demo-town/agents.yaml (demo only)
const AGENT = 'karim.benali@saint-aubin.fr'; // agent, departments voirie + éclairage
const HEAD = 'philippe.garnier@saint-aubin.fr'; // head of the technical services direction (5 services)
const TARGETS = { inboxP95: 30, searchP95: 150, createPerSecond: 300, rlsOverheadPercent: 10 };

const log = (s) => console.log(s);
const results = {
  date: new Date().toISOString(),
  loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  params: { tickets: TICKETS, duration: DURATION, readConnections: READ_CONNECTIONS, writeConnections: WRITE_CONNECTIONS, warmup: WARMUP },
  targets: TARGETS,
};

// ---------- database ----------
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
  const c = new pg.Client({ connectionString: DATABASE_URL, application_name: 'grc-bench' });
  await c.connect();
  return c;
};

// ---------- the app ----------
function ensureBuilt() {
  if (existsSync(MAIN) && readFileSync(MAIN, 'utf8').includes('load-pack')) return;
  log('dist/apps/grc-api is missing or stale: building (npx nx run-many -t build --projects=grc-api,grc-web)');
  try {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=grc-api,grc-web', '--outputStyle=static'], {
      cwd: ROOT,
      stdio: 'inherit',
      timeout: 900_000,
    });
  } catch (e) {
    // The console is optional for the benchmarks: settle for the API alone.
    if (!existsSync(MAIN) || !readFileSync(MAIN, 'utf8').includes('load-pack')) {
      execFileSync('npx', ['nx', 'build', 'grc-api', '--outputStyle=static'], { cwd: ROOT, stdio: 'inherit', timeout: 900_000 });
    } else log(`(build of grc-web failed, the API built: ${e.message.split('\n')[0]})`);
  }
}

async function startApp(extraArgs) {
  const env = {
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    GRC_ROLE: 'all',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: process.env.BENCH_QUEUE_PREFIX ?? 'grc-bench', // BENCH_QUEUE_PREFIX: several benches on one Redis
    GRC_LOGIN_ACCOUNT_FAILURES: '100000',
    GRC_LOGIN_IP_FAILURES: '100000',
    // the seed puts years of closed requests past their retention at once: the first retention run would work
    // through them for hours beside the measured reads (bench/README.md "10 M"); bench/anonymise.mjs measures it
    GRC_RETENTION_EVERY_MINUTES: process.env.GRC_RETENTION_EVERY_MINUTES ?? '0',
    // nor the open-data files at the start: at 10 M requests their generation holds each month's open requests in
    // the process (700,000 in this seed: the all-role process's RSS went to 1.9 GB during the reads, 2026-12-03)
    GRC_OPEN_DATA_EVERY_HOURS: process.env.GRC_OPEN_DATA_EVERY_HOURS ?? '0',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    NODE_ENV: 'production',
  };
  const busy = await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`port ${PORT} is already in use (another API?): stop it or pass --port=`);
  const child = spawn(process.execPath, [MAIN, 'serve', ...extraArgs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, sig) => {
    exited = { code, sig };
    if (ready && !child.stopping) log(`!! the API process exited during the runs (code ${code}, signal ${sig})`);
  });
  let ready = false;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the API exited (${JSON.stringify(exited)}) during start-up:\n${output.slice(-4000)}`);
    try {
      const r = await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) {
        ready = true;
        return { child, output: () => output };
      }
    } catch {
      /* not yet */
    }
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not answer /api/v1/health within 180 s:\n${output.slice(-4000)}`);
}

async function stopApp(app) {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.stopping = true;
  const done = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGTERM');
  const t = await Promise.race([done.then(() => 'ok'), sleep(15_000).then(() => 'timeout')]);
  if (t === 'timeout') {
    app.child.kill('SIGKILL');
    await done;
  }
}

/** Samples the API process's resident memory every 200 ms (VmRSS) and reads its high-water mark (VmHWM). */
function memorySampler(pid) {
  const read = () => {
    try {
      const s = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
      return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
    } catch {
      return null;
    }
  };
  let peak = 0;
  let last = null;
  const series = [];
  const timer = setInterval(() => {
    const m = read();
    if (m) {
      last = m;
      peak = Math.max(peak, m.rss);
      series.push(m.rss);
    }
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const m = read() ?? last;
      return { peakRssMb: +(peak / 1024).toFixed(1), vmHwmMb: m ? +(m.hwm / 1024).toFixed(1) : null, samples: series.length };
    },
  };
}

// ---------- HTTP ----------
async function login(email) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!r.ok) throw new Error(`login ${email}: HTTP ${r.status} ${await r.text()}`);
  const cookie = r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('grc_session='));
  if (!cookie) throw new Error(`login ${email}: no grc_session cookie`);
  return cookie;
}
async function getJson(path, cookie) {
  const r = await fetch(`${BASE}${path}`, { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const round = (x) => (x == null ? null : +x.toFixed(1));

/** One autocannon run; latencies come from every response (autocannon's own summary has no p95). */
async function load({ title, path, method = 'GET', cookie, body, connections, duration }) {
  const latencies = [];
  const statuses = {};
  const instance = autocannon({
    url: `${BASE}${path}`,
    method,
    connections,
    duration,
    timeout: 30,
    headers: { cookie, 'x-requested-with': 'grc', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const r = await instance;
  latencies.sort((x, y) => x - y);
  const ok = Object.entries(statuses)
    .filter(([s]) => s >= 200 && s < 300)
    .reduce((n, [, k]) => n + k, 0);
  return {
    title,
    path: path.length > 120 ? path.slice(0, 117) + '…' : path,
    method,
    connections,
    duration,
    requests: latencies.length,
    ok,
    statuses,
    errors: r.errors,
    timeouts: r.timeouts,
    perSecond: round(ok / r.duration),
    p50: round(pct(latencies, 50)),
    p95: round(pct(latencies, 95)),
    p99: round(pct(latencies, 99)),
    max: round(latencies.at(-1)),
  };
}

async function measure(spec) {
  await load({ ...spec, duration: WARMUP }); // warm-up: JIT, connection pools, PostgreSQL cache
  const r = await load({ ...spec, duration: spec.duration ?? DURATION });
  log(`  ${r.title}: ${r.ok}/${r.requests} ok, ${r.perSecond}/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms`);
  if (r.ok !== r.requests) {
    log(`    statuses ${JSON.stringify(r.statuses)} errors ${r.errors} timeouts ${r.timeouts}`);
    // one more request, to show why
    const res = await fetch(`${BASE}${spec.path}`, {
      method: spec.method ?? 'GET',
      headers: { cookie: spec.cookie, 'x-requested-with': 'grc', ...(spec.body ? { 'content-type': 'application/json' } : {}) },
      body: spec.body ? JSON.stringify(spec.body) : undefined,
      signal: AbortSignal.timeout(30_000),
    }).catch((e) => ({ status: 'failed', text: async () => e.message }));
    log(`    e.g. ${res.status}: ${(await res.text()).slice(0, 400)}`);
  }
  return r;
}

// ---------- main ----------
async function main() {
  const t0 = performance.now();
  ensureBuilt();
  let app;
  try {
    if (!args['skip-seed']) {
      log(`1. fresh database ${DB}, migrations and demo town`);
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND pid <> pg_backend_pid()`);
      await adminQuery(`DROP DATABASE IF EXISTS ${DB}`);
      await adminQuery(`CREATE DATABASE ${DB}`);
      app = await startApp(['--migrate', '--demo', PACK]);
      await stopApp(app);
      app = undefined;

      log(`2. seeding ${TICKETS.toLocaleString('en')} tickets`);
      const s = await seed({ connect, tickets: TICKETS, log });
      results.seed = s;
      log(
        `  seed: ${s.seconds.toFixed(1)} s, ${s.rowsInserted.toLocaleString('en')} rows, ${s.rowsPerSecond.toLocaleString('en')} rows/s ` +
          `(${s.ticketsPerSecond.toLocaleString('en')} tickets/s incl. events, audit and indexes); ${JSON.stringify(s.counts)}`,
      );
    } else {
      log(`(--skip-seed: reusing database ${DB})`);
      const c = await connect();
      const {
        rows: [counts],
      } = await c.query(`SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM citizens)::int AS citizens`);
      await c.end();
      results.seed = { skipped: true, counts };
    }

    log(
      `3. HTTP measurements (load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
    app = await startApp(['--migrate']);
    const mem = memorySampler(app.child.pid);
    const agentCookie = await login(AGENT);
    const headCookie = await login(HEAD);
    const categories = await getJson('/api/v1/categories', agentCookie);
    const category = categories.find((c) => c.code === 'nid-de-poule' && c.active !== false) ?? categories[0];
    const c = await connect();
    const {
      rows: [citizen],
    } = await c.query(
      // a requester the agent may reach (need-to-know: one of their requests is in the agent's departments)
      `SELECT t.citizen_id AS id FROM tickets t
       JOIN agent_departments ad ON ad.department_id = t.department_id JOIN agents a ON a.id = ad.agent_id
       WHERE a.email = $1 AND t.citizen_id IS NOT NULL ORDER BY t.created_at DESC LIMIT 1`,
      [AGENT],
    );
    const {
      rows: [sizes],
    } = await c.query(
      `SELECT (SELECT count(*) FROM tickets)::int AS tickets,
      (SELECT count(*) FROM tickets WHERE search_vector @@ websearch_to_tsquery('grc_french', $1))::int AS common,
      (SELECT count(*) FROM tickets WHERE search_vector @@ websearch_to_tsquery('grc_french', $2))::int AS rare`,
      [COMMON_WORD, RARE_WORD],
    );
    await c.end();
    results.dataset = sizes;

    const q = (w) => `/api/v1/tickets?view=departments&limit=50&q=${encodeURIComponent(w)}`;
    const first = await getJson('/api/v1/tickets?view=departments&limit=50', agentCookie);
    const rare = await getJson(q(RARE_WORD), agentCookie);
    const common = await getJson(q(COMMON_WORD), agentCookie);
    log(
      `  first pages: inbox ${first.items.length} items, "${COMMON_WORD}" ${common.items.length}, "${RARE_WORD}" ${rare.items.length} ` +
        `(${sizes.common} / ${sizes.rare} matching tickets in the whole town)`,
    );

    const runs = {};
    const reads = [
      ['inboxAgent', 'inbox, agent (2 services), first page of 50', '/api/v1/tickets?view=departments&limit=50', agentCookie],
      ['inboxHead', 'inbox, head of direction (5 services), first page of 50', '/api/v1/tickets?view=departments&limit=50', headCookie],
      ['searchCommon', `search "${COMMON_WORD}" (common), first page`, q(COMMON_WORD), agentCookie],
      ['searchRare', `search "${RARE_WORD}" (rare), first page`, q(RARE_WORD), agentCookie],
    ];
    for (const connections of [1, READ_CONNECTIONS]) {
      for (const [key, title, path, cookie] of reads) {
        runs[connections === 1 ? key : `${key}Loaded`] = await measure({
          title: `${title}, ${connections} conn.`,
          path,
          cookie,
          connections,
        });
      }
    }
    if (args['rls-compare']) {
      // the same reads with row-level security off on every table that has it (as the superuser; back on afterwards)
      const admin = await connect();
      const { rows: rlsTables } = await admin.query(
        `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relrowsecurity ORDER BY relname`,
      );
      results.rlsTables = rlsTables.map((t) => t.relname);
      const rls = async (on) => {
        for (const { relname } of rlsTables)
          await admin.query(
            on
              ? `ALTER TABLE ${relname} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`
              : `ALTER TABLE ${relname} NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY`,
          );
      };
      log(`  row-level security OFF on ${rlsTables.length} table(s): ${results.rlsTables.join(', ') || '(none)'}`);
      try {
        await rls(false);
        for (const connections of [1, READ_CONNECTIONS]) {
          for (const [key, title, path, cookie] of reads) {
            runs[`${connections === 1 ? key : `${key}Loaded`}RlsOff`] = await measure({
              title: `${title}, ${connections} conn., RLS off`,
              path,
              cookie,
              connections,
            });
          }
        }
      } finally {
        await rls(true);
        await admin.end();
      }
      // and on again: the first runs warmed the caches, so on-again / off compares like with like
      for (const connections of [1, READ_CONNECTIONS]) {
        for (const [key, title, path, cookie] of reads) {
          runs[`${connections === 1 ? key : `${key}Loaded`}RlsOn2`] = await measure({
            title: `${title}, ${connections} conn., RLS on again`,
            path,
            cookie,
            connections,
          });
        }
      }
    }
    if (!args['reads-only'])
      runs.create = await measure({
        title: 'create ticket (POST /api/v1/tickets)',
        path: '/api/v1/tickets',
        method: 'POST',
        cookie: agentCookie,
        connections: WRITE_CONNECTIONS,
        body: {
          channel: 'phone',
          categoryId: category.id,
          citizenId: citizen.id,
          priority: 'normal',
          subject: 'Nid-de-poule devant le 12 rue Nationale',
          description: 'Appel d’un riverain : un trou s’est formé au milieu de la chaussée, les voitures font des écarts pour l’éviter.',
        },
      });
    results.memory = mem.stop();
    results.runs = runs;
    log(`  API peak RSS during the runs: ${results.memory.peakRssMb} MB (VmHWM ${results.memory.vmHwmMb} MB)`);
  } finally {
    await stopApp(app);
    if (!args['keep-db'] && !args['skip-seed']) {
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND pid <> pg_backend_pid()`).catch(
        () => {},
      );
      await adminQuery(`DROP DATABASE IF EXISTS ${DB}`).catch((e) => log(`could not drop ${DB}: ${e.message}`));
    }
  }

  results.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  results.totalSeconds = Math.round((performance.now() - t0) / 1000);
  const r = results.runs;
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const lat = (x) => `${x.p50} / ${x.p95} / ${x.p99}`;
  const rows = [];
  for (const [key, label, target] of [
    ['inboxAgent', 'inbox, agent', TARGETS.inboxP95],
    ['inboxHead', 'inbox, head', TARGETS.inboxP95],
    ['searchCommon', `search "${COMMON_WORD}"`, TARGETS.searchP95],
    ['searchRare', `search "${RARE_WORD}"`, TARGETS.searchP95],
  ]) {
    rows.push([`${label}, 1 conn., p50/p95/p99 ms`, lat(r[key]), `p95 ≤ ${target}`, verdict(r[key].p95 <= target)]);
    rows.push([
      `${label}, ${READ_CONNECTIONS} conn., p50/p95/p99 ms`,
      `${lat(r[`${key}Loaded`])} (${r[`${key}Loaded`].perSecond}/s)`,
      `p95 ≤ ${target}`,
      verdict(r[`${key}Loaded`].p95 <= target),
    ]);
  }
  if (args['rls-compare']) {
    // RLS on (the product as shipped; the runs after RLS was switched back on) next to RLS off, same run, same data
    for (const [key, label] of [
      ['inboxAgent', 'inbox, agent'],
      ['inboxHead', 'inbox, head'],
      ['searchCommon', `search "${COMMON_WORD}"`],
      ['searchRare', `search "${RARE_WORD}"`],
    ]) {
      for (const suffix of ['', 'Loaded']) {
        const on = r[`${key}${suffix}RlsOn2`];
        const off = r[`${key}${suffix}RlsOff`];
        const overhead = off.p95 ? ((on.p95 - off.p95) / off.p95) * 100 : null;
        rows.push([
          `${label}, ${suffix ? READ_CONNECTIONS : 1} conn., p95 ms RLS on (again) / off`,
          `${on.p95} / ${off.p95} (${overhead === null ? '?' : `${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} %`})`,
          `≤ +${TARGETS.rlsOverheadPercent} %`,
          verdict(overhead !== null && overhead <= TARGETS.rlsOverheadPercent),
        ]);
      }
    }
  }
  if (r.create)
    rows.push([
      'create, 8 conn., tickets/s (p99 ms)',
      `${r.create.perSecond} (${r.create.p99})`,
      `≥ ${TARGETS.createPerSecond}/s`,
      verdict(r.create.perSecond >= TARGETS.createPerSecond && r.create.ok === r.create.requests),
    ]);
  rows.push(['API peak RSS', `${results.memory.peakRssMb} MB (VmHWM ${results.memory.vmHwmMb} MB)`, '', '']);
  if (results.seed && !results.seed.skipped) {
    rows.unshift([
      'seed',
      `${results.seed.seconds.toFixed(0)} s, ${results.seed.rowsPerSecond.toLocaleString('en')} rows/s`,
      'a few minutes',
      '',
    ]);
  }
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i].length)));
  log('\n' + rows.map((x) => `${x[0].padEnd(w[0])}  ${x[1].padEnd(w[1])}  ${x[2].padEnd(w[2])}  ${x[3]}`).join('\n'));

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/latest.json'), JSON.stringify(results, null, 2) + '\n');
  log(`\nwritten bench/results/latest.json (${results.totalSeconds} s in all)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
