#!/usr/bin/env node
// Live updates under load (issue 13, docs/live.md): N SSE clients on GET /api/v1/live/inbox while tickets
// are created at a given rate through the REST API. Starts the built API (role api) on a throwaway
// database loaded with the demo town, connects the clients (the `eventsource` package: the browser's
// EventSource for Node), measures the API's resident memory before and after they connect, then creates
// tickets and reports the delivery lag of every event to every client: receipt time minus the event's
// Redis stream id (milliseconds of Redis's clock when the event was appended, right after the commit;
// Redis, the API and this script share the machine's clock).
//   node bench/sse.mjs [--clients=200] [--rate=50] [--duration=20] [--port=3988] [--keep-db]
// Needs PostgreSQL and Redis on 127.0.0.1 (BENCH_PG_URL, BENCH_REDIS_URL) and `dist/apps/grc-api`
// (npx nx run-many -t build --projects=grc-api,grc-web). Every step is bounded; traffic stays on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
const known = ['clients', 'rate', 'duration', 'port', 'keep-db'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const CLIENTS = Number(args.clients ?? 200);
const RATE = Number(args.rate ?? 50); // tickets per second
const DURATION = Number(args.duration ?? 20); // seconds of creation
const PORT = Number(args.port ?? 3988);
const DB = 'grc_bench_sse';
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE = `http://127.0.0.1:${PORT}`;
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const PASSWORD = 'Demo-GRC-2026!'; // packs/demo-town (demo only)
// whose streams: the admin sees every event; the voirie agents see the pothole's (routed to voirie)
const ACCOUNTS = ['admin@saint-aubin.fr', 'julie.lefebvre@saint-aubin.fr', 'karim.benali@saint-aubin.fr', 'thierry.moreau@saint-aubin.fr'];
const log = (m) => process.stdout.write(`${m}\n`);

async function admin(sql) {
  const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function startApp() {
  if (!existsSync(MAIN)) throw new Error('dist/apps/grc-api/main.js is missing: npx nx run-many -t build --projects=grc-api,grc-web');
  const env = {
    ...process.env,
    DATABASE_URL: `${PG_BASE}/${DB}`,
    REDIS_URL,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    GRC_ROLE: 'api',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: `grc-bench-sse-${process.pid}`,
    GRC_LOGIN_ACCOUNT_FAILURES: '100000',
    GRC_LOGIN_IP_FAILURES: '100000',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    GRC_LIVE_MAX_CLIENTS: String(Math.max(2000, CLIENTS + 10)),
    NODE_ENV: 'production',
  };
  const child = spawn(process.execPath, [MAIN, 'serve', '--migrate', '--demo', 'packs/demo-town'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited during start-up:\n${output.slice(-4000)}`);
    const ok = await fetch(`${BASE}/api/v1/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not answer within 240 s:\n${output.slice(-4000)}`);
}

async function stopApp(child) {
  if (!child || child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if ((await Promise.race([done.then(() => 'ok'), sleep(15_000).then(() => 'timeout')])) === 'timeout') child.kill('SIGKILL');
}

const rssKb = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
/** the median of a few samples, a second apart (the GC makes one sample noisy) */
async function steadyRss(pid) {
  const s = [];
  for (let i = 0; i < 5; i++) {
    s.push(rssKb(pid));
    await sleep(1000);
  }
  return s.sort((a, b) => a - b)[2];
}

async function session(email) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`login ${email} failed (${res.status})`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

async function main() {
  log(`fresh database ${DB}, starting the API (role api) with the demo town…`);
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  let app = null;
  const sources = [];
  try {
    app = await startApp();
    const cookies = await Promise.all(ACCOUNTS.map(session));
    const creator = await session('julie.lefebvre@saint-aubin.fr');
    const categories = await (await fetch(`${BASE}/api/v1/categories`, { headers: { Cookie: creator } })).json();
    const pothole = categories.find((c) => c.code === 'nid-de-poule');
    if (!pothole) throw new Error('category nid-de-poule missing: the demo town did not load');

    const before = await steadyRss(app.pid);
    const lags = [];
    let received = 0;
    let opened = 0;
    for (let i = 0; i < CLIENTS; i++) {
      const cookie = cookies[i % cookies.length];
      const es = new EventSource(`${BASE}/api/v1/live/inbox`, {
        fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Cookie: cookie } }),
      });
      es.addEventListener('ready', () => opened++, { once: true });
      es.onmessage = (e) => {
        const now = Date.now();
        received++;
        lags.push(now - Number(String(e.lastEventId).split('-')[0]));
      };
      sources.push(es);
    }
    const openDeadline = Date.now() + 60_000;
    while (opened < CLIENTS && Date.now() < openDeadline) await sleep(100);
    if (opened < CLIENTS) throw new Error(`only ${opened} of ${CLIENTS} streams opened within 60 s`);
    const connected = await steadyRss(app.pid);
    log(`${CLIENTS} SSE clients connected; API RSS ${(before / 1024).toFixed(1)} MB → ${(connected / 1024).toFixed(1)} MB`);

    log(`creating tickets at ${RATE}/s for ${DURATION} s…`);
    const total = RATE * DURATION;
    const started = Date.now();
    const pending = [];
    let created = 0;
    let failed = 0;
    const createLat = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const t0 = Date.now();
      pending.push(
        fetch(`${BASE}/api/v1/tickets`, {
          method: 'POST',
          headers: { Cookie: creator, 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
          body: JSON.stringify({ channel: 'phone', categoryId: pothole.id, subject: `Banc d'essai ${i}`, description: 'Mesure du direct' }),
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (r) => {
            await r.arrayBuffer();
            if (r.status === 201) created++;
            else failed++;
            createLat.push(Date.now() - t0);
          },
          () => failed++,
        ),
      );
    }
    await Promise.all(pending);
    const achieved = created / ((Date.now() - started) / 1000);
    // every client should get every creation (the admin's and the voirie agents' streams all see the pothole)
    const expected = created * CLIENTS;
    const drainDeadline = Date.now() + 30_000;
    while (received < expected && Date.now() < drainDeadline) await sleep(100);
    const peak = rssKb(app.pid);
    lags.sort((a, b) => a - b);
    createLat.sort((a, b) => a - b);
    log('');
    log(
      `tickets created: ${created} (${failed} failed), ${achieved.toFixed(1)}/s achieved (target ${RATE}/s); POST p50 ${percentile(createLat, 50)} ms, p99 ${percentile(createLat, 99)} ms`,
    );
    log(`events delivered: ${received} of ${expected} expected (${CLIENTS} clients × ${created} tickets)`);
    log(
      `delivery lag (Redis append → client): p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags[lags.length - 1]} ms`,
    );
    log(
      `API memory per connected client: ${(((connected - before) * 1024) / CLIENTS / 1024).toFixed(1)} KB (RSS ${(before / 1024).toFixed(1)} MB idle, ${(connected / 1024).toFixed(1)} MB with ${CLIENTS} clients, ${(peak / 1024).toFixed(1)} MB after the run)`,
    );
    log(`(one machine: the ${CLIENTS} clients share this process, so client-side parsing is part of the lag)`);
  } finally {
    for (const es of sources) es.close();
    await stopApp(app);
    if (!args['keep-db']) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  },
);
