import { Global, Module } from '@nestjs/common';
import { HealthCoreModule } from '../health/health.module';
import { MetricsCollectors } from './metrics.collectors';
import { MetricsRegistry } from './metrics.registry';
import { MetricsRepository } from './metrics.repository';
import { MetricsServer } from './metrics.server';

/**
 * Prometheus metrics (prom-client), both roles. Global: any module may inject MetricsRegistry to record
 * (HTTP latency is recorded by the middleware of http-metrics.ts, BullMQ workers by `observeWorker`,
 * timers by `timerFired`, live streams by `sseConnectionOpened/Closed`).
 */
@Global()
@Module({
  imports: [HealthCoreModule],
  providers: [MetricsRegistry, MetricsRepository, MetricsCollectors, MetricsServer],
  exports: [MetricsRegistry, MetricsServer],
})
export class MetricsModule {}
