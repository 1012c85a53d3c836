import type { INestApplication } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config';
import { createApp } from '../src/http-app';
import { TimersProcessor } from '../src/modules/timers/timers.processor';
import { ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';
import { eventually } from './support/eventually';

/** A free loopback port. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

async function startRedis(): Promise<{ url: string; proc: ChildProcess; client: Redis }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, retryStrategy: (n) => (n > 50 ? null : 100) });
  for (let i = 0; i < 50; i++) {
    try {
      await client.connect();
      await client.ping();
      return { url, proc, client };
    } catch {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('redis-server did not start');
}

/** A worker-role application context against the run's database and the given Redis. */
async function startWorker(redisUrl: string): Promise<INestApplication> {
  const saved = { ...process.env };
  Object.assign(process.env, { REDIS_URL: redisUrl, GRC_ROLE: 'worker', GRC_LOG_LEVEL: 'error' });
  try {
    const app = await createApp({ ...loadConfig(), role: 'worker', redisUrl });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}

const waitFor = async (what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
  await eventually(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: ms, interval: 200 },
  );
};

/**
 * Durable timers against a real Redis of their own (spawned here, so FLUSHALL disturbs nobody):
 * nothing is lost when Redis is emptied and the worker restarts, and two workers never fire twice.
 */
describe('durable timers', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let api: TestContext;
  let db: DataSource;
  const workers: INestApplication[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // the API role only: its escalation jobs go to our Redis, no worker of its own
    api = await startTestApp({ REDIS_URL: redis.url, GRC_ROLE: 'api' });
    db = api.db;
  });
  afterAll(async () => {
    for (const w of workers) await w.close().catch(() => undefined);
    await api?.close();
    redis?.client.disconnect();
    redis?.proc.kill('SIGKILL');
  });

  const createTickets = async (n: number): Promise<string[]> => {
    const d = await ids(db);
    const agent = await api.loginAs(VOIRIE_AGENT);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('trottoir-degrade'),
          subject: `Timers ${i}`,
          description: 'Minuteries durables.',
        })
        .expect(201);
      out.push(res.body.id);
    }
    return out;
  };
  /** Timeline events written by escalations, per timer key. */
  const firings = async (ticketIds: string[]): Promise<Map<string, number>> => {
    const rows: Array<{ key: string; n: number }> = await db.query(
      `SELECT data->>'timerKey' AS key, count(*)::int AS n FROM ticket_events
       WHERE ticket_id = ANY($1::uuid[]) AND kind IN ('sla_warning', 'sla_breached', 'sla_escalated') GROUP BY 1`,
      [ticketIds],
    );
    return new Map(rows.map((r) => [r.key, r.n]));
  };

  it('loses nothing when Redis is flushed and the worker restarts: every escalation fires exactly once', async () => {
    const first = await startWorker(redis.url);
    workers.push(first);
    const tickets = await createTickets(5);
    const keys: Array<{ key: string }> = await db.query(
      `SELECT key FROM timers WHERE ticket_id = ANY($1::uuid[]) AND state = 'pending' ORDER BY key`,
      [tickets],
    );
    expect(keys).toHaveLength(30); // 5 tickets × 2 clocks × 3 steps
    // after commit, the nearest point of each ticket got its job, with its real (days away) delay; the other
    // points are rows only, until they come within the reconciler's horizon
    await waitFor('jobs in Redis', async () => (await redis.client.keys('*:timers:*|*')).length >= 5);
    const [nearest] = await db.query(
      `SELECT array_agg(key ORDER BY key) AS keys FROM (SELECT DISTINCT ON (ticket_id) key FROM timers
        WHERE ticket_id = ANY($1::uuid[]) AND state = 'pending' ORDER BY ticket_id, due_at) n`,
      [tickets],
    );
    const ours = new Set(keys.map((k) => k.key));
    const jobs = (await redis.client.keys('*:timers:*|*')).map((k) => k.slice(k.lastIndexOf(':') + 1).replace(/\|/g, ':'));
    expect(jobs.filter((k) => ours.has(k)).sort()).toEqual(nearest.keys);
    // bring them 3 s ahead: the rows move, the Redis jobs still say "in days"
    await db.query(
      `UPDATE timers SET due_at = clock_timestamp() + interval '3 seconds' + (id % 5) * interval '100 milliseconds' WHERE ticket_id = ANY($1::uuid[])`,
      [tickets],
    );

    await redis.client.flushall();
    await first.close();
    workers.splice(workers.indexOf(first), 1);
    const second = await startWorker(redis.url);
    workers.push(second);

    await waitFor(
      'all 30 timers fired',
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM timers WHERE ticket_id = ANY($1::uuid[]) AND state = 'fired'`, [tickets]))[0].n ===
        30,
    );
    const counts = await firings(tickets);
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // fired by the re-added jobs at their due time, not minutes later
    const [lag] = await db.query(
      `SELECT max(extract(epoch FROM fired_at - due_at))::float8 AS max_s, min(extract(epoch FROM fired_at - due_at))::float8 AS min_s
       FROM timers WHERE ticket_id = ANY($1::uuid[])`,
      [tickets],
    );
    expect(lag.min_s).toBeGreaterThanOrEqual(0);
    expect(lag.max_s).toBeLessThan(3);
    // and nothing fires again on later passes
    await second.get(TimersProcessor).reconcile(true);
    expect([...(await firings(tickets)).values()].every((n) => n === 1)).toBe(true);
  });

  it('a running worker notices a FLUSHALL by itself and fires the timers due next from PostgreSQL at their time, once', async () => {
    const worker = workers[0] ?? (await startWorker(redis.url));
    if (!workers.includes(worker)) workers.push(worker);
    const tickets = await createTickets(5);
    await waitFor('jobs in Redis', async () => (await redis.client.keys('*:timers:*|*')).length >= 5);
    // the rows now say "in 2 s", the Redis jobs (the nearest of each ticket) still "in days"; then Redis loses everything
    await db.query(
      `UPDATE timers SET due_at = clock_timestamp() + interval '2 seconds' + (id % 5) * interval '100 milliseconds' WHERE ticket_id = ANY($1::uuid[])`,
      [tickets],
    );
    await redis.client.flushall();
    // no restart, no reconcile call: the sentinel watch (every 250 ms) starts the catch-up, well before the 15 s periodic pass
    await waitFor(
      'all 30 timers fired',
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM timers WHERE ticket_id = ANY($1::uuid[]) AND state = 'fired'`, [tickets]))[0].n ===
        30,
      20_000,
    );
    const [lag] = await db.query(
      `SELECT max(extract(epoch FROM fired_at - due_at))::float8 AS max_s, min(extract(epoch FROM fired_at - due_at))::float8 AS min_s
       FROM timers WHERE ticket_id = ANY($1::uuid[])`,
      [tickets],
    );
    expect(lag.min_s).toBeGreaterThanOrEqual(0);
    expect(lag.max_s).toBeLessThan(5);
    expect(await redis.client.exists(`${process.env['GRC_QUEUE_PREFIX']}:timers:sentinel`)).toBe(1);
    const counts = await firings(tickets);
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('two workers at once never fire the same timer twice (jobs and reconcilers racing)', async () => {
    const a = workers[0] ?? (await startWorker(redis.url));
    if (!workers.includes(a)) workers.push(a);
    const b = await startWorker(redis.url);
    workers.push(b);
    const tickets = await createTickets(10);
    await db.query(`UPDATE timers SET due_at = clock_timestamp() + interval '2 seconds' WHERE ticket_id = ANY($1::uuid[])`, [tickets]);
    await redis.client.flushall(); // the jobs still said "in days": both workers re-add them
    // each worker re-adds the moved jobs (same job id: BullMQ keeps one) and both race on the overdue rows too
    await Promise.all([a.get(TimersProcessor).reconcile(true), b.get(TimersProcessor).reconcile(true)]);
    await waitFor(
      'the moved timers to be due',
      async () =>
        (await db.query(`SELECT bool_and(due_at < clock_timestamp()) AS due FROM timers WHERE ticket_id = ANY($1::uuid[])`, [tickets]))[0]
          .due === true,
      10_000,
    );
    await Promise.all([
      a.get(TimersProcessor).reconcile(false),
      b.get(TimersProcessor).reconcile(false),
      a.get(TimersProcessor).reconcile(false),
    ]);
    await waitFor(
      'all 60 timers fired',
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM timers WHERE ticket_id = ANY($1::uuid[]) AND state = 'fired'`, [tickets]))[0].n ===
        60,
    );
    const counts = await firings(tickets);
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const [audit] = await db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.sla_escalation' AND entity_id = ANY($1::text[])`,
      [tickets],
    );
    expect(audit.n).toBe(60);
  });
});
