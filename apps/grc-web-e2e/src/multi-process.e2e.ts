/**
 * Several processes at once (issue 16): 2 API and 2 worker processes of the built app on one PostgreSQL database
 * and one Redis, as Kubernetes runs them (deploy/kubernetes). Requests go round-robin to the two APIs. Proves
 * that nothing is lost, doubled or served stale: sessions (one process's logout ends the session on the other at
 * once, although each caches sessions for 10 minutes here), the public form's rate limit (counted once across
 * both), tickets (every creation once, one reference each), timers (each escalation fired once by one of the two
 * workers) and e-mails (each acknowledgement sent once).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { databaseUrlFor, pgAdmin } from './support/env';

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'dist/apps/grc-api/main.js');
const PASSWORD = 'Demo-GRC-2026!';
const AGENT = 'julie.lefebvre@saint-aubin.fr';
/** public requests allowed per address and window, across every API process */
const PUBLIC_LIMIT = 6;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** Polls until `fn` stops throwing (for things that must happen: a worker, a mail, a timer). */
async function eventually<T>(fn: () => Promise<T>, timeout = 60_000): Promise<T> {
  const until = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** the API's base URL, or the worker's operations port */
  url: string;
}

const stamp = `${process.pid}_${Date.now().toString(36)}`;
const dbName = `grc_mp_${stamp}`;
const prefix = `grc-mp-${stamp}`;
const dataDir = mkdtempSync(join(tmpdir(), 'grc-mp-data-'));
const procs: Proc[] = [];
const mails: ParsedMail[] = [];
let smtp: SMTPServer;
let db: Client;
let apis: Proc[];

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrlFor(dbName),
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    GRC_ROOT: ROOT,
    GRC_QUEUE_PREFIX: prefix,
    GRC_DATA_DIR: dataDir,
    GRC_LOG_LEVEL: 'warn',
    GRC_LOGIN_ACCOUNT_FAILURES: '1000',
    GRC_LOGIN_IP_FAILURES: '100000',
    // a resolved session stays cached 10 minutes: only the cross-process eviction can end it sooner
    GRC_SESSION_CACHE_MS: '600000',
    GRC_PUBLIC_RATE_LIMIT: String(PUBLIC_LIMIT),
    GRC_PUBLIC_RATE_WINDOW_SECONDS: '3600',
    GRC_RETENTION_EVERY_MINUTES: '0',
    GRC_TIMERS_RECONCILE_MS: '500',
    MAIL_SWEEP_MS: '300',
    ...extra,
  };
}

async function start(name: string, role: 'api' | 'worker'): Promise<Proc> {
  const port = await freePort();
  const extra: Record<string, string> =
    role === 'api'
      ? { GRC_ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' }
      : { GRC_ROLE: 'worker', GRC_METRICS_PORT: String(port), GRC_METRICS_HOST: '127.0.0.1' };
  const child = spawn(process.execPath, [MAIN, 'serve'], { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (c: Buffer) => {
    output = (output + c.toString()).slice(-50_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const proc = { name, child, output: () => output, url: `http://127.0.0.1:${port}` };
  procs.push(proc);
  return proc;
}

/** Waits for the readiness probe the Kubernetes manifests use for this role. */
async function ready(p: Proc, path: string): Promise<void> {
  await eventually(async () => {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.output()}`);
    const r = await fetch(`${p.url}${path}`, { signal: AbortSignal.timeout(2_000) }).catch((e: Error) => ({
      ok: false,
      status: e.message,
    }));
    if (!r.ok) throw new Error(`${p.name} not ready (${r.status}):\n${p.output().slice(-3000)}`);
  }, 180_000);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** A minimal cookie-keeping client of one API process. */
class Session {
  cookie = '';
  constructor(readonly base: string) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, checked by the expectations
  async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        'X-Requested-With': 'grc',
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('grc_session='));
    if (set) this.cookie = set.split(';')[0]!;
    const text = await r.text();
    return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  }
  async login(email: string): Promise<void> {
    const r = await this.send('POST', '/api/v1/auth/login', { email, password: PASSWORD });
    if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  /** The same session (cookie) on another process. */
  on(base: string): Session {
    const s = new Session(base);
    s.cookie = this.cookie;
    return s;
  }
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void simpleParser(Buffer.concat(chunks)).then((m) => {
          mails.push(m);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}?ignoreTLS=true`;
  process.env['SMTP_URL'] = smtpUrl;

  await pgAdmin(`CREATE DATABASE ${dbName}`);
  // the migration Job's work, once: migrations and the demo town
  const load = spawnSync(process.execPath, [MAIN, 'load-pack', 'packs/demo-town'], {
    cwd: ROOT,
    env: env({}),
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (load.status !== 0) throw new Error(`load-pack failed (${load.status}):\n${load.stdout}\n${load.stderr}`);
  db = new Client({ connectionString: databaseUrlFor(dbName) });
  await db.connect();

  apis = [await start('api-1', 'api'), await start('api-2', 'api')];
  const workers = [await start('worker-1', 'worker'), await start('worker-2', 'worker')];
  await Promise.all([...apis.map((p) => ready(p, '/api/v1/health/ready')), ...workers.map((p) => ready(p, '/health/ready'))]);
}, 400_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p.child)));
  await db?.end().catch(() => undefined);
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await pgAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('two API and two worker processes on one database and one Redis', () => {
  it('shares a session across the APIs, and a logout on one ends it on the other at once', async () => {
    const one = new Session(apis[0]!.url);
    await one.login(AGENT);
    const two = one.on(apis[1]!.url);
    // both processes now hold the session in their cache (10 minutes here)
    expect((await one.send('GET', '/api/v1/auth/me')).status).toBe(200);
    expect((await two.send('GET', '/api/v1/auth/me')).body).toMatchObject({ email: AGENT });
    expect((await one.send('POST', '/api/v1/auth/logout')).status).toBe(204);
    expect((await one.send('GET', '/api/v1/auth/me')).status).toBe(401);
    // the other process was told through Redis; without that it would serve the session for 10 more minutes
    await eventually(async () => expect((await two.send('GET', '/api/v1/auth/me')).status).toBe(401), 15_000);
  });

  it('creates every ticket once when requests alternate between the APIs, and fires each escalation once', async () => {
    const sessions = await Promise.all(
      apis.map(async (a) => {
        const s = new Session(a.url);
        await s.login(AGENT);
        return s;
      }),
    );
    const {
      rows: [{ id: categoryId }],
    } = await db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    const marker = `multi-process ${stamp}`;
    const N = 40;
    const created: Array<{ id: string; reference: string }> = [];
    // 8 at a time, round-robin over the two processes
    for (let i = 0; i < N; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, N - i) }, (_, j) =>
          sessions[(i + j) % 2]!.send('POST', '/api/v1/tickets', {
            channel: 'phone',
            categoryId,
            subject: `${marker} #${i + j}`,
            description: 'Un trou dans la chaussée, créé pendant le test à plusieurs processus.',
          }),
        ),
      );
      for (const r of batch) {
        expect(r.status).toBe(201);
        created.push({ id: r.body.id, reference: r.body.reference });
      }
    }
    expect(new Set(created.map((c) => c.reference)).size).toBe(N);
    const { rows: counts } = await db.query(
      `WITH ours AS (SELECT id FROM tickets WHERE subject LIKE $1)
       SELECT (SELECT count(*)::int FROM ours) AS tickets,
              (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id IN (SELECT id FROM ours) AND e.kind = 'created') AS created_events,
              (SELECT count(*)::int FROM audit_events a
                WHERE a.action = 'ticket.create' AND a.entity_type = 'ticket' AND a.entity_id IN (SELECT id::text FROM ours)) AS audits`,
      [`${marker} #%`],
    );
    expect(counts[0]).toEqual({ tickets: N, created_events: N, audits: N });

    // the first escalation point (75 %: notify) of both clocks of these tickets, made due now: either worker may
    // fire each (its reconciler finds them overdue, every 500 ms here), only one may
    const ids = created.map((c) => c.id);
    const { rows: timers } = await db.query(
      `UPDATE timers SET due_at = now() WHERE ticket_id = ANY($1::uuid[]) AND kind = 'sla.escalation' AND state = 'pending'
         AND payload->>'atPercent' = '75' RETURNING key`,
      [ids],
    );
    expect(timers.length).toBe(2 * N);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM timers WHERE key = ANY($1::text[]) AND state = 'fired'`, [
        timers.map((t) => t.key),
      ]);
      expect(rows[0].n).toBe(timers.length);
    }, 120_000);
    const { rows: fired } = await db.query(
      `SELECT e.data->>'timerKey' AS key, count(*)::int AS n FROM ticket_events e
        WHERE e.ticket_id = ANY($1::uuid[]) AND e.data ? 'timerKey' GROUP BY 1`,
      [ids],
    );
    expect(fired.length).toBe(timers.length);
    expect(fired.every((f) => f.n === 1)).toBe(true);
  }, 300_000);

  it('counts the public rate limit once across the APIs, and sends each acknowledgement once', async () => {
    const {
      rows: [{ id: categoryId }],
    } = await db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
    const statuses: number[] = [];
    const emails: string[] = [];
    for (let i = 0; i < PUBLIC_LIMIT + 4; i++) {
      const email = `mp-${stamp}-${i}@example.org`;
      const form = new FormData();
      for (const [k, v] of Object.entries({
        categoryId,
        description: `Trou profond rue des Tanneurs (${i})`,
        firstName: 'Camille',
        lastName: `Martin ${i}`,
        email,
      }))
        form.append(k, v);
      const r = await fetch(`${apis[i % 2]!.url}/api/v1/public/requests`, {
        method: 'POST',
        headers: { 'X-Requested-With': 'grc' },
        body: form,
      });
      statuses.push(r.status);
      if (r.status === 201) emails.push(email);
    }
    // counted in Redis, shared: the limit holds for the two processes together, not for each
    expect(statuses.filter((s) => s === 201).length).toBe(PUBLIC_LIMIT);
    expect(statuses.slice(PUBLIC_LIMIT).every((s) => s === 429)).toBe(true);

    // each acknowledgement sent once by one of the two workers (the outbox rows are claimed with SKIP LOCKED)
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE to_address = ANY($1::text[]) AND state = 'sent'`, [
        emails,
      ]);
      expect(rows[0].n).toBe(PUBLIC_LIMIT);
    });
    const ours = () => mails.filter((m) => emails.some((e) => (m.to && !Array.isArray(m.to) ? m.to.text : '').includes(e)));
    await eventually(async () => expect(ours().length).toBe(PUBLIC_LIMIT));
    expect(new Set(ours().map((m) => m.messageId)).size).toBe(PUBLIC_LIMIT);
    for (const e of emails) expect(ours().filter((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '').includes(e)).length).toBe(1);
  }, 120_000);
});
