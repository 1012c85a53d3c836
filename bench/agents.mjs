#!/usr/bin/env node
// N simulated agents at work for M minutes (issue 16: "200 simulated agents (mixed reads and writes) for 10
// minutes with 0 errors; API memory ≤ 300 MB per process"). Starts the built app as it is deployed — one API
// process (GRC_ROLE=api) and one worker (GRC_ROLE=worker), with the image's runtime settings (docker/Dockerfile's
// NODE_OPTIONS and MALLOC_MMAP_THRESHOLD_) — on a kept database (the 10 M one by default) or on a fresh demo
// town (--fresh), signs each simulated agent in with its own session (the demo's agents and heads of every
// commune in turn), and lets each one work: look at an inbox page (a view, a sort, sometimes a status filter),
// search, read the counters, open a request from its last page, and act on the request it has open — a note, a
// status change, taking it — or register a new one by phone. Each agent waits a random think time between two
// actions (exponential, mean --think ms), so that 200 agents make the load of a busy town hall, not a flood.
//
// Prints per action: count, p50 / p95 / p99 / max ms; the errors (any answer but the expected one, a timeout or
// a failed connection: the target is 0) with the first few bodies; the 409 conflicts (two agents changing the
// same request: the optimistic lock's answer, counted apart — correct behaviour, not an error); each process's
// resident memory (VmRSS sampled every 200 ms: peak, and at the end) and its CPU time.
//   node bench/agents.mjs [--agents=200] [--minutes=10] [--think=3000] [--db=grc_bench10m | --fresh]
//                         [--port=3992] [--main=<another build's main.js>] [--bare]
// --fresh: a throwaway database with the demo town and the demo métropole (`serve --migrate --demo`), dropped at
// the end — a check of the script itself in a minute (`--agents=20 --minutes=1 --fresh`).
// Needs PostgreSQL and Redis on 127.0.0.1 (BENCH_PG_URL, BENCH_REDIS_URL) and dist/apps/grc-api (npx nx build
// grc-api). Every request has a timeout; traffic stays on 127.0.0.1. See bench/README.md ("Agents at work").
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { COMMON_WORD, RARE_WORD } from './phrases.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['agents', 'minutes', 'think', 'db', 'fresh', 'port', 'main', 'bare'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const AGENTS = Number(args.agents ?? 200);
const MINUTES = Number(args.minutes ?? 10);
const THINK = Number(args.think ?? 3000);
const FRESH = Boolean(args.fresh);
const DB = FRESH ? `grc_bench_agents_${process.pid}` : String(args.db ?? 'grc_bench10m');
const PORT = Number(args.port ?? 3992);
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = resolve(ROOT, args.main ?? 'dist/apps/grc-api/main.js');
const PASSWORD = 'Demo-GRC-2026!'; // the demo packs' agents (demo only)
const BASE = `http://127.0.0.1:${PORT}`;
const TIMEOUT = 30_000; // ms: a request slower than this is an error
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
const loadAvg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// ---------- processes ----------
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
  // unset, not empty: glibc reads an empty MALLOC_MMAP_THRESHOLD_ as 0
  for (const k of RUNTIME_NAMES) delete inherited[k];
  return {
    ...inherited,
    NODE_ENV: 'production',
    DATABASE_URL: `${PG_BASE}/${DB}`,
    REDIS_URL,
    HOST: '127.0.0.1',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: `grc-bench-agents-${process.pid}`,
    // 200 sessions signed in from one address within a minute: the limiter counts failures only, keep it out of the way
    GRC_LOGIN_ACCOUNT_FAILURES: '100000',
    GRC_LOGIN_IP_FAILURES: '100000',
    // the seed puts years of closed requests past their retention at once: the first retention run would work
    // through them for hours beside the measured reads (bench/README.md "10 M"); bench/anonymise.mjs measures it
    GRC_RETENTION_EVERY_MINUTES: process.env.GRC_RETENTION_EVERY_MINUTES ?? '0',
    // the daily open-data files are written at the worker's start, then once a day (a town runs them at night): at
    // 10 M their read of the whole rollup held the disk for minutes under the agents (bench/README.md "Agents at work")
    GRC_OPEN_DATA_EVERY_HOURS: process.env.GRC_OPEN_DATA_EVERY_HOURS ?? '0',
    GRC_DATA_DIR: join(ROOT, 'bench/.data'),
    GRC_LOG_LEVEL: 'warn',
    ...RUNTIME,
    ...extra,
  };
}

function start(role, opsPort, serveArgs = []) {
  const extra = { GRC_ROLE: role, GRC_METRICS_PORT: String(opsPort), GRC_METRICS_HOST: '127.0.0.1' };
  if (role !== 'worker') extra.PORT = String(PORT);
  const child = spawn(process.execPath, [MAIN, 'serve', ...serveArgs], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    role,
    child,
    peak: 0,
    output: () => output,
    exited: () => (child.exitCode !== null || child.signalCode !== null ? `${role} exited (${child.exitCode ?? child.signalCode})` : null),
    async ready() {
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${role} exited during start-up:\n${output.slice(-4000)}`);
        const ok = await fetch(`http://127.0.0.1:${opsPort}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(300);
      }
      throw new Error(`${role} not ready within 300 s:\n${output.slice(-4000)}`);
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
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / HZ;
};
const rssKb = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

// ---------- what the agents do ----------
const stats = new Map(); // action → { ms: [], errors, conflicts }
const errorSamples = [];
const conflictSamples = new Map(); // action → first 409 body (what the conflicts were)
function record(action, ms, outcome, detail) {
  let s = stats.get(action);
  if (!s) stats.set(action, (s = { ms: [], errors: 0, conflicts: 0 }));
  s.ms.push(ms);
  if (outcome === 'conflict') {
    s.conflicts++;
    if (!conflictSamples.has(action)) conflictSamples.set(action, detail);
  }
  if (outcome === 'error') {
    s.errors++;
    if (errorSamples.length < 10) errorSamples.push(`${action}: ${detail}`);
  }
}

/** One HTTP call as the console makes it; `expect`: the status that means it worked (409 is a conflict). */
async function call(action, cookie, method, path, body, expect) {
  const t0 = performance.now();
  try {
    const r = await fetch(`${BASE}${path}`, {
      method,
      headers: { cookie, 'x-requested-with': 'grc', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(TIMEOUT),
    });
    const text = await r.text();
    const ms = performance.now() - t0;
    if (r.status === expect) {
      record(action, ms, 'ok');
      return text ? JSON.parse(text) : null;
    }
    record(action, ms, r.status === 409 ? 'conflict' : 'error', `${method} ${path.slice(0, 100)} → ${r.status} ${text.slice(0, 300)}`);
    return null;
  } catch (e) {
    record(action, performance.now() - t0, 'error', `${method} ${path.slice(0, 100)} → ${e.name}: ${e.message}`);
    return null;
  }
}

async function login(email) {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(TIMEOUT),
  });
  if (r.status !== 200) return { error: `HTTP ${r.status} ${(await r.text()).slice(0, 200)}` };
  return {
    cookie: r.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
  };
}

const SORTS = ['created_desc', 'updated_desc', 'priority_desc', 'due_asc', 'created_asc'];
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
/** a number of its own per new requester: a known one belongs to a record the agent may not reach (409, rightly) */
const newPhone = () => `07${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`.replace(/(\d\d)(?=\d)/g, '$1 ');
const thinkTime = () => -Math.log(1 - Math.random()) * THINK;
/** the mix, by weight: reads ≈ 80 %, writes ≈ 20 % of the actions */
const ACTIONS = [
  ['inbox', 30],
  ['inbox_mine', 6],
  ['search', 10],
  ['counters', 10],
  ['detail', 24],
  ['note', 8],
  ['status', 5],
  ['take', 3],
  ['create', 4],
];
const TOTAL_WEIGHT = ACTIONS.reduce((n, [, w]) => n + w, 0);
function nextAction() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [a, w] of ACTIONS) if ((r -= w) < 0) return a;
  return 'inbox';
}

/** One simulated agent: signs in, then works until `until`. */
async function agentAt(work, account, categories, until) {
  const state = { page: [], open: null };
  const { cookie } = account;
  const openOne = async () => {
    const t = pick(state.page);
    if (!t) return null;
    state.open = await call('detail', cookie, 'GET', `/api/v1/tickets/${t.id}`, null, 200);
    return state.open;
  };
  /** A change of the request the agent has open (opened first if none), at its version; `bodyOf` null: nothing to do. */
  const change = async (action, route, bodyOf) => {
    const t = state.open ?? (await openOne());
    const body = t && bodyOf(t);
    if (!body) return;
    const done = await call(action, cookie, 'POST', `/api/v1/tickets/${t.id}/${route}`, { ...body, version: t.version }, 201);
    state.open = done ?? null;
  };
  while (Date.now() < until) {
    await sleep(thinkTime());
    if (Date.now() >= until) break;
    const action = state.page.length ? nextAction() : 'inbox';
    switch (action) {
      case 'inbox': {
        const status = Math.random() < 0.3 ? `&status=${pick(['new', 'open', 'waiting_citizen'])}` : '';
        const page = await call(
          'inbox',
          cookie,
          'GET',
          `/api/v1/tickets?view=departments&limit=50&sort=${pick(SORTS)}${status}`,
          null,
          200,
        );
        if (page?.items?.length) state.page = page.items;
        break;
      }
      case 'inbox_mine':
        await call('inbox_mine', cookie, 'GET', '/api/v1/tickets?view=mine&limit=50', null, 200);
        break;
      case 'search': {
        const q = encodeURIComponent(Math.random() < 0.7 ? COMMON_WORD : RARE_WORD);
        await call('search', cookie, 'GET', `/api/v1/tickets?view=departments&limit=50&q=${q}`, null, 200);
        break;
      }
      case 'counters':
        await call('counters', cookie, 'GET', '/api/v1/tickets/counters', null, 200);
        break;
      case 'detail':
        await openOne();
        break;
      case 'note':
        await change('note', 'messages', () => ({
          kind: 'note',
          body: `Vu sur place le ${new Date().toLocaleDateString('fr-FR')} : intervention à programmer (agent ${work}).`,
        }));
        break;
      case 'status':
        await change('status', 'status', (t) => {
          const to = pick((t.allowedStatuses ?? []).filter((s) => s !== t.status));
          return to ? { status: to, comment: 'Mise à jour après passage sur place.' } : null;
        });
        break;
      case 'take':
        await change('take', 'assign', (t) => (t.assignee?.id === account.id ? null : { assigneeId: account.id }));
        break;
      case 'create': {
        const c = pick(categories);
        if (!c) break;
        await call(
          'create',
          cookie,
          'POST',
          '/api/v1/tickets',
          {
            channel: pick(['phone', 'counter', 'mail']),
            categoryId: c.id,
            subject: `Signalement n° ${work}-${Date.now() % 100000}`,
            description: `Appel d’un riverain au sujet d’un ${COMMON_WORD} abîmé, à vérifier sur place.`,
            newCitizen: { kind: 'resident', firstName: 'Camille', lastName: `Essai${work}`, phone: newPhone() },
          },
          201,
        );
        break;
      }
    }
  }
}

// ---------- main ----------
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npx nx build grc-api`);
  log(`agents: ${AGENTS} simulated agents for ${MINUTES} min, think time ${THINK} ms (mean), database ${DB}, node ${process.version}`);
  log(`load average ${loadAvg()} on ${os.cpus().length} CPUs`);
  if (FRESH) {
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${DB}`);
  }
  const procs = [];
  const db = new pg.Client({ connectionString: `${PG_BASE}/${DB}` });
  try {
    if (FRESH) {
      procs.push(
        start('worker', PORT + 2, [
          '--migrate',
          ...['packs/demo-town', 'packs/demo-metropole/grand-aubin', 'packs/demo-metropole/val-fleuri'].flatMap((p) => ['--demo', p]),
        ]),
      );
      await procs[0].ready();
    } else procs.push(start('worker', PORT + 2, ['--migrate']));
    procs.push(start('api', PORT + 1));
    await Promise.all(procs.map((p) => p.ready()));
    await db.connect();
    const { rows } = await db.query(
      `SELECT id, email, role FROM agents WHERE active AND role IN ('agent', 'head') AND email LIKE '%@%' ORDER BY role, email`,
    );
    // sign in: one session per simulated agent, the accounts in turn, 4 at a time (argon2 runs on libuv's 4 threads)
    const accounts = [];
    const refused = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < AGENTS) {
          const a = rows[next++ % rows.length];
          const r = await login(a.email);
          if (r.cookie) accounts.push({ ...a, cookie: r.cookie });
          else refused.push(`${a.email}: ${r.error}`);
        }
      }),
    );
    if (refused.length) log(`  ${refused.length} sign-ins refused, e.g. ${refused[0]}`);
    if (!accounts.length) throw new Error('no simulated agent could sign in');
    log(`  ${accounts.length} sessions (${new Set(accounts.map((a) => a.email)).size} accounts: agents and heads of every commune)`);
    // the categories an agent may file in (not a member commune's, read by a métropole's session; no required field of
    // their own: the bench does not fill forms)
    const categoriesOf = new Map();
    for (const a of accounts) {
      if (categoriesOf.has(a.email)) continue;
      const r = await fetch(`${BASE}/api/v1/categories`, { headers: { cookie: a.cookie }, signal: AbortSignal.timeout(TIMEOUT) });
      const all = r.ok ? await r.json() : [];
      categoriesOf.set(
        a.email,
        all.filter((c) => c.active !== false && c.origin !== 'commune' && !(c.fields ?? []).some((f) => f.required)),
      );
    }
    const sampler = setInterval(() => {
      for (const p of procs) if (!p.exited()) p.peak = Math.max(p.peak, rssKb(p.child.pid));
    }, 200);
    for (const p of procs) p.cpu0 = cpuMs(p.child.pid);
    const t0 = Date.now();
    const until = t0 + MINUTES * 60_000;
    const progress = setInterval(() => {
      const n = [...stats.values()].reduce((k, s) => k + s.ms.length, 0);
      const e = [...stats.values()].reduce((k, s) => k + s.errors, 0);
      log(`  ${((Date.now() - t0) / 60_000).toFixed(1)} min: ${n} requests, ${e} errors, load average ${loadAvg()}`);
    }, 60_000);
    await Promise.all(accounts.map((a, i) => agentAt(i, a, categoriesOf.get(a.email), until)));
    clearInterval(progress);
    clearInterval(sampler);
    const seconds = (Date.now() - t0) / 1000;
    for (const p of procs) if (p.exited()) throw new Error(`${p.exited()}:\n${p.output().slice(-4000)}`);

    log('');
    log(`| action | requests | per second | p50 ms | p95 ms | p99 ms | max ms | errors | conflicts (409) |`);
    log('|---|---|---|---|---|---|---|---|---|');
    let total = 0;
    let errors = 0;
    let conflicts = 0;
    for (const [action] of [...ACTIONS, ['total']]) {
      const s = action === 'total' ? null : stats.get(action);
      if (action !== 'total' && !s) continue;
      const ms = (s ? s.ms : [...stats.values()].flatMap((x) => x.ms)).sort((a, b) => a - b);
      const e = s ? s.errors : errors;
      const c = s ? s.conflicts : conflicts;
      if (s) {
        total += ms.length;
        errors += s.errors;
        conflicts += s.conflicts;
      }
      const f = (x) => x.toFixed(1);
      log(
        `| ${s ? action : '**all**'} | ${ms.length} | ${f(ms.length / seconds)} | ${f(pct(ms, 50))} | ${f(pct(ms, 95))} | ${f(pct(ms, 99))} | ${f(ms.at(-1))} | ${e} | ${c} |`,
      );
    }
    log('');
    log(`${total} requests in ${seconds.toFixed(0)} s by ${accounts.length} agents: **${errors} errors**, ${conflicts} conflicts (409)`);
    for (const e of errorSamples) log(`  error: ${e}`);
    for (const [a, d] of conflictSamples) log(`  conflict, e.g. ${a}: ${d}`);
    for (const p of procs)
      log(
        `  ${p.role}: RSS peak ${(p.peak / 1024).toFixed(1)} MB, at the end ${(rssKb(p.child.pid) / 1024).toFixed(1)} MB, CPU ${((cpuMs(p.child.pid) - p.cpu0) / 1000).toFixed(1)} s`,
      );
    log(`load average ${loadAvg()}`);
    process.exitCode = errors ? 1 : 0;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db.end().catch(() => undefined);
    if (FRESH) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

main().catch((e) => {
  log(e.stack ?? String(e));
  process.exitCode = 1;
});
