#!/usr/bin/env node
// Durable timers under load: 100,000 pending timers due over the next minutes, with the API and the
// worker running (built app: npx nx build grc-api). Reports how late each one fired (fired_at - due_at,
// i.e. the action committed), none missed, none doubled, and the worker's memory.
//   node bench/sla-timers.mjs [--timers=100000] [--spread=180] [--lead=20] [--flush-at=0.5]
// --flush-at=F runs FLUSHALL on Redis when a fraction F of the spread has elapsed.
// Self-contained: a fresh database (grc_bench_timers_<pid>) on the local PostgreSQL and a redis-server of
// its own on a random port (FLUSHALL never touches anyone else's Redis); both removed at the end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import pg from 'pg';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const N = Number(args.timers ?? 100_000);
const SPREAD_S = Number(args.spread ?? 180);
const LEAD_S = Number(args.lead ?? 20);
const FLUSH_AT = args['flush-at'] === undefined ? null : Number(args['flush-at']);
const ROOT = join(import.meta.dirname, '..');
const MAIN = process.env.GRC_BENCH_MAIN ?? join(ROOT, 'dist/apps/grc-api/main.js');
const PG = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `grc_bench_timers_${process.pid}`;
const PREFIX = 'grc-bench';
const jobIdOf = (key) => key.replace(/:/g, '|'); // as apps/grc-api/src/modules/timers/timers.constants.ts

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dbUrl = (name) => {
  const u = new URL(PG);
  u.pathname = `/${name}`;
  return u.toString();
};
const rssMb = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
};
const SLICE_MS = 15_000;
/** p99 / max lag per 15 s slice of due time, as "start s: p99/max ms". */
function slices(fired, flushed) {
  const t0 = fired.reduce((m, r) => Math.min(m, Number(r.due_ms)), Infinity);
  const groups = new Map();
  for (const r of fired) {
    const k = Math.floor((Number(r.due_ms) - t0) / SLICE_MS);
    groups.set(k, [...(groups.get(k) ?? []), Number(r.lag_ms)]);
  }
  const flushSlice = flushed ? Math.floor((flushed.getTime() - t0) / SLICE_MS) : null;
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, lags]) => {
      lags.sort((a, b) => a - b);
      return `${k * 15}s${k === flushSlice ? '*' : ''}: ${Math.round(pct(lags, 99))}/${Math.round(lags[lags.length - 1])}`;
    })
    .join(', ');
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function admin(sql) {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function start(role, env) {
  const p = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, ...env, GRC_ROLE: role, GRC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  p.on('exit', (code, sig) => {
    if (code !== null && code !== 0) console.error(`${role} exited with ${code ?? sig}`);
  });
  return p;
}

async function main() {
  const redisPort = await freePort();
  const redisProc = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  await admin(`CREATE DATABASE ${DB}`);
  const DATABASE_URL = dbUrl(DB);
  const procs = [];
  const client = new pg.Client({ connectionString: DATABASE_URL });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    // schema (and the demo town: the API serves it while the bench runs)
    await new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [MAIN, 'load-pack', join(ROOT, 'packs/demo-town')], {
        env: { ...process.env, DATABASE_URL, GRC_LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      });
      p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`load-pack exited ${c}`))));
    });
    const env = { DATABASE_URL, REDIS_URL, GRC_QUEUE_PREFIX: PREFIX, PORT: String(await freePort()), HOST: '127.0.0.1' };
    procs.push(start('api', env));
    const worker = start('worker', env);
    procs.push(worker);
    await client.connect();
    await sleep(3_000);
    const rssStart = rssMb(worker.pid);
    const loadStart = Number(loadavg()[0].toFixed(1));

    // 1. the rows (the truth), due uniformly over [now + lead, now + lead + spread]
    const t0 = Date.now() + LEAD_S * 1000;
    const dueOf = (i) => new Date(t0 + Math.floor((i * SPREAD_S * 1000) / N));
    const insertStart = Date.now();
    for (let i = 0; i < N; i += 5_000) {
      const n = Math.min(5_000, N - i);
      await client.query(
        `INSERT INTO timers (key, kind, due_at) SELECT 'bench:' || g, 'noop', ($1::timestamptz[])[g - $2 + 1] FROM generate_series($2::int, $3::int) g`,
        [Array.from({ length: n }, (_, k) => dueOf(i + k).toISOString()), i, i + n - 1],
      );
    }
    // 2. their delayed jobs, as TimersService adds them after commit (jobId from the key)
    const queue = new Queue('timers', { connection: { url: REDIS_URL }, prefix: PREFIX });
    for (let i = 0; i < N; i += 1_000) {
      const now = Date.now();
      await queue.addBulk(
        Array.from({ length: Math.min(1_000, N - i) }, (_, k) => ({
          name: 'fire',
          data: { key: `bench:${i + k}`, ticketId: null },
          opts: {
            jobId: jobIdOf(`bench:${i + k}`),
            delay: Math.max(0, dueOf(i + k).getTime() - now),
            removeOnComplete: true,
            removeOnFail: 1000,
          },
        })),
      );
    }
    await queue.close();
    console.log(
      `scheduled ${N} timers in ${((Date.now() - insertStart) / 1000).toFixed(1)} s, due from +${LEAD_S} s over ${SPREAD_S} s${FLUSH_AT !== null ? `, FLUSHALL at ${FLUSH_AT * 100} %` : ''}`,
    );

    // 3. watch: memory every second, FLUSHALL if asked, until every row fired (or a deadline)
    let rssMax = 0;
    const samples = [];
    let flushed = null;
    const end = t0 + SPREAD_S * 1000 + 90_000;
    for (;;) {
      const r = rssMb(worker.pid);
      if (r !== null) {
        rssMax = Math.max(rssMax, r);
        samples.push(r);
      }
      if (FLUSH_AT !== null && !flushed && Date.now() >= t0 + FLUSH_AT * SPREAD_S * 1000) {
        await redis.flushall();
        flushed = new Date();
        console.log(`FLUSHALL at ${flushed.toISOString()}`);
      }
      const [{ pending }] = (await client.query(`SELECT count(*)::int AS pending FROM timers WHERE state = 'pending' AND kind = 'noop'`))
        .rows;
      if (pending === 0 && Date.now() > t0 + SPREAD_S * 1000) break;
      if (Date.now() > end) {
        console.log(`deadline reached with ${pending} pending`);
        break;
      }
      await sleep(1_000);
    }

    // 4. figures from the rows
    const { rows } = await client.query(
      `SELECT extract(epoch FROM fired_at - due_at) * 1000 AS lag_ms, extract(epoch FROM due_at) * 1000 AS due_ms, attempts, state FROM timers WHERE kind = 'noop'`,
    );
    const fired = rows.filter((r) => r.state === 'fired');
    const lags = fired.map((r) => Number(r.lag_ms)).sort((a, b) => a - b);
    const early = lags.filter((l) => l < 0).length;
    const result = {
      timers: N,
      spreadSeconds: SPREAD_S,
      flushAllAt: flushed?.toISOString() ?? null,
      fired: fired.length,
      missed: rows.length - fired.length,
      doubled: fired.filter((r) => r.attempts > 1).length,
      early,
      lagMs: {
        p50: Math.round(pct(lags, 50)),
        p90: Math.round(pct(lags, 90)),
        p99: Math.round(pct(lags, 99)),
        max: Math.round(lags[lags.length - 1]),
      },
      workerRssMb: {
        atStart: rssStart && Math.round(rssStart),
        max: Math.round(rssMax),
        atEnd: Math.round(samples[samples.length - 1] ?? 0),
      },
      loadAverage: { atStart: loadStart, atEnd: Number(loadavg()[0].toFixed(1)) },
      // where the lag is: p99 / max lag of the timers due in each 15 s slice of the spread (flush marked *)
      bySlice: slices(fired, flushed),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await sleep(1_500);
    await client.end().catch(() => undefined);
    redis.disconnect();
    redisProc.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch((e) => console.error(e.message));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
