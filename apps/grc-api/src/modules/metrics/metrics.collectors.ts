import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';
import { RETENTION_QUEUE } from '../retention/retention.processor';
import { TIMERS_QUEUE } from '../timers/timers.constants';
import { QUEUES } from '../worker/queues';
import { MetricsRegistry } from './metrics.registry';
import { MetricsRepository } from './metrics.repository';

/** The app's BullMQ queues, whose depths every process can report. */
export const METRIC_QUEUES = [TIMERS_QUEUE, QUEUES.mailOutbox, QUEUES.inboxCounters, RETENTION_QUEUE] as const;
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
const SCRAPE_TIMEOUT_MS = 2_000;

const within = <T>(p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${SCRAPE_TIMEOUT_MS} ms`)), SCRAPE_TIMEOUT_MS).unref(),
    ),
  ]);

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * Gauges read when Prometheus scrapes: queue depths (Redis), e-mail outbox backlog and overdue timers
 * (PostgreSQL), this process's connection pool. A dependency that does not answer leaves its gauge
 * out of that scrape (`grc_metrics_scrape_errors_total` counts it) instead of failing the scrape.
 */
@Injectable()
export class MetricsCollectors implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Metrics');
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly rows: MetricsRepository,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const errors = new Counter({
      name: 'grc_metrics_scrape_errors_total',
      help: 'Sources (queues, PostgreSQL) that did not answer while a scrape read them',
      labelNames: ['source'],
      registers,
    });
    const guard = async (what: string, read: () => Promise<void>) => {
      try {
        await within(read());
      } catch (e) {
        errors.inc({ source: what.split(' ')[0] });
        this.log.debug(`metrics: ${what}: ${(e as Error).message}`);
      }
    };
    const jobs: Gauge<'queue' | 'state'> = new Gauge({
      name: 'grc_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'],
      registers,
      // read from the shared Redis: the same figure in every process of a cluster (cli/cluster.ts), not a sum
      aggregator: 'max',
      collect: async () => {
        jobs.reset();
        await Promise.all(
          METRIC_QUEUES.map((name) =>
            guard(`queue ${name}`, async () => {
              const counts = await this.queue(name).getJobCounts(...JOB_STATES);
              for (const state of JOB_STATES) jobs.set({ queue: name, state }, counts[state] ?? 0);
            }),
          ),
        );
      },
    });
    const backlog = (name: string, help: string, read: () => Promise<{ count: number; oldestSeconds: number }>) => {
      let last: Promise<{ count: number; oldestSeconds: number } | null> | null = null;
      // the two gauges of one source share one query per scrape
      const once = () =>
        (last ??= read()
          .catch(() => null)
          .finally(() => setTimeout(() => (last = null), 0)));
      const count: Gauge = new Gauge({
        name: `grc_${name}`,
        help,
        registers,
        aggregator: 'max',
        collect: async () => {
          count.reset();
          await guard(name, async () => {
            const r = await once();
            if (!r) throw new Error('query failed');
            count.set(r.count);
          });
        },
      });
      const oldest: Gauge = new Gauge({
        name: `grc_${name}_oldest_seconds`,
        help: `${help}: age of the oldest`,
        registers,
        aggregator: 'max',
        collect: async () => {
          oldest.reset();
          const r = await within(once()).catch(() => null);
          if (r) oldest.set(r.oldestSeconds);
        },
      });
    };
    backlog('mail_outbox_backlog', 'E-mails waiting in the outbox (queued, retrying, being sent)', () => this.rows.outboxBacklog());
    backlog('timers_overdue', 'Pending durable timers already due (PostgreSQL, whatever Redis holds)', () => this.rows.overdueTimers());
    const pool: Gauge<'state'> = new Gauge({
      name: 'grc_db_pool_connections',
      help: "This process's PostgreSQL pool: total, idle, and queries waiting for a connection",
      labelNames: ['state'],
      registers,
      collect: () => {
        const p = this.pool();
        if (!p) return;
        pool.set({ state: 'total' }, p.totalCount);
        pool.set({ state: 'idle' }, p.idleCount);
        pool.set({ state: 'waiting' }, p.waitingCount);
        pool.set({ state: 'max' }, p.options?.max ?? 0);
      },
    });
    const role: Gauge<'role'> = new Gauge({
      name: 'grc_process_role',
      help: 'The role of this process (api, worker, all)',
      labelNames: ['role'],
      registers,
      collect: () => {
        role.set({ role: this.config.role }, 1);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((q) => within(q.close()).catch(() => undefined)));
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      // the process's shared connection: reading counts opens no connection of its own
      q = new Queue(name, { connection: this.redis, prefix: this.config.queuePrefix });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  private pool(): PgPool | null {
    const driver = this.db.driver as unknown as { master?: PgPool };
    return driver.master ?? null;
  }
}
