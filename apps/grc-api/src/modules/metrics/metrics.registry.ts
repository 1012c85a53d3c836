import { Injectable } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 300];

/**
 * The process's Prometheus registry (prom-client), one per process: each pod is scraped on its own
 * (GRC_METRICS_PORT, docs/configuration.md#metrics). Features record through the methods below; the
 * gauges read at scrape time (queues, outbox, timers, pool) are in MetricsCollectors.
 *
 * For the live events (SSE): call `sseConnectionOpened()` when a stream starts and `sseConnectionClosed()`
 * when it ends (or `setSseConnections(n)`); the gauge is `grc_sse_connections`.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  private readonly http = new Histogram({
    name: 'grc_http_request_duration_seconds',
    help: 'HTTP requests by route pattern (not the raw URL), method and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly sse = new Gauge({
    name: 'grc_sse_connections',
    help: 'Open live-event (SSE) streams of this process',
    registers: [this.registry],
  });
  private readonly jobRun = new Histogram({
    name: 'grc_job_duration_seconds',
    help: 'BullMQ jobs processed by this worker: processing time, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobWait = new Histogram({
    name: 'grc_job_wait_seconds',
    help: 'BullMQ jobs: time between the moment a job was due (added + delay) and the moment a worker took it',
    labelNames: ['queue'] as const,
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly timerLag = new Histogram({
    name: 'grc_timer_lag_seconds',
    help: 'Durable timers (SLA escalations, circuit deadlines): fired time minus due time, whether by its job or by the reconciler',
    labelNames: ['kind'] as const,
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly timersFired = new Counter({
    name: 'grc_timers_fired_total',
    help: 'Durable timers fired by this process',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'grc_' });
  }

  /** One HTTP request (route: the route's pattern, e.g. /api/v1/tickets/:id; `unmatched` for static files and 404s). */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, seconds);
  }

  sseConnectionOpened(): void {
    this.sse.inc();
  }

  sseConnectionClosed(): void {
    this.sse.dec();
  }

  setSseConnections(n: number): void {
    this.sse.set(n);
  }

  /** Follows a BullMQ worker: processing time and wait of every job it completes or fails. */
  observeWorker(queue: string, worker: Worker): void {
    const record = (job: Job | undefined, outcome: 'completed' | 'failed') => {
      if (!job?.processedOn) return;
      const finished = job.finishedOn ?? Date.now();
      this.jobRun.observe({ queue, outcome }, Math.max(0, finished - job.processedOn) / 1000);
      const dueAt = job.timestamp + (job.opts?.delay ?? 0);
      if (outcome === 'completed' || job.attemptsMade <= 1) this.jobWait.observe({ queue }, Math.max(0, job.processedOn - dueAt) / 1000);
    };
    worker.on('completed', (job) => record(job, 'completed'));
    worker.on('failed', (job) => record(job, 'failed'));
  }

  /** A durable timer fired (modules/timers), `dueAt` its row's due time. */
  timerFired(kind: string, dueAt: Date, now = Date.now()): void {
    this.timersFired.inc({ kind });
    this.timerLag.observe({ kind }, Math.max(0, now - dueAt.getTime()) / 1000);
  }

  /** The text exposition format, gauges read at scrape time included. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
