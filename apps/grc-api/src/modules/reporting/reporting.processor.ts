import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { forJobCommunes } from '../../database/tenancy';
import { OpenDataService } from './open-data.service';
import { REPORTING_CONFIG, type ReportingConfig } from './reporting.config';
import { ReportingFactsService } from './reporting-facts.service';

export const REPORTING_QUEUE = 'reporting';
export const REPORTING_JOBS = { refresh: 'refresh', openData: 'open-data' } as const;

/**
 * Worker role: two repeatable BullMQ jobs. `refresh` (every GRC_REPORTING_REFRESH_SECONDS) folds the
 * requests marked in `report_dirty` into the rollup; `open-data` (every GRC_OPEN_DATA_EVERY_HOURS)
 * regenerates the public files. The jobs only wake the work: what to do is read from PostgreSQL, so a
 * lost or doubled job is harmless (marks stay until folded; files are replaced whole).
 */
@Injectable()
export class ReportingProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ReportingProcessor');
  private worker: Worker | null = null;
  private queue: Queue | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(REPORTING_CONFIG) private readonly reporting: ReportingConfig,
    private readonly facts: ReportingFactsService,
    private readonly openData: OpenDataService,
  ) {}

  onApplicationBootstrap(): void {
    const { refreshSeconds, openDataHours } = this.reporting;
    if (!refreshSeconds && !openDataHours) return;
    this.worker = new Worker(REPORTING_QUEUE, (job) => this.process(job), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
      concurrency: 1,
    });
    this.worker.on('error', (e) => this.log.warn(`worker ${REPORTING_QUEUE}: ${e.message}`));
    this.queue = new Queue(REPORTING_QUEUE, {
      connection: { url: this.config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      prefix: this.config.queuePrefix,
    });
    this.queue.on('error', () => undefined);
    const opts = { removeOnComplete: 20, removeOnFail: 50 };
    const install = (id: string, every: number, name: string) =>
      this.queue
        ?.upsertJobScheduler(id, { every }, { name, opts })
        .catch((e: Error) => this.log.warn(`${name} schedule not installed (Redis?): ${e.message}`));
    if (refreshSeconds) void install('reporting-refresh', refreshSeconds * 1000, REPORTING_JOBS.refresh);
    if (openDataHours) void install('reporting-open-data', openDataHours * 3_600_000, REPORTING_JOBS.openData);
  }

  async process(job: Job): Promise<unknown> {
    // every commune in turn (its own facts and dataset), or the one the job names
    if (job.name === REPORTING_JOBS.refresh)
      return forJobCommunes(this.db, job.data, async () => ({ folded: await this.facts.drain(this.reporting.batchSize) }));
    if (job.name === REPORTING_JOBS.openData) {
      return forJobCommunes(this.db, job.data, async () => {
        await this.facts.drain(this.reporting.batchSize);
        return this.openData.generate();
      });
    }
    throw new Error(`unknown job "${job.name}" on ${REPORTING_QUEUE}`);
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
