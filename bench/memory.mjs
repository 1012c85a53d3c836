#!/usr/bin/env node
// Memory per process (issue 16: "API memory ≤ 300 MB per process"). Loads the demo town into a throwaway
// database (`load-pack`, its own process, as a migration Job would), starts the built app as one API process
// (GRC_ROLE=api) and one worker (GRC_ROLE=worker) — or one all-role process with --roles=all — and reads each
// process's resident memory (VmRSS of /proc/<pid>/status) and V8 heap (heap used / total, external: the
// prom-client gauges of its operations port) at three moments:
//   idle   the median of 5 samples a second apart, 10 s after every process answers its readiness probe;
//   peak   the highest VmRSS sampled every 100 ms while the load runs (VmHWM, the kernel's high-water mark
//          since start, is printed too: it includes the start-up);
//   after  the median of 5 samples, 10 s after the load.
// With each process's CPU time (user + system) during the load: what a V8 flag costs in garbage collection.
// The load, over HTTP as agents: --tickets creations (8 clients), inbox pages (first page, a search, a filter),
// the dashboard of figures, a CSV and an XLSX export, the monthly report (PDF), the audit trail's CSV export,
// the OpenAPI document, a request's detail, the inbox counters, a citizen search, SSE clients on the live inbox while tickets are created.
//   node bench/memory.mjs [--tickets=500] [--sse=20] [--roles=api,worker|all] [--port=3980] [--node-args="…"]
//                         [--demo-in-process] [--bare] [--main=<another build's main.js>] [--keep-db]
// The processes run with the runtime settings of the image (docker/Dockerfile's NODE_OPTIONS and
// MALLOC_MMAP_THRESHOLD_, docs/install.md#memory); --bare: without them (plain `node`, as before issue 16's work).
// --demo-in-process: the first process loads the demo town itself (`serve --migrate --demo`, as bench/sse.mjs
// and the quick start) instead of a `load-pack` process before it; its idle figure then includes that load.
// --node-args: extra V8/Node flags for every process (e.g. "--max-semi-space-size=16" to compare with a
// default; docs/install.md#memory lists the flags the shipped images and manifests run with).
// Needs PostgreSQL and Redis on 127.0.0.1 (BENCH_PG_URL, BENCH_REDIS_URL) and `dist/apps/grc-api`
// (npx nx run-many -t build --projects=grc-api,grc-web). Every step is bounded; traffic stays on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { EventSource } from 'eventsource';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['tickets', 'roles', 'port', 'node-args', 'keep-db', 'sse', 'demo-in-process', 'bare', 'main'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const TICKETS = Number(args.tickets ?? 500);
const SSE_CLIENTS = Number(args.sse ?? 20);
const ROLES = String(args.roles ?? 'api,worker').split(',');
if (!ROLES.every((r) => ['api', 'worker', 'all'].includes(r)) || (ROLES.includes('all') && ROLES.length > 1))
  throw new Error('--roles: api,worker (two processes), all (one), api or worker');
const PORT = Number(args.port ?? 3980);
const NODE_ARGS = args['node-args'] ? String(args['node-args']).split(/\s+/).filter(Boolean) : [];
const DB = process.env.BENCH_DB ?? 'grc_bench_memory';
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = resolve(ROOT, args.main ?? 'dist/apps/grc-api/main.js'); // --main: another build (a copy of a former one)
const PASSWORD = 'Demo-GRC-2026!'; // packs/demo-town (demo only)
const AGENT = 'karim.benali@saint-aubin.fr'; // voirie + éclairage
const HEAD = 'philippe.garnier@saint-aubin.fr'; // head of the technical direction (figures, exports)
const ADMIN = 'admin@saint-aubin.fr'; // audit trail
/** the runtime settings the image ships (docker/Dockerfile's ENV, docs/install.md#memory); --bare: plain node */
const RUNTIME_NAMES = ['NODE_OPTIONS', 'MALLOC_MMAP_THRESHOLD_'];
const RUNTIME = args.bare
  ? {}
  : Object.fromEntries(
      RUNTIME_NAMES.map((k) => {
        const v = new RegExp(`\\b${k}=(\\S+)`).exec(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8'))?.[1];
        if (!v) throw new Error(`docker/Dockerfile sets no ${k}`);
        return [k, v];
      }),
    );
const log = (m) => process.stdout.write(`${m}\n`);
const MB = (kb) => (kb / 1024).toFixed(1);

async function admin(sql) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function env(extra) {
  const inherited = { ...process.env };
  // unset, not empty: glibc reads an empty MALLOC_MMAP_THRESHOLD_ as 0 (every allocation its own mapping)
  for (const k of RUNTIME_NAMES) delete inherited[k];
  return {
    ...inherited,
    NODE_ENV: 'production',
    DATABASE_URL: `${PG_BASE}/${DB}`,
    REDIS_URL,
    HOST: '127.0.0.1',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: process.env.GRC_QUEUE_PREFIX ?? `grc-bench-memory-${process.pid}`,
    GRC_LOGIN_ACCOUNT_FAILURES: '100000',
    GRC_LOGIN_IP_FAILURES: '100000',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    GRC_LOG_LEVEL: 'warn',
    ...RUNTIME,
    ...extra,
  };
}

function start(role, port, opsPort, serveArgs = []) {
  const extra = { GRC_ROLE: role, GRC_METRICS_PORT: String(opsPort), GRC_METRICS_HOST: '127.0.0.1' };
  if (role !== 'worker') extra.PORT = String(port);
  const child = spawn(process.execPath, [...NODE_ARGS, MAIN, 'serve', ...serveArgs], {
    cwd: ROOT,
    env: env(extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    role,
    child,
    ops: `http://127.0.0.1:${opsPort}`,
    base: role === 'worker' ? null : `http://127.0.0.1:${port}`,
    peak: 0,
    exited: () =>
      child.exitCode !== null || child.signalCode !== null
        ? `${role} exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-4000)}`
        : null,
    async ready() {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${role} exited during start-up:\n${output.slice(-4000)}`);
        const ok = await fetch(`${this.ops}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(300);
      }
      throw new Error(`${role} not ready within 180 s:\n${output.slice(-4000)}`);
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

const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
/** CPU time of a process so far (user + system), ms */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / HZ;
};
const status = (pid) => readFileSync(`/proc/${pid}/status`, 'utf8');
const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
/** the median of 5 samples a second apart (a GC moves a single sample) */
async function steady(pid) {
  const s = [];
  for (let i = 0; i < 5; i++) {
    s.push(kb(status(pid), 'VmRSS'));
    await sleep(1000);
  }
  return s.sort((a, b) => a - b)[2];
}
/** heap used / total and external (MB) from the process's prom-client gauges */
async function heap(p) {
  const text = await fetch(`${p.ops}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
  const g = (name) => Number(new RegExp(`^grc_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return { used: g('nodejs_heap_size_used_bytes'), total: g('nodejs_heap_size_total_bytes'), external: g('nodejs_external_memory_bytes') };
}

async function login(base, email) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(20_000),
  });
  if (r.status !== 200) throw new Error(`login ${email}: HTTP ${r.status} ${await r.text()}`);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function get(base, cookie, path, expect = 200) {
  const r = await fetch(`${base}${path}`, { headers: { cookie }, signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await r.arrayBuffer());
  if (r.status !== expect) throw new Error(`GET ${path}: HTTP ${r.status} ${body.toString('utf8', 0, 500)}`);
  return body;
}

async function load(base, db) {
  const [agent, head, adm] = [await login(base, AGENT), await login(base, HEAD), await login(base, ADMIN)];
  const {
    rows: [category],
  } = await db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
  const {
    rows: [citizen],
  } = await db.query(`SELECT c.id FROM citizens c JOIN tickets t ON t.citizen_id = c.id JOIN departments d ON d.id = t.department_id
     WHERE d.code = 'voirie' AND c.email IS NOT NULL ORDER BY c.created_at LIMIT 1`);
  const sources = [];
  let events = 0;
  for (let i = 0; i < SSE_CLIENTS; i++) {
    const es = new EventSource(`${base}/api/v1/live/inbox`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: agent } }),
    });
    es.addEventListener('ticket', () => events++);
    es.onmessage = () => events++;
    sources.push(es);
  }
  const counts = { created: 0, reads: 0 };
  const body = {
    channel: 'phone',
    categoryId: category.id,
    citizenId: citizen.id,
    priority: 'normal',
    subject: 'Nid-de-poule devant le 12 rue Nationale',
    description: 'Appel d’un riverain : un trou s’est formé au milieu de la chaussée, les voitures font des écarts pour l’éviter.',
  };
  let next = 0;
  const ids = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < TICKETS) {
        next++;
        const r = await fetch(`${base}/api/v1/tickets`, {
          method: 'POST',
          headers: { cookie: agent, 'x-requested-with': 'grc', 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        if (r.status !== 201) throw new Error(`POST /tickets: HTTP ${r.status} ${await r.text()}`);
        ids.push((await r.json()).id);
        counts.created++;
      }
    }),
  );
  const month = new Date().toISOString().slice(0, 7);
  const reads = [
    [agent, '/api/v1/tickets?view=departments&limit=50'],
    [agent, '/api/v1/tickets?view=departments&limit=50&q=trottoir'],
    [agent, '/api/v1/tickets?view=departments&limit=50&status=new'],
    [agent, `/api/v1/tickets/${ids[0]}`],
    [agent, '/api/v1/tickets/counters'],
    [agent, '/api/v1/citizens?q=martin'],
    [head, '/api/v1/reporting/dashboard'],
    [head, '/api/v1/reporting/export?format=csv&kind=requests'],
    [head, '/api/v1/reporting/export?format=xlsx&kind=requests'],
    [head, `/api/v1/reporting/monthly-report?month=${month}`],
    [adm, '/api/v1/audit/export.csv'],
    [adm, '/api/docs-json'],
  ];
  for (let round = 0; round < 3; round++)
    for (const [cookie, path] of reads) {
      await get(base, cookie, path);
      counts.reads++;
    }
  for (const es of sources) es.close();
  return { ...counts, sse: SSE_CLIENTS, events };
}

async function main() {
  if (!existsSync(MAIN)) throw new Error('dist/apps/grc-api/main.js is missing: npx nx run-many -t build --projects=grc-api,grc-web');
  const loadAvg = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  log(
    `memory: roles ${ROLES.join(' + ')}, ${TICKETS} tickets, ${SSE_CLIENTS} SSE clients, node ${process.version}, ${RUNTIME_NAMES.map(
      (k) => `${k}=${RUNTIME[k] ?? '(unset)'}`,
    ).join(' ')} ${NODE_ARGS.join(' ')}`,
  );
  log(`load average ${loadAvg()} on ${os.cpus().length} CPUs`);
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const procs = [];
  let db;
  try {
    if (args['demo-in-process']) {
      // as bench/sse.mjs and the quick start: the first process migrates and loads the demo town itself
      procs.push(start(ROLES[0], PORT, PORT + 1, ['--migrate', '--demo', 'packs/demo-town']));
      await procs[0].ready();
    } else {
      const loaded = spawnSync(process.execPath, [MAIN, 'load-pack', 'packs/demo-town'], { cwd: ROOT, env: env({}), encoding: 'utf8' });
      if (loaded.status !== 0) throw new Error(`load-pack failed:\n${loaded.stdout}\n${loaded.stderr}`);
    }
    db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
    await db.connect();
    ROLES.forEach((role, i) => i >= procs.length && procs.push(start(role, PORT + 2 * i, PORT + 2 * i + 1)));
    await Promise.all(procs.map((p) => p.ready()));
    await sleep(10_000);
    const rows = new Map(procs.map((p) => [p, {}]));
    await Promise.all(procs.map(async (p) => Object.assign(rows.get(p), { idle: await steady(p.child.pid), idleHeap: await heap(p) })));
    const sampler = setInterval(() => {
      for (const p of procs) if (!p.exited()) p.peak = Math.max(p.peak, kb(status(p.child.pid), 'VmRSS'));
    }, 100);
    const api = procs.find((p) => p.base);
    for (const p of procs) p.cpu0 = cpuMs(p.child.pid);
    const t0 = Date.now();
    const done = api ? await load(api.base, db) : null;
    // the worker's share of the load: the jobs the creations queued (counters, SLA, mails) run after the requests
    await sleep(5000);
    clearInterval(sampler);
    for (const p of procs) if (p.exited()) throw new Error(p.exited());
    for (const p of procs) p.cpu = cpuMs(p.child.pid) - p.cpu0;
    const seconds = (Date.now() - t0) / 1000;
    if (done)
      log(`load: ${done.created} tickets, ${done.reads} reads, ${done.sse} SSE clients (${done.events} events) in ${seconds.toFixed(0)} s`);
    await sleep(10_000);
    await Promise.all(
      procs.map(async (p) =>
        Object.assign(rows.get(p), { after: await steady(p.child.pid), afterHeap: await heap(p), hwm: kb(status(p.child.pid), 'VmHWM') }),
      ),
    );
    log('');
    log(
      '| process | RSS idle | RSS peak (load) | RSS after | VmHWM | heap used / total idle | heap used / total after | external after | CPU during the load |',
    );
    log('|---|---|---|---|---|---|---|---|---|');
    const h = (x) => `${x.used.toFixed(1)} / ${x.total.toFixed(1)}`;
    for (const p of procs) {
      const r = rows.get(p);
      log(
        `| ${p.role} | ${MB(r.idle)} MB | ${MB(p.peak)} MB | ${MB(r.after)} MB | ${MB(r.hwm)} MB | ${h(r.idleHeap)} MB | ${h(r.afterHeap)} MB | ${r.afterHeap.external.toFixed(1)} MB | ${(p.cpu / 1000).toFixed(1)} s |`,
      );
    }
    log('');
    log(`load average ${loadAvg()}`);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db?.end();
    if (!args['keep-db']) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(e.stack ?? String(e));
    process.exit(1);
  },
);
