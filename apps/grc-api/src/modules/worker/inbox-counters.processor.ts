import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { forJobCommunes } from '../../database/tenancy';
import { InboxCountersScheduler } from './inbox-counters.scheduler';
import { InboxCountersRepository } from './inbox-counters.repository';
import { INBOX_COUNTERS_JOBS, QUEUES } from './queues';

/**
 * Worker role: consumes inbox-counters jobs. At start it enqueues one recompute and makes sure the
 * 60-second reconciler exists, so counters heal after Redis lost its data or a request was dropped.
 */
@Injectable()
export class InboxCountersProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('InboxCountersProcessor');
  private worker: Worker | null = null;
  private lastError = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly scheduler: InboxCountersScheduler,
    private readonly counters: InboxCountersRepository,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QUEUES.inboxCounters, (job) => this.process(job), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
      concurrency: 1,
    });
    this.worker.on('error', (e) => this.throttled(`worker ${QUEUES.inboxCounters}: ${e.message}`));
    this.metrics?.observeWorker(QUEUES.inboxCounters, this.worker);
    this.worker.on('failed', (job, e) => this.log.error(`job ${job?.id ?? '?'} failed: ${e.message}`));
    // not awaited: the worker starts even when Redis is down (both retry when it comes back)
    void this.scheduler.recomputeNow();
    void this.scheduler.ensureReconciler().then((ok) => {
      if (!ok) this.retryReconciler();
    });
  }

  async process(job: Job): Promise<{ rows: number }> {
    if (job.name !== INBOX_COUNTERS_JOBS.recompute) throw new Error(`unknown job "${job.name}" on ${QUEUES.inboxCounters}`);
    // the commune the job names, else every commune in turn (the reconciler's periodic job)
    const done = await forJobCommunes(this.db, job.data, () => this.db.transaction((m) => this.counters.recompute(m)));
    return { rows: done.reduce((n, r) => n + r.rows, 0) };
  }

  async onApplicationShutdown(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await Promise.race([w.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
  }

  /** Redis was down at start: keep trying to install the reconciler every 30 s until it is there. */
  private retryReconciler(): void {
    const timer = setTimeout(() => {
      if (!this.worker) return;
      void this.scheduler.ensureReconciler().then((ok) => {
        if (ok) void this.scheduler.recomputeNow();
        else this.retryReconciler();
      });
    }, 30_000);
    timer.unref();
  }

  private throttled(message: string): void {
    const now = Date.now();
    if (now - this.lastError < 30_000) return;
    this.lastError = now;
    this.log.warn(message);
  }
}
