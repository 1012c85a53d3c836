import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import Redis from 'ioredis';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { forEachCommune, withCommune } from '../../database/tenancy';
import { envAtImport } from '../../config/environment';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import {
  OVERDUE_GRACE_MS,
  RECONCILE_EVERY_MS,
  RECONCILE_HORIZON_MS,
  SENTINEL_SUFFIX,
  TIMERS_QUEUE,
  TIMER_JOB,
  jobIdOf,
} from './timers.constants';
import { TimersRepository } from './timers.repository';
import { TimersService } from './timers.service';
import { MetricsRegistry } from '../metrics/metrics.registry';

const CONCURRENCY = envAtImport('GRC_TIMERS_CONCURRENCY');
const PAGE = 1_000;
/** How often the Redis sentinel is checked. */
const SENTINEL_EVERY_MS = 250;
/** After a loss of Redis data, PostgreSQL drives the firing for this long while the jobs are re-added. */
const CATCH_UP_MS = 30_000;
const CATCH_UP_POLL_MS = 50;

export interface ReconcileReport {
  fired: number;
  readded: number;
  checked: number;
  full: boolean;
}

/**
 * Worker role: fires timers when their job comes due, and reconciles PostgreSQL (the truth) with
 * Redis (the alarm clock) at start and every 15 s: overdue pending rows are fired directly, missing
 * jobs are re-added under the same job id. When Redis loses its data (a sentinel key disappears on
 * FLUSHALL or a restart without persistence) PostgreSQL drives the firing for 30 s while every job is
 * re-added. Several workers may run: rows are locked with SKIP LOCKED and act only while pending and
 * due, so nothing fires twice.
 */
@Injectable()
export class TimersProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TimersProcessor');
  private worker: Worker | null = null;
  private redis: Redis | null = null;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<ReconcileReport> | null = null;
  private watching = false;
  /** After a loss of Redis data: PostgreSQL drives the firing until `catchUntil`; jobs are re-added from `jobsFrom`. */
  private catchingUp: Promise<void> | null = null;
  private catchUntil = 0;
  private jobsFrom: Date | null = null;
  private fullWanted = true;
  private lastError = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: TimersRepository,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly service: TimersService,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(TIMERS_QUEUE, (job, token) => this.process(job, token), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (e) => this.throttled(`worker ${TIMERS_QUEUE}: ${e.message}`));
    this.metrics?.observeWorker(TIMERS_QUEUE, this.worker);
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
    // as the timer's commune (a job added before communes carries none: the default commune's)
    const commune = typeof job.data?.commune === 'string' ? (job.data.commune as string) : null;
    const r = await (commune ? withCommune(commune, () => this.service.fireOne(key, hint)) : this.service.fireOne(key, hint));
    if (r.result === 'early') {
      // the row was moved later (e.g. a clock resumed): sleep again until its new due time
      await job.moveToDelayed(r.dueAt.getTime(), token);
      throw new DelayedError();
    }
    return r.result;
  }

  /** One reconciliation (concurrent calls share it). `full`: at start or after a loss of Redis data, (re)sets the sentinel first. */
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
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const w = this.worker;
    this.worker = null;
    if (w) await Promise.race([w.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.catchingUp?.catch(() => undefined);
    this.redis?.disconnect();
    this.redis = null;
  }

  private sentinelKey(): string {
    return `${this.config.queuePrefix}:${SENTINEL_SUFFIX}`;
  }

  /**
   * Redis emptied (FLUSHALL, restart without persistence), noticed within 250 ms even while a
   * reconciliation runs. For the next 30 s PostgreSQL drives the firing itself (a poll every 50 ms of
   * the rows now due, fired with the worker's concurrency): nothing waits for jobs to be rebuilt. Meanwhile
   * a full reconciliation re-adds the jobs of the rows due after that window, soonest first; from then
   * on BullMQ wakes the worker again.
   */
  private async watchSentinel(): Promise<void> {
    if (!this.redis || this.watching) return;
    this.watching = true;
    try {
      if (!(await this.redis.exists(this.sentinelKey()))) {
        this.log.warn(
          `Redis lost the timers (sentinel missing): firing from PostgreSQL for ${CATCH_UP_MS / 1000} s while the jobs are re-added`,
        );
        await this.redis.set(this.sentinelKey(), new Date().toISOString());
        this.catchUntil = Date.now() + CATCH_UP_MS;
        this.jobsFrom = new Date(this.catchUntil);
        if (!this.catchingUp)
          this.catchingUp = this.catchUp().finally(() => {
            this.catchingUp = null;
          });
        void this.reconcile(true);
      }
    } catch {
      // Redis down: the interval retries; PostgreSQL keeps every timer
    } finally {
      this.watching = false;
    }
  }

  /** Fires the rows as they come due, from PostgreSQL, until `catchUntil`. */
  private async catchUp(): Promise<void> {
    let fired = 0;
    while (this.worker && Date.now() < this.catchUntil) {
      const n = await this.fireDue(0).catch(() => 0);
      fired += n;
      if (n === 0) await new Promise((r) => setTimeout(r, CATCH_UP_POLL_MS));
    }
    this.log.warn(`catch-up from PostgreSQL over: ${fired} timer(s) fired directly`);
  }

  /**
   * Fires the pending rows due `graceMs` ago or earlier, directly: in parallel across tickets, in due
   * order within a ticket (a 75 % warning before the 125 % reassignment). Returns how many fired.
   */
  private async fireDue(graceMs: number): Promise<number> {
    let fired = 0;
    // each commune's rows as that commune (row-level security: a worker sees one commune at a time)
    await forEachCommune(this.db, async () => {
      fired += await this.fireDueHere(graceMs);
    });
    return fired;
  }

  private async fireDueHere(graceMs: number): Promise<number> {
    let fired = 0;
    for (;;) {
      const rows = await this.rows.overdue(graceMs, 1000);
      if (!rows.length) return fired;
      const groups = new Map<string, Array<{ key: string; ticket_id: string | null }>>();
      for (const r of rows) {
        const g = r.ticket_id ?? r.key;
        groups.set(g, [...(groups.get(g) ?? []), r]);
      }
      await runPool([...groups.values()], CONCURRENCY, async (timers) => {
        for (const t of timers) {
          const r = await this.service.fireOne(t.key, t.ticket_id).catch(() => null);
          if (r?.result === 'fired') fired++;
        }
      });
      if (rows.length < 1000 || !this.worker) return fired;
    }
  }

  private async doReconcile(full: boolean): Promise<ReconcileReport> {
    // 1. the sentinel first: jobs added from now on are known to be in this Redis
    if (full && this.redis) await this.redis.set(this.sentinelKey(), new Date().toISOString());
    // 2. fire overdue rows directly (their job may be lost), unless a catch-up from PostgreSQL does already
    const fired = this.catchingUp ? 0 : await this.fireDue(OVERDUE_GRACE_MS);
    // 3. re-add the jobs missing from Redis (BullMQ job hash absent) for rows due within the horizon, full or not:
    //    a ticket's later points have no job until then (TimersService mirrors only the nearest), and a worker
    //    start must not add a job for every pending row of the town
    let readded = 0;
    let checked = 0;
    // during a catch-up from PostgreSQL, rows due before its end need no job
    const from = this.catchingUp && this.jobsFrom ? this.jobsFrom.toISOString() : '-infinity';
    await forEachCommune(this.db, async () => {
      const r = await this.readdMissing(from);
      readded += r.readded;
      checked += r.checked;
    });
    if (fired || readded)
      this.log.log(`reconciled timers: ${fired} overdue fired, ${readded} job(s) re-added (${checked} checked${full ? ', full' : ''})`);
    return { fired, readded, checked, full };
  }

  /** Re-adds the missing jobs of the current commune's rows due within the horizon. */
  private async readdMissing(from: string): Promise<{ readded: number; checked: number }> {
    let readded = 0;
    let checked = 0;
    let after: [string, string] | null = null;
    for (;;) {
      const rows = await this.rows.pendingPage(from, RECONCILE_HORIZON_MS, after, PAGE);
      if (!rows.length) break;
      checked += rows.length;
      const missing = await this.missingJobs(rows.map((r) => r.key));
      const toAdd = rows
        .filter((r) => missing.has(r.key))
        .map((r) => ({ key: r.key, ticketId: r.ticket_id, dueAt: new Date(Number(r.due_ms)) }));
      if (toAdd.length && (await this.service.enqueue(toAdd))) readded += toAdd.length;
      const last = rows[rows.length - 1];
      after = [new Date(last.due_at).toISOString(), last.id];
      if (rows.length < PAGE) break;
    }
    return { readded, checked };
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
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (i < items.length) await work(items[i++]);
    }),
  );
}
