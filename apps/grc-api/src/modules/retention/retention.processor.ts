import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { Job, Queue, Worker } from 'bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { forJobCommunes } from '../../database/tenancy';
import { RETENTION_CONFIG, type RetentionConfig } from './retention.config';
import { RetentionService } from './retention.service';

export const RETENTION_QUEUE = 'retention';
export const RETENTION_SCHEDULER = 'retention-every';

/**
 * Worker role: a BullMQ repeatable job (GRC_RETENTION_EVERY_MINUTES) runs the retention rules then the purges.
 * The job only wakes the work: what is due is read from PostgreSQL each time, so a lost or doubled job is
 * harmless, and a run that crashed is resumed by the next (retention_runs keeps one running run per kind).
 */
@Injectable()
export class RetentionProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('RetentionProcessor');
  private worker: Worker | null = null;
  private queue: Queue | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(RETENTION_CONFIG) private readonly retentionConfig: RetentionConfig,
    private readonly retention: RetentionService,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.retentionConfig.everyMinutes) return;
    const connection = { url: this.config.redisUrl, maxRetriesPerRequest: null };
    this.worker = new Worker(RETENTION_QUEUE, (job) => this.process(job), { connection, prefix: this.config.queuePrefix, concurrency: 1 });
    this.worker.on('error', (e) => this.log.warn(`worker ${RETENTION_QUEUE}: ${e.message}`));
    this.metrics?.observeWorker(RETENTION_QUEUE, this.worker);
    this.queue = new Queue(RETENTION_QUEUE, {
      connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      prefix: this.config.queuePrefix,
    });
    this.queue.on('error', () => undefined);
    void this.queue
      .upsertJobScheduler(
        RETENTION_SCHEDULER,
        { every: this.retentionConfig.everyMinutes * 60_000 },
        { name: 'run', opts: { removeOnComplete: 50, removeOnFail: 50 } },
      )
      .catch((e: Error) => this.log.warn(`retention schedule not installed (Redis?): ${e.message}`));
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== 'run') throw new Error(`unknown job "${job.name}" on ${RETENTION_QUEUE}`);
    // every commune in turn (each its own rules), or the one the job names
    return forJobCommunes(this.db, job.data, async () => ({
      retention: await this.retention.runRetention(),
      purges: await this.retention.runPurges(),
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    const w = this.worker;
    const q = this.queue;
    this.worker = null;
    this.queue = null;
    const within = (p: Promise<unknown>) => Promise.race([p, new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
    if (w) await within(w.close());
    if (q) await within(q.close());
  }
}
