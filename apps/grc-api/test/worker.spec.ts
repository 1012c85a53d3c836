import { Queue } from 'bullmq';
import { OPEN_STATUSES } from '@grc/domain';
import { loadConfig } from '../src/config/config';
import { InboxCountersScheduler } from '../src/modules/worker/inbox-counters.scheduler';
import { INBOX_COUNTERS_RECONCILER, INBOX_COUNTERS_SLOT_MS, QUEUES } from '../src/modules/worker/queues';
import { ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';
import { eventually } from './support/eventually';

describe('worker: inbox-counters queue (real PostgreSQL and Redis)', () => {
  let ctx: TestContext;
  let queue: Queue;
  beforeAll(async () => {
    ctx = await startTestApp();
    const config = loadConfig();
    queue = new Queue(QUEUES.inboxCounters, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
  });
  afterAll(async () => {
    await queue.close();
    await ctx.close();
  });

  /** the read model and a direct count of the tickets, in the same order */
  const snapshot = async () => {
    const [expected, counters] = await Promise.all([
      ctx.db.query(
        `SELECT department_id, status, count(*)::int AS total, (count(*) FILTER (WHERE assignee_id IS NULL))::int AS unassigned
                    FROM tickets WHERE status = ANY($1::text[]) GROUP BY 1, 2 ORDER BY 1, 2`,
        [OPEN_STATUSES],
      ),
      ctx.db.query(`SELECT department_id, status, total, unassigned FROM inbox_counters ORDER BY 1, 2`),
    ]);
    return { expected, counters };
  };
  /** polls until the worker made the read model equal to the direct count */
  const waitForCounters = async (since: Date, timeoutMs = 10_000) => {
    try {
      return await eventually(
        async () => {
          const { expected, counters } = await snapshot();
          const [{ at }] = await ctx.db.query(`SELECT min(computed_at) AS at FROM inbox_counters`);
          if (!(at && new Date(at) >= since && JSON.stringify(expected) === JSON.stringify(counters))) throw new Error('not yet');
          return { expected, counters };
        },
        { timeout: timeoutMs, interval: 200 },
      );
    } catch {
      return snapshot(); // the caller's expect shows the difference
    }
  };

  it('installs the 60-second reconciler at worker start', async () => {
    await eventually(
      async () => {
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers.find((s) => s.key === INBOX_COUNTERS_RECONCILER)).toMatchObject({ every: 60_000, name: 'recompute' });
      },
      { interval: 200 },
    );
  });

  it('recomputes the counters after ticket changes (debounced), matching a direct COUNT', async () => {
    const d = await ids(ctx.db);
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const since = new Date();
    for (let i = 0; i < 3; i++) {
      const res = await agent.post('/api/v1/tickets').send({
        channel: 'phone',
        categoryId: await d.category('nid-de-poule'),
        subject: `Compteurs ${i}`,
        description: 'Test des compteurs de la boîte de réception.',
      });
      expect(res.status).toBe(201);
    }
    const { expected, counters } = await waitForCounters(since);
    expect(counters).toEqual(expected);
    const voirie = await d.department('voirie');
    expect(
      counters.find((c: { department_id: string; status: string }) => c.department_id === voirie && c.status === 'new')?.unassigned,
    ).toBeGreaterThanOrEqual(3);
  });

  it('heals a read model that went wrong on the next requested recompute', async () => {
    await ctx.db.query(`UPDATE inbox_counters SET total = total + 100, computed_at = now() - interval '1 hour'`);
    const since = new Date();
    await ctx.app.get(InboxCountersScheduler).requestRecompute(Date.now() + INBOX_COUNTERS_SLOT_MS); // a slot not requested yet
    const { expected, counters } = await waitForCounters(since);
    expect(counters).toEqual(expected);
  });

  it('gives many requests of one slot, from several API instances, a single job delayed to the end of the slot', async () => {
    const config = loadConfig();
    const a = new InboxCountersScheduler(config);
    const b = new InboxCountersScheduler(config);
    try {
      const slot = Math.floor(Date.now() / INBOX_COUNTERS_SLOT_MS) + 5; // the future keeps the job delayed while we look
      const now = slot * INBOX_COUNTERS_SLOT_MS + 300;
      await Promise.all([a.requestRecompute(now), a.requestRecompute(now + 100), b.requestRecompute(now + 200)]);
      const job = await queue.getJob(`recompute-default-${slot}`);
      expect(job).toBeDefined();
      // whichever instance reached Redis first set it: either way the job runs at the end of the slot
      expect([INBOX_COUNTERS_SLOT_MS - 300, INBOX_COUNTERS_SLOT_MS - 500]).toContain(job!.opts.delay);
      const sameSlot = (await queue.getJobs(['delayed', 'waiting', 'active', 'completed'])).filter(
        (j) => j?.id === `recompute-default-${slot}`,
      );
      expect(sameSlot).toHaveLength(1);
    } finally {
      await a.onApplicationShutdown();
      await b.onApplicationShutdown();
    }
  });

  it('never throws when Redis is unreachable (PostgreSQL stays the truth)', async () => {
    const down = new InboxCountersScheduler({ ...loadConfig(), redisUrl: 'redis://127.0.0.1:1' });
    const started = Date.now();
    await expect(down.requestRecompute()).resolves.toBeUndefined();
    await expect(down.recomputeNow()).resolves.toBe(false);
    await expect(down.ensureReconciler()).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(6_000);
    await down.onApplicationShutdown();
  });
});
