import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { currentCommune } from '../../database/tenancy';
import { MAX_TIMER_ATTEMPTS, RECONCILE_HORIZON_MS, TIMERS_QUEUE, TIMER_JOB, jobIdOf } from './timers.constants';
import type { TimerHandler, TimerSpec } from './timer.types';
import { TimersRepository } from './timers.repository';
import { MetricsRegistry } from '../metrics/metrics.registry';

const REDIS_TIMEOUT_MS = 1_500;
const JOB_OPTS = { removeOnComplete: true, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } as const;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms).unref()),
  ]);

/** A job to add once the scheduling transaction commits (null: a job to remove). */
interface PendingJob {
  dueAt: Date;
  moved: boolean;
  ticketId: string | null;
  /** the timer row's commune (its request's) */
  communeId?: string;
}

export type FireResult =
  { result: 'fired' } | { result: 'skipped'; why: 'locked_or_missing' | 'not_pending' } | { result: 'early'; dueAt: Date };

/**
 * Durable timers: a row in PostgreSQL is the truth (state pending → fired | cancelled), a BullMQ
 * delayed job (jobId derived from the key) only wakes a worker at the right time. Scheduling happens
 * in the caller's transaction; the job is added after that transaction commits (never before: a job
 * must not find an uncommitted row) and never fails the caller when Redis is down — the reconciler
 * (worker role) re-adds missing jobs and fires overdue rows itself.
 *
 * Feature modules register a handler per kind (e.g. 'sla.escalation'); the handler runs in the
 * transaction that locks the row and marks it fired, so a timer acts at most once.
 */
@Injectable()
export class TimersService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Timers');
  private readonly handlers = new Map<string, TimerHandler>();
  /** jobs to add once the transaction that scheduled them commits */
  private readonly afterCommit = new WeakMap<QueryRunner, Map<string, PendingJob | null>>();
  private queue: Queue | null = null;
  private lastWarning = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: TimersRepository,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {
    // does nothing when due: used by the benchmark and the specs to measure the engine itself
    this.handlers.set('noop', async () => undefined);
  }

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (e: TransactionCommitEvent) => this.onCommit(e.queryRunner),
      afterTransactionRollback: (e: TransactionRollbackEvent) => {
        if (!e.queryRunner.isTransactionActive) this.afterCommit.delete(e.queryRunner);
      },
    };
    this.db.subscribers.push(subscriber);
  }

  registerHandler(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`timer kind "${kind}" already has a handler`);
    this.handlers.set(kind, handler);
  }

  /** Upserts one timer in the caller's transaction (see scheduleMany). */
  schedule(m: EntityManager, spec: TimerSpec): Promise<void> {
    return this.scheduleMany(m, [spec]);
  }

  /**
   * Upserts timers by key in the caller's transaction. A key that already fired stays fired (a job run
   * twice, or a clock resumed past a step, acts once); a pending or cancelled one takes the new due time
   * and becomes pending. The BullMQ jobs are added after commit.
   */
  async scheduleMany(m: EntityManager, specs: readonly TimerSpec[]): Promise<void> {
    if (!specs.length) return;
    const rows = await this.rows.upsert(m, specs);
    const jobs = this.pendingJobs(m);
    for (const r of rows) jobs.set(r.key, { dueAt: new Date(r.due_at), moved: r.moved, ticketId: r.ticket_id, communeId: r.commune_id });
    if (!m.queryRunner?.isTransactionActive) this.flush(jobs);
  }

  /** Cancels pending timers by key in the caller's transaction (fired ones stay fired). */
  async cancel(m: EntityManager, ...keys: string[]): Promise<void> {
    if (!keys.length) return;
    const cancelled = await this.rows.cancelKeys(m, keys);
    const jobs = this.pendingJobs(m);
    for (const key of cancelled) jobs.set(key, null);
    if (!m.queryRunner?.isTransactionActive) this.flush(jobs);
  }

  /** Cancels the pending timers of a ticket matching a SQL condition on `payload` (e.g. older generations). */
  async cancelWhere(
    m: EntityManager,
    ticketId: string,
    kind: string,
    payloadFilter: Record<string, unknown>,
    exceptKeys: readonly string[],
  ): Promise<number> {
    const cancelled = await this.rows.cancelMatching(m, ticketId, kind, payloadFilter, exceptKeys);
    const jobs = this.pendingJobs(m);
    for (const key of cancelled) jobs.set(key, null);
    if (!m.queryRunner?.isTransactionActive) this.flush(jobs);
    return cancelled.length;
  }

  /**
   * Cancels a ticket's pending timers of a kind already due at `dueBy` (points put in the past by
   * clocks started or recomputed late: recorded, not acted upon); their jobs are removed after commit.
   */
  async cancelDue(m: EntityManager, ticketId: string, kind: string, dueBy: Date): Promise<number> {
    const cancelled = await this.rows.cancelDue(m, ticketId, kind, dueBy);
    const jobs = this.pendingJobs(m);
    for (const key of cancelled) jobs.set(key, null);
    if (!m.queryRunner?.isTransactionActive) this.flush(jobs);
    return cancelled.length;
  }

  /**
   * Fires one timer if it is still pending and due: locks its row (SKIP LOCKED: another worker firing it
   * means this call does nothing), runs the handler in the same transaction, marks it fired.
   * `ticketHint` (carried by the job) is the timer's ticket, so the ticket is locked first without
   * reading the row beforehand; a hint that does not match the row falls back to reading it.
   */
  async fireOne(key: string, ticketHint?: string | null): Promise<FireResult> {
    let failure: Error | null = null;
    let result: FireResult | { result: 'fired'; kind: string; dueAt: Date } | 'retry_without_hint';
    try {
      result = await this.db.transaction(async (m) => {
        // lock order everywhere: ticket, then its rows (ticket_sla…), then timers — a ticket change that
        // reschedules this timer and this firing then serialise instead of deadlocking
        let ticketId = ticketHint;
        if (ticketId === undefined) {
          const pending = await this.rows.pendingTicketOf(m, key);
          if (pending === undefined) return { result: 'skipped', why: 'not_pending' } as const;
          ticketId = pending;
        }
        if (ticketId) await this.rows.lockTicket(m, ticketId);
        const locked = await this.rows.lockForFiring(m, key);
        if (!locked) return { result: 'skipped', why: 'locked_or_missing' } as const;
        const { timer, due } = locked;
        if ((timer.ticketId ?? null) !== (ticketId ?? null)) return 'retry_without_hint' as const;
        if (timer.state !== 'pending') return { result: 'skipped', why: 'not_pending' } as const;
        if (!due) return { result: 'early', dueAt: timer.dueAt } as const;
        const handler = this.handlers.get(timer.kind);
        if (!handler) throw new Error(`no handler for timer kind "${timer.kind}"`);
        await handler(m, timer);
        await this.rows.markFired(m, timer.id);
        return { result: 'fired', kind: timer.kind, dueAt: timer.dueAt } as const;
      });
    } catch (e) {
      failure = e as Error;
      result = { result: 'skipped', why: 'locked_or_missing' };
    }
    if (failure) {
      await this.rows.recordFailure(key, failure.message.slice(0, 2000), MAX_TIMER_ATTEMPTS).catch(() => undefined);
      this.log.error(`timer ${key} failed: ${failure.message}`);
      throw failure;
    }
    if (result === 'retry_without_hint') return this.fireOne(key);
    if (result.result === 'fired' && 'kind' in result) {
      this.metrics?.timerFired(result.kind, result.dueAt);
      return { result: 'fired' };
    }
    return result;
  }

  /** The queue (producer side), created on first use; fails fast when Redis is down. */
  getQueue(): Queue {
    if (!this.queue) {
      this.queue = new Queue(TIMERS_QUEUE, {
        connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        prefix: this.config.queuePrefix,
      });
      this.queue.on('error', (e) => this.warn(`queue ${TIMERS_QUEUE}: ${e.message}`));
    }
    return this.queue;
  }

  /** Adds (or moves) the delayed jobs of these timers; never rejects. */
  async enqueue(
    timers: ReadonlyArray<{ key: string; dueAt: Date; moved?: boolean; ticketId: string | null; communeId?: string }>,
  ): Promise<boolean> {
    if (!timers.length) return true;
    try {
      const q = this.getQueue();
      // a fresh queue is still connecting (offline queue off, so commands would fail rather than wait)
      await withTimeout(q.waitUntilReady(), REDIS_TIMEOUT_MS);
      const now = Date.now();
      const commune = currentCommune();
      await withTimeout(
        q.addBulk(
          timers.map((t) => ({
            name: TIMER_JOB,
            // the commune whose timer it is (its row's: a métropole's work files its commune's timers), else the
            // current one: the worker fires it as that commune (database/tenancy.ts)
            data: { key: t.key, ticketId: t.ticketId, ...((t.communeId ?? commune) ? { commune: t.communeId ?? commune } : {}) },
            opts: { ...JOB_OPTS, jobId: jobIdOf(t.key), delay: Math.max(0, t.dueAt.getTime() - now) },
          })),
        ),
        REDIS_TIMEOUT_MS * 4,
      );
      // a job already there keeps its old time: move it (a job that fires early is re-delayed by the worker anyway)
      for (const t of timers.filter((x) => x.moved)) {
        const job = await q.getJob(jobIdOf(t.key));
        if (job && (await job.isDelayed())) await job.changeDelay(Math.max(0, t.dueAt.getTime() - Date.now())).catch(() => undefined);
      }
      return true;
    } catch (e) {
      this.warn(`could not add ${timers.length} timer job(s) (${(e as Error).message}); the reconciler will add them`);
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const q = this.queue;
    this.queue = null;
    if (q) await withTimeout(q.close(), 5_000).catch(() => undefined);
  }

  private pendingJobs(m: EntityManager): Map<string, PendingJob | null> {
    const qr = m.queryRunner;
    if (!qr || !qr.isTransactionActive) return new Map();
    let jobs = this.afterCommit.get(qr);
    if (!jobs) {
      jobs = new Map();
      this.afterCommit.set(qr, jobs);
    }
    return jobs;
  }

  private onCommit(qr: QueryRunner): void {
    if (qr.isTransactionActive) return; // a savepoint released: the outer transaction may still roll back
    const jobs = this.afterCommit.get(qr);
    if (!jobs) return;
    this.afterCommit.delete(qr);
    this.flush(jobs);
  }

  /** Not awaited by the caller: the request never waits on Redis. */
  private flush(jobs: Map<string, PendingJob | null>): void {
    const scheduled: Array<{ key: string } & PendingJob> = [];
    const remove: string[] = [];
    for (const [key, j] of jobs) {
      if (j) scheduled.push({ key, ...j });
      else remove.push(key);
    }
    const add = mirrored(scheduled, Date.now());
    if (add.length) void this.enqueue(add);
    if (remove.length) {
      void (async () => {
        try {
          const q = this.getQueue();
          await withTimeout(Promise.all(remove.map((k) => q.remove(jobIdOf(k)).catch(() => 0))), REDIS_TIMEOUT_MS);
        } catch {
          // a cancelled timer's job that stays in Redis finds its row cancelled and does nothing
        }
      })();
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.log.warn(message);
  }
}

/**
 * Which of the timers just scheduled get their BullMQ job now: of each ticket's, only the nearest (a new
 * ticket's SLA ladder is six points days away: one job instead of six), plus any due within the reconciler's
 * horizon and any that moved (its job may exist with the old time); a timer without a ticket always. The
 * others are rows only until the reconciler, which re-adds the job of every pending row due within its
 * horizon (60 s, every 15 s), mirrors them; PostgreSQL stays the truth either way.
 */
export function mirrored<T extends { dueAt: Date; moved: boolean; ticketId: string | null }>(timers: readonly T[], now: number): T[] {
  const nearest = new Map<string, T>();
  for (const t of timers)
    if (t.ticketId) {
      const n = nearest.get(t.ticketId);
      if (!n || t.dueAt < n.dueAt) nearest.set(t.ticketId, t);
    }
  return timers.filter((t) => !t.ticketId || t.moved || t.dueAt.getTime() - now <= RECONCILE_HORIZON_MS || nearest.get(t.ticketId) === t);
}
