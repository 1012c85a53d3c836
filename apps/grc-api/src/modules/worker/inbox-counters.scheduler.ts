import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { currentCommune } from '../../database/tenancy';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import {
  INBOX_COUNTERS_JOBS,
  INBOX_COUNTERS_RECONCILE_EVERY_MS,
  INBOX_COUNTERS_RECONCILER,
  INBOX_COUNTERS_SLOT_MS,
  QUEUES,
} from './queues';

/** How long a producer waits for Redis before giving up (the request it serves must not wait on Redis). */
const REDIS_TIMEOUT_MS = 1_500;
const JOB_OPTS = { removeOnComplete: true, removeOnFail: 100 } as const;

class RedisTimeout extends Error {}
const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new RedisTimeout(`Redis did not answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * Producer of the inbox-counters queue. Ticket changes call `requestRecompute()`: one job per 2-second
 * slot (deterministic jobId, delayed to the end of the slot), so a burst of changes costs one recompute.
 * Never throws: when Redis is down the request is logged and dropped, PostgreSQL stays the truth and
 * the next job or the 60-second reconciler heals the counters.
 */
@Injectable()
export class InboxCountersScheduler implements OnApplicationShutdown {
  private readonly log = new Logger('InboxCountersScheduler');
  private queue: Queue | null = null;
  /** the last slot a recompute was asked for, by commune ('default': the install's default commune) */
  private readonly requestedSlots = new Map<string, number>();
  private lastWarning = 0;

  constructor(@Inject(GRC_CONFIG) private readonly config: GrcConfig) {}

  /** Asks for a recompute at the end of the current 2-second slot. Resolves in ≤1.5 s, never rejects. */
  async requestRecompute(now = Date.now()): Promise<void> {
    const slot = Math.floor(now / INBOX_COUNTERS_SLOT_MS);
    // one job per commune and slot: the changed commune's counters (the job id and payload name it)
    const commune = currentCommune() ?? 'default';
    if (this.requestedSlots.get(commune) === slot) return;
    this.requestedSlots.set(commune, slot);
    const delay = Math.max(0, (slot + 1) * INBOX_COUNTERS_SLOT_MS - now);
    const data = commune === 'default' ? {} : { commune };
    await this.safely('request a recompute', () =>
      this.getQueue().add(INBOX_COUNTERS_JOBS.recompute, data, { ...JOB_OPTS, jobId: `recompute-${commune}-${slot}`, delay }),
    ).then((ok) => {
      if (!ok && this.requestedSlots.get(commune) === slot) this.requestedSlots.delete(commune); // let the next change try again
    });
  }

  /** A recompute right now (worker start). Resolves to whether Redis took it; never rejects. */
  recomputeNow(): Promise<boolean> {
    return this.safely('enqueue a recompute', () =>
      this.getQueue().add(INBOX_COUNTERS_JOBS.recompute, {}, { ...JOB_OPTS, jobId: `recompute-start-${Date.now()}` }),
    );
  }

  /** The repeatable reconciliation (every 60 s), idempotent. Resolves to whether Redis took it; never rejects. */
  ensureReconciler(): Promise<boolean> {
    return this.safely('schedule the reconciler', () =>
      this.getQueue().upsertJobScheduler(
        INBOX_COUNTERS_RECONCILER,
        { every: INBOX_COUNTERS_RECONCILE_EVERY_MS },
        { name: INBOX_COUNTERS_JOBS.recompute, data: {}, opts: JOB_OPTS },
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const q = this.queue;
    this.queue = null;
    if (q) await withTimeout(q.close(), 5_000).catch(() => undefined);
  }

  /** The queue, created on first use with its own connection: fail fast instead of queueing commands offline. */
  private getQueue(): Queue {
    if (!this.queue) {
      this.queue = new Queue(QUEUES.inboxCounters, {
        connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        prefix: this.config.queuePrefix,
      });
      this.queue.on('error', (e) => this.warn(`queue ${QUEUES.inboxCounters}: ${e.message}`));
    }
    return this.queue;
  }

  private async safely(what: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await withTimeout(work(), REDIS_TIMEOUT_MS);
      return true;
    } catch (e) {
      this.warn(`could not ${what} (${(e as Error).message}); the reconciler will heal the inbox counters`);
      return false;
    }
  }

  /** At most one warning per 30 s: a Redis outage must not flood the logs. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.log.warn(message);
  }
}
