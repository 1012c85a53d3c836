import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { MetricsRegistry } from '../src/modules/metrics/metrics.registry';
import { MetricsServer } from '../src/modules/metrics/metrics.server';
import { TimersService } from '../src/modules/timers/timers.service';
import { VOIRIE_AGENT } from './support/demo';
import { eventually } from './support/eventually';
import { startTestApp, type TestContext } from './support/test-app';

/** The owner's connection to this spec's database (the app's role may not touch `migrations`). */
async function asOwner<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: process.env['DATABASE_URL'] });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** One sample's value in Prometheus' text format (labels given in the order the metric prints them). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Kubernetes probes (@nestjs/terminus)', () => {
  it('is not ready while a migration of this build is not applied, and ready once it is', async () => {
    const last = await asOwner(async (c) => (await c.query(`SELECT * FROM migrations ORDER BY id DESC LIMIT 1`)).rows[0]);
    await asOwner((c) => c.query(`DELETE FROM migrations WHERE id = $1`, [last.id]));
    const ctx = await startTestApp({ GRC_ROLE: 'api' });
    try {
      const pending = await ctx.http.get('/api/v1/health/ready').expect(503);
      expect(pending.body).toMatchObject({ status: 'error', error: { migrations: { status: 'down', message: 'pending' } } });
      expect(pending.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
      // alive all the same: a pending migration is no reason to restart the pod
      await ctx.http.get('/api/v1/health/live').expect(200);
      await asOwner((c) =>
        c.query(`INSERT INTO migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [last.id, last.timestamp, last.name]),
      );
      const ready = await ctx.http.get('/api/v1/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' } },
      });
    } finally {
      await ctx.close();
    }
  });

  it('keeps an API pod ready when Redis is gone (reported unreachable), and GET /api/v1/health keeps its contract', async () => {
    const ctx = await startTestApp({ GRC_ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const ready = await ctx.http.get('/api/v1/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up', reachable: false } },
      });
      // the compose health check's answer keeps its fields (more may be added, e.g. the version)
      expect((await ctx.http.get('/api/v1/health').expect(200)).body).toMatchObject({ status: 'ok', postgres: 'up', redis: 'down' });
      const live = await ctx.http.get('/api/v1/health/live').expect(200);
      expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up', role: 'api' } } });
    } finally {
      await ctx.close();
    }
  });
});

describe('Prometheus metrics on the operations port', () => {
  let ctx: TestContext;
  let base: string;
  const TOKEN = 'metrics-token-of-the-spec';
  const scrape = async () => {
    const r = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    return r.text();
  };

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_METRICS_PORT: '0', GRC_METRICS_HOST: '127.0.0.1', GRC_METRICS_TOKEN: TOKEN });
    base = `http://127.0.0.1:${ctx.app.get(MetricsServer).port()}`;
  });
  afterAll(() => ctx.close());

  it('answers only with the bearer token, and never on the public port', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    // the public port has no /metrics: 404, or the console's page when a built console is served (its fallback)
    const pub = await ctx.http.get('/metrics');
    expect(pub.status === 404 || String(pub.headers['content-type']).startsWith('text/html')).toBe(true);
    expect(pub.text).not.toContain('grc_http_request_duration_seconds');
    // the worker's probes live on this port too (no token: the kubelet calls them)
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { migrations: { status: 'up' } } });
  });

  it('records HTTP latency under the route pattern, never the raw URL', async () => {
    const agent = await ctx.loginAs(VOIRIE_AGENT);
    const [{ id }] = await ctx.db.query(
      `SELECT t.id FROM tickets t JOIN departments d ON d.id = t.department_id WHERE d.code = 'voirie' LIMIT 1`,
    );
    await agent.get(`/api/v1/tickets/${id}`).expect(200);
    await agent.get(`/api/v1/tickets/00000000-0000-4000-8000-000000000000`).expect(404);
    const text = await scrape();
    expect(sample(text, 'grc_http_request_duration_seconds_count', 'method="GET",route="/api/v1/tickets/:id",status="2xx"')).toBe(1);
    expect(sample(text, 'grc_http_request_duration_seconds_count', 'method="GET",route="/api/v1/tickets/:id",status="4xx"')).toBe(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('00000000-0000-4000-8000-000000000000');
  });

  it('reports queue depths, outbox backlog, overdue timers, pool usage and SSE connections', async () => {
    ctx.app.get(MetricsRegistry).sseConnectionOpened();
    ctx.app.get(MetricsRegistry).sseConnectionOpened();
    ctx.app.get(MetricsRegistry).sseConnectionClosed();
    const [{ n: backlog }] = await ctx.db.query(
      `SELECT count(*)::int AS n FROM mail_outbox WHERE state IN ('queued', 'failed', 'sending') AND next_attempt_at IS NOT NULL`,
    );
    const text = await scrape();
    for (const q of ['timers', 'mail-outbox', 'inbox-counters', 'retention'])
      expect(sample(text, 'grc_queue_jobs', `queue="${q}",state="delayed"`)).toEqual(expect.any(Number));
    expect(sample(text, 'grc_mail_outbox_backlog')).toBe(backlog);
    expect(sample(text, 'grc_timers_overdue')).toEqual(expect.any(Number));
    expect(sample(text, 'grc_timers_overdue_oldest_seconds')).toEqual(expect.any(Number));
    expect(sample(text, 'grc_db_pool_connections', 'state="max"')).toBe(80);
    expect(sample(text, 'grc_db_pool_connections', 'state="total"')).toBeGreaterThan(0);
    expect(sample(text, 'grc_sse_connections')).toBe(1);
    expect(sample(text, 'grc_process_role', 'role="all"')).toBe(1);
    expect(text).toContain('grc_process_resident_memory_bytes');
  });

  it('serves every metric the Grafana dashboard of docs/ queries', async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../docs/grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/grc_[a-z0-9_]+/g) ?? [])));
    const text = await scrape();
    const typed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const missing = [...used].filter((n) => !typed.has(n) && !typed.has(n.replace(/_(bucket|count|sum)$/, '')));
    expect(used.size).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('measures a fired timer: its lag behind the due time and its job', async () => {
    const timers = ctx.app.get(TimersService);
    const key = `metrics-spec:${Date.now()}`;
    await ctx.db.transaction((m) =>
      timers.schedule(m, { key, kind: 'noop', ticketId: null, dueAt: new Date(Date.now() + 200), payload: {} }),
    );
    await eventually(
      async () => {
        const [row] = await ctx.db.query(`SELECT state FROM timers WHERE key = $1`, [key]);
        expect(row.state).toBe('fired');
      },
      { timeout: 30_000 },
    );
    const text = await eventually(async () => {
      const t = await scrape();
      expect(sample(t, 'grc_job_duration_seconds_count', 'queue="timers",outcome="completed"')).toBeGreaterThanOrEqual(1);
      return t;
    });
    expect(sample(text, 'grc_timer_lag_seconds_count', 'kind="noop"')).toBe(1);
    expect(sample(text, 'grc_timers_fired_total', 'kind="noop"')).toBe(1);
  });
});
