import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';
import { ProbesService } from './probes.service';

/** Kubernetes' probes (both roles: the worker answers them on its metrics port, modules/metrics). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [HealthRepository, ProbesService],
  exports: [HealthRepository, ProbesService],
})
export class HealthCoreModule {}

/** GET /api/v1/health (the compose health check), /health/live and /health/ready (Kubernetes). */
@Module({ imports: [HealthCoreModule], controllers: [HealthController] })
export class HealthModule {}
