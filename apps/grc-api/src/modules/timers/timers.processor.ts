import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, Job, Worker } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { timersConcurrency } from '../../config/capacity';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import {
  OVERDUE_GRACE_MS, RECONCILE_EVERY_MS, RECONCILE_HORIZON_MS, SENTINEL_SUFFIX, TIMERS_QUEUE, TIMER_JOB, jobIdOf,
} from './timers.constants';
import { TimersService } from './timers.service';

const CONCURRENCY = timersConcurrency();
const PAGE = 5_000;
/** How often the Redis sentinel is checked. */
const SENTINEL_EVERY_MS = 250;
/** After a loss of Redis data, the timers due within this window get their jobs back first, in small pages. */
const URGENT_WINDOW_MS = 30_000;
const URGENT_PAGE = 500;

export interface ReconcileReport { fired: number; readded: number; checked: number; full: boolean }

/**
 * Worker role: fires timers when their job comes due, and reconciles PostgreSQL (the truth) with
 * Redis (the alarm clock) at start, every 15 s, and within a second of Redis losing its data (a
 * sentinel key disappears on FLUSHALL or a restart without persistence): overdue pending rows are
 * fired directly, missing jobs are re-added under the same job id. Several workers may run: rows are
 * locked with SKIP LOCKED and act only while pending and due, so nothing fires twice.
 */
@Injectable()
export class TimersProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TimersProcessor');
  private worker: Worker | null = null;
  private redis: Redis | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<ReconcileReport> | null = null;
  private watching = false;
  private fullWanted = true;
  private lastError = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly service: TimersService,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(TIMERS_QUEUE, (job, token) => this.process(job, token), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (e) => this.throttled(`worker ${TIMERS_QUEUE}: ${e.message}`));
    this.redis = new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', (e) => this.throttled(`timers sentinel: ${e.message}`));
    void this.reconcile(true);
    this.timers.push(setInterval(() => void this.reconcile(false), RECONCILE_EVERY_MS));
    this.timers.push(setInterval(() => void this.watchSentinel(), SENTINEL_EVERY_MS));
    for (const t of this.timers) t.unref();
  }

  async process(job: Job, token?: string): Promise<string> {
    if (job.name !== TIMER_JOB) throw new Error(`unknown job "${job.name}" on ${TIMERS_QUEUE}`);
    const key = String(job.data?.key ?? '');
    // jobs added before the hint existed carry no ticketId: fireOne reads it from the row
    const hint = job.data && 'ticketId' in job.data ? ((job.data.ticketId as string | null) ?? null) : undefined;
    const r = await this.service.fireOne(key, hint);
    if (r.result === 'early') {
      // the row was moved later (e.g. a clock resumed): sleep again until its new due time
      await job.moveToDelayed(r.dueAt.getTime(), token);
      throw new DelayedError();
    }
    return r.result;
  }

  /** One reconciliation (concurrent calls share it). `full`: check every pending row, not only those due soon. */
  reconcile(full: boolean): Promise<ReconcileReport> {
    if (full) this.fullWanted = true;
    const current = this.running;
    if (current) return current.then((report) => (this.fullWanted ? this.reconcile(true) : report));
    const wantFull = this.fullWanted;
    this.fullWanted = false;
    this.running = this.doReconcile(wantFull)
      .catch((e) => {
        if (wantFull) this.fullWanted = true;
        this.throttled(`reconcile: ${(e as Error).message}`);
        return { fired: 0, readded: 0, checked: 0, full: wantFull };
      })
      .finally(() => { this.running = null; });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const w = this.worker;
    this.worker = null;
    if (w) await Promise.race([w.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
    await this.running?.catch(() => undefined);
    this.redis?.disconnect();
    this.redis = null;
  }

  private sentinelKey(): string {
    return `${this.config.queuePrefix}:${SENTINEL_SUFFIX}`;
  }

  /**
   * Redis emptied (FLUSHALL, restart without persistence): the timers due in the next seconds get their
   * jobs back at once (no per-job check: every job is gone, and BullMQ ignores a job id it already has),
   * then a full reconciliation restores the rest. Checked every 250 ms, even while a reconciliation runs,
   * so the timers due right after the loss fire well within a second of their time.
   */
  private async watchSentinel(): Promise<void> {
    if (!this.redis || this.watching) return;
    this.watching = true;
    try {
      if (!(await this.redis.exists(this.sentinelKey()))) {
        this.log.warn('Redis lost the timers (sentinel missing): restoring the jobs due soonest, then full reconciliation');
        const restored = await this.restoreSoonest();
        this.log.warn(`${restored} job(s) due within ${URGENT_WINDOW_MS / 1000} s restored`);
        void this.reconcile(true);
      }
    } catch {
      // Redis down: the interval retries; PostgreSQL keeps every timer
    } finally {
      this.watching = false;
    }
  }

  /** Re-adds the jobs of the pending rows due within URGENT_WINDOW_MS (overdue ones included), soonest first. */
  async restoreSoonest(): Promise<number> {
    if (!this.redis) return 0;
    await this.redis.set(this.sentinelKey(), new Date().toISOString());
    let restored = 0;
    let after: [string, string] | null = null;
    const until = new Date(Date.now() + URGENT_WINDOW_MS).toISOString(); // fixed: the full reconciliation does the rest
    for (;;) {
      const rows: Array<{ id: string; key: string; ticket_id: string | null; due_at: Date; due_ms: string }> = await this.db.query(
        `SELECT id, key, ticket_id, due_at, (extract(epoch FROM due_at) * 1000)::bigint::text AS due_ms FROM timers
         WHERE state = 'pending' AND due_at <= $1::timestamptz
           ${after ? 'AND (due_at, id) > ($2::timestamptz, $3::bigint)' : ''}
         ORDER BY due_at, id LIMIT ${URGENT_PAGE}`, after ? [until, ...after] : [until]);
      if (!rows.length) break;
      if (!(await this.service.enqueue(rows.map((r) => ({ key: r.key, ticketId: r.ticket_id, dueAt: new Date(Number(r.due_ms)) }))))) break;
      restored += rows.length;
      const last = rows[rows.length - 1];
      after = [new Date(last.due_at).toISOString(), last.id];
      if (rows.length < URGENT_PAGE) break;
    }
    return restored;
  }

  private async doReconcile(full: boolean): Promise<ReconcileReport> {
    // 1. the sentinel first: jobs added from now on are known to be in this Redis
    if (full && this.redis) await this.redis.set(this.sentinelKey(), new Date().toISOString());
    // 2. fire overdue rows directly (their job may be lost)
    let fired = 0;
    for (;;) {
      const rows: Array<{ key: string; ticket_id: string | null }> = await this.db.query(
        `SELECT key, ticket_id FROM timers WHERE state = 'pending' AND due_at <= clock_timestamp() - $1 * interval '1 millisecond'
         ORDER BY due_at, id LIMIT 1000`, [OVERDUE_GRACE_MS]);
      if (!rows.length) break;
      // in parallel across tickets, in due order within a ticket (a 75 % warning before the 125 % reassignment)
      const groups = new Map<string, string[]>();
      const ticketOf = new Map(rows.map((r) => [r.key, r.ticket_id]));
      for (const r of rows) {
        const g = r.ticket_id ?? r.key;
        groups.set(g, [...(groups.get(g) ?? []), r.key]);
      }
      let n = 0;
      await runPool([...groups.values()], CONCURRENCY, async (keys) => {
        for (const key of keys) {
          const r = await this.service.fireOne(key, ticketOf.get(key) ?? null).catch(() => null);
          if (r?.result === 'fired') n++;
        }
      });
      fired += n;
      if (rows.length < 1000 || !this.worker) break;
    }
    // 3. re-add the jobs missing from Redis (BullMQ job hash absent) for rows due soon (all rows when full)
    let readded = 0;
    let checked = 0;
    let after: [string, string] | null = null;
    for (;;) {
      const rows: Array<{ id: string; key: string; ticket_id: string | null; due_at: Date; due_ms: string }> = await this.db.query(
        `SELECT id, key, ticket_id, due_at, (extract(epoch FROM due_at) * 1000)::bigint::text AS due_ms FROM timers
         WHERE state = 'pending' ${full ? '' : `AND due_at <= clock_timestamp() + ${RECONCILE_HORIZON_MS} * interval '1 millisecond'`}
           ${after ? 'AND (due_at, id) > ($1::timestamptz, $2::bigint)' : ''}
         ORDER BY due_at, id LIMIT ${PAGE}`, after ?? []);
      if (!rows.length) break;
      checked += rows.length;
      const missing = await this.missingJobs(rows.map((r) => r.key));
      const toAdd = rows.filter((r) => missing.has(r.key)).map((r) => ({ key: r.key, ticketId: r.ticket_id, dueAt: new Date(Number(r.due_ms)) }));
      if (toAdd.length && (await this.service.enqueue(toAdd))) readded += toAdd.length;
      const last = rows[rows.length - 1];
      after = [new Date(last.due_at).toISOString(), last.id];
      if (rows.length < PAGE) break;
    }
    if (fired || readded) this.log.log(`reconciled timers: ${fired} overdue fired, ${readded} job(s) re-added (${checked} checked${full ? ', full' : ''})`);
    return { fired, readded, checked, full };
  }

  /** Keys whose BullMQ job hash is absent (pipelined EXISTS). */
  private async missingJobs(keys: string[]): Promise<Set<string>> {
    const redis = this.redis;
    if (!redis) return new Set();
    const base = `${this.config.queuePrefix}:${TIMERS_QUEUE}:`;
    const pipe = redis.pipeline();
    for (const k of keys) pipe.exists(base + jobIdOf(k));
    const results = (await pipe.exec()) ?? [];
    const missing = new Set<string>();
    results.forEach(([err, v], i) => {
      if (err) throw err;
      if (v === 0) missing.add(keys[i]);
    });
    return missing;
  }

  private throttled(message: string): void {
    const now = Date.now();
    if (now - this.lastError < 30_000) return;
    this.lastError = now;
    this.log.warn(message);
  }
}

async function runPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (i < items.length) await work(items[i++]);
  }));
}
