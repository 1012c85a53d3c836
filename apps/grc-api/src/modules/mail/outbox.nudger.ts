import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { MAIL_OUTBOX_JOBS, QUEUES } from '../worker/queues';

const REDIS_TIMEOUT_MS = 1_500;

/**
 * Producer side of the outbox: after a ticket change wrote outbox rows, one small BullMQ job wakes
 * the sender. Never throws and never waits more than 1.5 s: when Redis is down, the sender's periodic
 * sweep sends the rows anyway (PostgreSQL is the truth, the job is only a nudge).
 */
@Injectable()
export class OutboxNudger implements OnApplicationShutdown {
  private readonly log = new Logger('OutboxNudger');
  private queue: Queue | null = null;
  private lastWarning = 0;
  private pending: NodeJS.Timeout | null = null;

  constructor(@Inject(GRC_CONFIG) private readonly config: GrcConfig) {}

  /** Called inside the ticket's transaction: the job is added shortly after, once the rows are committed. */
  nudgeSoon(delayMs = 150): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.nudge();
    }, delayMs);
    this.pending.unref();
  }

  async nudge(): Promise<boolean> {
    try {
      await Promise.race([
        this.getQueue().add(
          MAIL_OUTBOX_JOBS.send,
          {},
          { removeOnComplete: true, removeOnFail: 100, jobId: `send-${Math.floor(Date.now() / 250)}` },
        ),
        new Promise((_, reject) => setTimeout(() => reject(new Error('Redis did not answer')), REDIS_TIMEOUT_MS).unref()),
      ]);
      return true;
    } catch (e) {
      const now = Date.now();
      if (now - this.lastWarning > 30_000) {
        this.lastWarning = now;
        this.log.warn(`could not nudge the mail sender (${(e as Error).message}); its sweep will send the outbox`);
      }
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    const q = this.queue;
    this.queue = null;
    if (q) await Promise.race([q.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
  }

  private getQueue(): Queue {
    if (!this.queue) {
      this.queue = new Queue(QUEUES.mailOutbox, {
        connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        prefix: this.config.queuePrefix,
      });
      this.queue.on('error', () => undefined);
    }
    return this.queue;
  }
}
